// Function environment variables are sealed before they reach the catalog, as Lambda encrypts
// them at rest with a KMS key. The master key never enters the storage tier: it comes from
// STRATUS_MASTER_KEY or a 0600 file beside the gateway's data, so a copy of the Raft data alone
// does not reveal secrets kept in function environments.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

export class MasterKey {
  private constructor(private readonly key: Buffer) {}

  static fromBase64(b64: string, origin: string): MasterKey {
    const key = Buffer.from(b64.trim(), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`${origin}: the master key must be ${KEY_BYTES} bytes of base64, got ${key.length} bytes`);
    return new MasterKey(key);
  }

  /** STRATUS_MASTER_KEY, else DIR/master.key, else a new key written there (0600). */
  static load(dataDir: string, env: NodeJS.ProcessEnv): MasterKey {
    const fromEnv = env.STRATUS_MASTER_KEY;
    if (fromEnv !== undefined && fromEnv !== '') return MasterKey.fromBase64(fromEnv, 'STRATUS_MASTER_KEY');
    const file = join(dataDir, 'master.key');
    try {
      return MasterKey.fromBase64(readFileSync(file, 'utf8'), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    mkdirSync(dataDir, { recursive: true });
    const key = randomBytes(KEY_BYTES);
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return new MasterKey(key);
  }

  static generate(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  seal(plain: Record<string, string>): string {
    const iv = randomBytes(IV_BYTES);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(JSON.stringify(plain), 'utf8'), c.final()]);
    return `${FORMAT}:${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64')}`;
  }

  open(sealed: string): Record<string, string> {
    const [format, b64] = sealed.split(':');
    if (format !== FORMAT || b64 === undefined) throw new Error('sealed environment: unknown format');
    const raw = Buffer.from(b64, 'base64');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    d.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([d.update(raw.subarray(IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('sealed environment: not a map');
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
    return out;
  }
}
