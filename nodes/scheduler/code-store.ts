// Function packages in the cluster: a zip is split into 1 MiB content-addressed chunks spread
// over the code store's `blob` groups, so any scheduler can load any function's code, and an
// upload of chunks the store already holds (a republished package, a shared layer) sends nothing.
import { createHash } from 'node:crypto';
import {
  MAX_CHUNK_BYTES,
  MAX_HASHES,
  decodeChunkResult,
  decodePresenceResult,
  decodePutResult,
  encodeBlobCommand,
  encodeBlobQuery,
} from '../../storage/partitions/blob-codec.js';
import { type CommandPayload, type Decoded, type ErrorCode } from '../../storage/partitions/envelope.js';

export interface CodeRef {
  /** Hex SHA-256 of the whole package. */
  sha256: string;
  size: number;
  /** In package order; a chunk's group follows from its hash (groupOf). */
  chunks: { hash: string; size: number }[];
}

export interface CodeStoreIo {
  /** Proposes through the caller's session (exactly-once), resolving with the encoded result. */
  propose(group: number, p: CommandPayload): Promise<Uint8Array>;
  read(group: number, query: Uint8Array): Promise<Uint8Array>;
}

export interface CodeStoreOptions {
  /** Chunk size; at most MAX_CHUNK_BYTES (the default). Smaller only in tests. */
  chunkBytes?: number;
  /** Chunk transfers in flight at once. Default 4. */
  parallelism?: number;
}

/** The store answered an error (a full group, a missing chunk) or could not be used. */
export class CodeStoreError extends Error {
  constructor(
    message: string,
    readonly code?: ErrorCode,
  ) {
    super(message);
    this.name = 'CodeStoreError';
  }
}

/** Bytes read back do not match the hashes they are stored under. */
export class CorruptCodeError extends CodeStoreError {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptCodeError';
  }
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/**
 * The group holding a chunk: the hash's first four bytes modulo the number of groups. The list
 * of groups must therefore never change once chunks are stored (the catalog allocates it once).
 */
export function groupOf(hash: Uint8Array, groups: readonly number[]): number {
  if (groups.length === 0) throw new CodeStoreError('the code store has no groups');
  const v = new DataView(hash.buffer, hash.byteOffset, hash.byteLength).getUint32(0);
  return groups[v % groups.length] as number;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** Runs f over items with at most `limit` in flight; the first failure stops new starts. */
async function eachLimited<T>(items: readonly T[], limit: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await f(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function unwrap<T>(r: Decoded<T>, what: string): T {
  if (!r.ok) throw new CodeStoreError(`code store: ${what}: ${r.code}: ${r.message}`, r.code);
  return r.value;
}

interface Chunk {
  hash: Buffer;
  hex: string;
  data: Uint8Array;
}

export class CodeStore {
  private readonly chunkBytes: number;
  private readonly parallelism: number;

  constructor(
    private readonly io: CodeStoreIo,
    private readonly groups: () => Promise<number[]>,
    opts: CodeStoreOptions = {},
  ) {
    this.chunkBytes = opts.chunkBytes ?? MAX_CHUNK_BYTES;
    this.parallelism = opts.parallelism ?? 4;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1 || this.chunkBytes > MAX_CHUNK_BYTES) {
      throw new RangeError(`chunkBytes must be 1-${MAX_CHUNK_BYTES}`);
    }
    if (!Number.isInteger(this.parallelism) || this.parallelism < 1) throw new RangeError('parallelism must be ≥ 1');
  }

  /**
   * Stores a package and returns its reference. Chunks a group holds already are not sent
   * again; they are touched instead (TouchChunks), which both tells which ones exist and
   * refreshes their put time so that a garbage collector running meanwhile spares them.
   */
  async put(zip: Uint8Array): Promise<CodeRef> {
    const groups = await this.groups();
    const chunks: Chunk[] = [];
    for (let off = 0; off < zip.length; off += this.chunkBytes) {
      const data = zip.subarray(off, Math.min(zip.length, off + this.chunkBytes));
      const hash = sha256(data);
      chunks.push({ hash, hex: hash.toString('hex'), data });
    }
    // A package may repeat a chunk (long runs of equal bytes): send each distinct one once.
    const distinct = new Map<string, Chunk>();
    for (const c of chunks) distinct.set(c.hex, c);
    const batches: { group: number; chunks: Chunk[] }[] = [];
    const byGroup = new Map<number, Chunk[]>();
    for (const c of distinct.values()) {
      const g = groupOf(c.hash, groups);
      const list = byGroup.get(g) ?? [];
      list.push(c);
      byGroup.set(g, list);
    }
    for (const [group, list] of byGroup) {
      for (let i = 0; i < list.length; i += MAX_HASHES) batches.push({ group, chunks: list.slice(i, i + MAX_HASHES) });
    }
    const missing: { group: number; chunk: Chunk }[] = [];
    await eachLimited(batches, this.parallelism, async (b) => {
      const res = await this.io.propose(b.group, encodeBlobCommand({ type: 'touch', hashes: b.chunks.map((c) => c.hash) }));
      const present = unwrap(decodePresenceResult(res), `touching chunks in group ${b.group}`);
      if (present.length !== b.chunks.length) throw new CodeStoreError(`code store: group ${b.group} answered ${present.length} flags for ${b.chunks.length} chunks`);
      b.chunks.forEach((chunk, i) => {
        if (present[i] !== true) missing.push({ group: b.group, chunk });
      });
    });
    await eachLimited(missing, this.parallelism, async ({ group, chunk }) => {
      const res = await this.io.propose(group, encodeBlobCommand({ type: 'put', hash: chunk.hash, data: chunk.data }));
      unwrap(decodePutResult(res), `storing chunk ${chunk.hex} in group ${group}`);
    });
    return {
      sha256: sha256(zip).toString('hex'),
      size: zip.length,
      chunks: chunks.map((c) => ({ hash: c.hex, size: c.data.length })),
    };
  }

  /** Reads a package back, verifying every chunk and the whole; throws CorruptCodeError on a mismatch. */
  async get(ref: CodeRef): Promise<Uint8Array> {
    checkRef(ref);
    const groups = await this.groups();
    const fetched = new Map<string, Uint8Array>();
    const distinct = [...new Set(ref.chunks.map((c) => c.hash))];
    await eachLimited(distinct, this.parallelism, async (hex) => {
      const hash = Buffer.from(hex, 'hex');
      const group = groupOf(hash, groups);
      const data = unwrap(decodeChunkResult(await this.io.read(group, encodeBlobQuery({ type: 'get', hash }))), `reading chunk ${hex} of package ${ref.sha256} from group ${group}`);
      if (!sha256(data).equals(hash)) throw new CorruptCodeError(`code store: chunk ${hex} of package ${ref.sha256} read from group ${group} does not match its hash`);
      fetched.set(hex, data);
    });
    const out = new Uint8Array(ref.size);
    let off = 0;
    for (const c of ref.chunks) {
      const data = fetched.get(c.hash) as Uint8Array;
      if (data.length !== c.size) throw new CorruptCodeError(`code store: chunk ${c.hash} is ${data.length} bytes, the reference says ${c.size}`);
      out.set(data, off);
      off += data.length;
    }
    if (sha256(out).toString('hex') !== ref.sha256) throw new CorruptCodeError(`code store: package ${ref.sha256} does not match its hash`);
    return out;
  }
}

/** A reference from a catalog document is input: refuse one that cannot describe a package. */
function checkRef(ref: CodeRef): void {
  if (!HEX_HASH.test(ref.sha256)) throw new CodeStoreError(`code store: malformed package hash ${JSON.stringify(ref.sha256)}`);
  let total = 0;
  for (const c of ref.chunks) {
    if (!HEX_HASH.test(c.hash)) throw new CodeStoreError(`code store: malformed chunk hash ${JSON.stringify(c.hash)}`);
    if (!Number.isSafeInteger(c.size) || c.size < 0 || c.size > MAX_CHUNK_BYTES) throw new CodeStoreError(`code store: chunk ${c.hash} has an impossible size ${c.size}`);
    total += c.size;
  }
  if (total !== ref.size) throw new CodeStoreError(`code store: package ${ref.sha256} is ${ref.size} bytes but its chunks add up to ${total}`);
}
