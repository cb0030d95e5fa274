// The cluster's root access key, outside Raft: generating one, reading one an operator supplied in
// the environment, and handing one to AWS clients as a shared-credentials file they read unchanged.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export const ROOT_ACCESS_KEY_ID_ENV = 'STRATUS_ROOT_ACCESS_KEY_ID';
export const ROOT_SECRET_ACCESS_KEY_ENV = 'STRATUS_ROOT_SECRET_ACCESS_KEY';

// AWS key ids are AKIA plus 16 characters of the RFC 4648 base32 alphabet; 32 symbols divide 256,
// so masking a random byte to 5 bits picks each one uniformly.
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A fresh key shaped like AWS's, so tools that sanity-check key formats accept it. */
export function generateAccessKey(): AccessKey {
  const idBytes = randomBytes(16);
  let suffix = '';
  for (const b of idBytes) suffix += BASE32[b & 31];
  // 30 random bytes are exactly 40 base64 characters with no padding: AWS's secret length and
  // alphabet (letters, digits, '+' and '/'), with 240 bits of entropy.
  return { accessKeyId: `AKIA${suffix}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/**
 * The root key from STRATUS_ROOT_ACCESS_KEY_ID / STRATUS_ROOT_SECRET_ACCESS_KEY, undefined when
 * neither is set. Messages name the variable at fault and never echo the secret.
 */
export function rootFromEnv(env: NodeJS.ProcessEnv): AccessKey | undefined {
  // An empty assignment (VAR=) is how shells unset a variable for one command; treat it as unset.
  const id = env[ROOT_ACCESS_KEY_ID_ENV] || undefined;
  const secret = env[ROOT_SECRET_ACCESS_KEY_ENV] || undefined;
  if (id === undefined && secret === undefined) return undefined;
  if (id === undefined) {
    throw new Error(`${ROOT_ACCESS_KEY_ID_ENV} is not set but ${ROOT_SECRET_ACCESS_KEY_ENV} is: set both to choose the root key, or neither to have one generated`);
  }
  if (secret === undefined) {
    throw new Error(`${ROOT_SECRET_ACCESS_KEY_ENV} is not set but ${ROOT_ACCESS_KEY_ID_ENV} is: set both to choose the root key, or neither to have one generated`);
  }
  if (!/^[A-Z0-9]{16,128}$/.test(id)) {
    const why = id.length < 16 || id.length > 128 ? `it has ${id.length}` : 'it has characters other than A-Z and 0-9';
    throw new Error(`${ROOT_ACCESS_KEY_ID_ENV} must be 16 to 128 characters, each A-Z or 0-9 (like AKIAIOSFODNN7EXAMPLE); ${why}`);
  }
  if (secret.length < 16) {
    throw new Error(`${ROOT_SECRET_ACCESS_KEY_ENV} must be at least 16 characters long; it has ${secret.length}`);
  }
  // Clients strip blanks around values in the credentials file and SDKs pass the secret to HMAC as
  // UTF-8 text; a blank or control character would sign with a key the server does not hold.
  if (!/^[\x21-\x7e]+$/.test(secret)) {
    throw new Error(`${ROOT_SECRET_ACCESS_KEY_ENV} must be printable ASCII without spaces`);
  }
  return { accessKeyId: id, secretAccessKey: secret };
}

/**
 * Writes DATA_DIR/credentials in the AWS shared-credentials format (profile `default`) and returns
 * its path. The file is created with mode 0600 so the secret is never readable by others, not even
 * for an instant, and renamed into place so a reader sees the old file or the whole new one.
 */
export async function writeCredentialsFile(dataDir: string, key: AccessKey): Promise<string> {
  for (const [name, value] of [['access key id', key.accessKeyId], ['secret access key', key.secretAccessKey]] as const) {
    // A line break would let the value forge further entries in the INI file.
    if (value === '' || /[\r\n]/.test(value)) throw new Error(`cannot write the credentials file: the ${name} is empty or holds a line break`);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, 'credentials');
  const temp = join(dataDir, `.credentials.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const text = `[default]\naws_access_key_id = ${key.accessKeyId}\naws_secret_access_key = ${key.secretAccessKey}\n`;
  const file = await open(temp, 'wx', 0o600);
  try {
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  // The rename is durable only once the directory entry is on disk.
  const dir = await open(dataDir, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
  return path;
}
