// Function packages in the cluster: a zip is split into 1 MiB content-addressed chunks spread
// over the code store's `blob` groups, so any scheduler can load any function's code, and an
// upload of chunks the store already holds (a republished package, a shared layer) sends nothing.
import { createHash } from 'node:crypto';
import { MAX_CHUNK_BYTES, decodeChunkResult, decodeStatResult, encodeBlobCommand, encodeBlobQuery } from '../../storage/partitions/blob.js';
import { type CommandPayload, decodeResult } from '../../storage/partitions/envelope.js';

export interface CodeRef {
  /** Hex SHA-256 of the whole package. */
  sha256: string;
  size: number;
  chunks: { hash: string; size: number }[];
}

export interface CodeStoreIo {
  /** Proposes through the caller's session (exactly-once), resolving with the encoded result. */
  propose(group: number, p: CommandPayload): Promise<Uint8Array>;
  read(group: number, query: Uint8Array): Promise<Uint8Array>;
}

const PARALLEL = 4;

export class CorruptCodeError extends Error {}

async function eachLimited<T>(items: T[], limit: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await f(items[next++]!);
    }),
  );
}

export class CodeStore {
  constructor(
    private readonly io: CodeStoreIo,
    private readonly groups: () => Promise<number[]>,
  ) {}

  private groupOf(groups: number[], hash: Buffer): number {
    return groups[hash.readUInt32BE(0) % groups.length]!;
  }

  async put(zip: Uint8Array): Promise<CodeRef> {
    const groups = await this.groups();
    const chunks: { hash: Buffer; data: Uint8Array }[] = [];
    for (let off = 0; off < zip.length; off += MAX_CHUNK_BYTES) {
      const data = zip.subarray(off, Math.min(zip.length, off + MAX_CHUNK_BYTES));
      chunks.push({ hash: createHash('sha256').update(data).digest(), data });
    }
    // Ask each group which of its chunks it holds already.
    const byGroup = new Map<number, typeof chunks>();
    for (const c of chunks) {
      const g = this.groupOf(groups, c.hash);
      byGroup.set(g, [...(byGroup.get(g) ?? []), c]);
    }
    const missing: { group: number; hash: Buffer; data: Uint8Array }[] = [];
    for (const [group, cs] of byGroup) {
      const r = decodeStatResult(await this.io.read(group, encodeBlobQuery({ type: 'stat', hashes: cs.map((c) => c.hash) })));
      if (!r.ok) throw new Error(`code store: ${r.message}`);
      cs.forEach((c, i) => {
        if (!r.value[i]) missing.push({ group, ...c });
      });
    }
    await eachLimited(missing, PARALLEL, async (c) => {
      const res = decodeResult(await this.io.propose(c.group, encodeBlobCommand({ type: 'put', hash: c.hash, data: c.data })));
      if (!res.ok) throw new Error(`code store: ${res.message}`);
    });
    return {
      sha256: createHash('sha256').update(zip).digest('hex'),
      size: zip.length,
      chunks: chunks.map((c) => ({ hash: c.hash.toString('hex'), size: c.data.length })),
    };
  }

  async get(ref: CodeRef): Promise<Uint8Array> {
    const groups = await this.groups();
    const parts: Uint8Array[] = new Array<Uint8Array>(ref.chunks.length);
    await eachLimited(
      ref.chunks.map((c, i) => ({ c, i })),
      PARALLEL,
      async ({ c, i }) => {
        const hash = Buffer.from(c.hash, 'hex');
        const r = decodeChunkResult(await this.io.read(this.groupOf(groups, hash), encodeBlobQuery({ type: 'get', hash })));
        if (!r.ok) throw new CorruptCodeError(`code store: chunk ${c.hash} of package ${ref.sha256}: ${r.message}`);
        if (!createHash('sha256').update(r.value).digest().equals(hash)) throw new CorruptCodeError(`code store: chunk ${c.hash} is corrupt`);
        parts[i] = r.value;
      },
    );
    const zip = Buffer.concat(parts);
    if (zip.length !== ref.size || createHash('sha256').update(zip).digest('hex') !== ref.sha256) {
      throw new CorruptCodeError(`code store: package ${ref.sha256} does not match its hash`);
    }
    return new Uint8Array(zip);
  }
}
