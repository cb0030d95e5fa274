import { DecodeError, Reader, Writer, bytesEqual, concatBytes, prefixEnd, utf8 } from './codec.js';
import { DedupTable, type DedupOptions } from './dedup.js';
import { type Command, CommandError, decodeQuery, errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from './kind.js';
import {
  type BlobCommand,
  type BlobQuery,
  type ChunkInfo,
  HASH_BYTES,
  MAX_CHUNK_BYTES,
  MAX_LIST_LIMIT,
  decodeBlobCommand,
  decodeBlobQuery,
  encodeDeleteResult,
  encodeListResult,
  encodePresence,
  encodePutResult,
  sha256,
} from './blob-codec.js';

export * from './blob-codec.js';

/*
 * The `blob` kind: a replicated map sha256(chunk) → chunk, holding function code and layers so
 * that any scheduler can load a package. Content addressing makes puts idempotent and lets an
 * uploader skip the chunks a group holds already.
 *
 * Relative keys:
 *   'c' + hash(32) → the chunk's bytes, as put
 *   'i' + hash(32) → u8 v | u64 putTimeMs | u32 size
 *
 * The small 'i' entry sits apart from the data so that refreshing a put time writes 13 bytes,
 * not the chunk again, and so that load() and ListChunks never read chunk data.
 *
 * Put time is the leader-stamped timestamp of the newest PutChunk/TouchChunks naming the chunk,
 * never decreasing. DeleteChunks removes a chunk only if its put time is before the command's
 * cut-off: a garbage collector that decided a chunk was unreferenced cannot delete it after an
 * uploader touched or re-put it (provided its cut-off is older than the uploader's commands).
 *
 * In memory: put time and size of every chunk (about a hundred bytes per MiB stored). apply()
 * is synchronous and cannot read the store, yet DeleteChunks, the group's byte cap and "does this
 * put create the chunk" all depend on them; load() rebuilds the index from the 'i' keys.
 *
 * Size: a group's snapshot is one in-memory message holding the whole group (engine
 * snapshot-data.ts, kept by GroupStorage), so every replica pays a group's size in RAM. A put that
 * would take the group past maxGroupBytes is refused with FailedPrecondition. The cap takes part
 * in apply, so every replica of a group must run with the same value.
 */

const CHUNK_PREFIX = utf8('c');
const INFO_PREFIX = utf8('i');
const FORMAT_VERSION = 1;

/** Default cap on the chunk bytes one group holds; see the size note above. */
export const DEFAULT_MAX_GROUP_BYTES = 128 * 1024 * 1024;

interface Entry {
  putTimeMs: number;
  size: number;
}

export interface BlobStateMachineOptions {
  dedup?: DedupOptions;
  /** Identical on every replica of a group (it decides apply results). */
  maxGroupBytes?: number;
}

const chunkKey = (hash: Uint8Array): Uint8Array => concatBytes(CHUNK_PREFIX, hash);
const infoKey = (hash: Uint8Array): Uint8Array => concatBytes(INFO_PREFIX, hash);
const hexOf = (hash: Uint8Array): string => Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');

function encodeInfo(e: Entry): Uint8Array {
  return new Writer(13).u8(FORMAT_VERSION).u64(e.putTimeMs).u32(e.size).finish();
}

function decodeInfo(value: Uint8Array): Entry {
  const r = new Reader(value);
  const v = r.u8('version');
  if (v !== FORMAT_VERSION) throw new Error(`unsupported blob chunk info format version ${v}`);
  const e = { putTimeMs: r.u64('putTimeMs'), size: r.u32('size') };
  r.end('blob chunk info');
  return e;
}

export class BlobStateMachine implements PartitionStateMachine {
  private readonly dedupOptions: DedupOptions;
  readonly maxGroupBytes: number;
  private dedup: DedupTable;
  /** By hex hash. */
  private chunks = new Map<string, Entry>();
  private bytes = 0;

  constructor(opts: BlobStateMachineOptions = {}) {
    this.dedupOptions = opts.dedup ?? {};
    this.dedup = new DedupTable(this.dedupOptions);
    this.maxGroupBytes = opts.maxGroupBytes ?? DEFAULT_MAX_GROUP_BYTES;
    if (!Number.isSafeInteger(this.maxGroupBytes) || this.maxGroupBytes < 1) throw new RangeError('maxGroupBytes must be ≥ 1');
  }

  /** Chunk bytes stored in the group. */
  get storedBytes(): number {
    return this.bytes;
  }

  get chunkCount(): number {
    return this.chunks.size;
  }

  async load(store: PartitionStore): Promise<void> {
    const dedup = new DedupTable(this.dedupOptions);
    await dedup.load(store);
    const chunks = new Map<string, Entry>();
    let bytes = 0;
    for await (const [key, value] of store.scan({ gte: INFO_PREFIX, lt: prefixEnd(INFO_PREFIX) as Uint8Array })) {
      if (key.length !== 1 + HASH_BYTES) throw new Error(`corrupt blob index: key of ${key.length} bytes`);
      const e = decodeInfo(value);
      chunks.set(hexOf(key.subarray(1)), e);
      bytes += e.size;
    }
    // Assign only once everything decoded, so a failed load leaves the old state intact.
    this.dedup = dedup;
    this.chunks = chunks;
    this.bytes = bytes;
  }

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    return this.dedup.applyEncoded(command, ctx, (c, cx) => this.applyOp(c, cx));
  }

  private applyOp(cmd: Command, ctx: ApplyContext): Uint8Array {
    let c: BlobCommand;
    try {
      c = decodeBlobCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', `malformed blob command: ${e.message}`);
      throw e;
    }
    switch (c.type) {
      case 'put':
        return this.put(c.hash, c.data, cmd.timestampMs, ctx);
      case 'touch':
        return okResult(encodePresence(c.hashes.map((h) => this.touch(h, cmd.timestampMs, ctx))));
      case 'delete':
        return this.delete(c.hashes, c.olderThanMs, ctx);
    }
  }

  private put(hash: Uint8Array, data: Uint8Array, ts: number, ctx: ApplyContext): Uint8Array {
    if (data.length > MAX_CHUNK_BYTES) {
      return errorResult('InvalidArgument', `a chunk holds at most ${MAX_CHUNK_BYTES} bytes, got ${data.length}`);
    }
    // Checked on every replica: a corrupt proposal never becomes a chunk that lies about its hash.
    if (!bytesEqual(sha256(data), hash)) return errorResult('InvalidArgument', `chunk data does not hash to ${hexOf(hash)}`);
    const existing = this.chunks.get(hexOf(hash));
    if (existing !== undefined) {
      this.touch(hash, ts, ctx);
      return okResult(encodePutResult({ created: false, putTimeMs: existing.putTimeMs }));
    }
    if (this.bytes + data.length > this.maxGroupBytes) {
      return errorResult('FailedPrecondition', `blob group full: ${this.bytes} of ${this.maxGroupBytes} bytes used, a ${data.length}-byte chunk does not fit`);
    }
    const e: Entry = { putTimeMs: ts, size: data.length };
    this.chunks.set(hexOf(hash), e);
    this.bytes += data.length;
    // Copies: the ops outlive this call, the command buffer belongs to the log.
    ctx.ops.push({ type: 'put', key: chunkKey(hash), value: data.slice() }, { type: 'put', key: infoKey(hash), value: encodeInfo(e) });
    return okResult(encodePutResult({ created: true, putTimeMs: ts }));
  }

  /** Raises an existing chunk's put time to `ts`; false if the chunk is not stored. */
  private touch(hash: Uint8Array, ts: number, ctx: ApplyContext): boolean {
    const e = this.chunks.get(hexOf(hash));
    if (e === undefined) return false;
    // Never lowered: a new leader's clock may be behind, and a GC cut-off must not overtake it.
    if (ts > e.putTimeMs) {
      e.putTimeMs = ts;
      ctx.ops.push({ type: 'put', key: infoKey(hash), value: encodeInfo(e) });
    }
    return true;
  }

  private delete(hashes: Uint8Array[], olderThanMs: number, ctx: ApplyContext): Uint8Array {
    let deleted = 0;
    let freedBytes = 0;
    for (const h of hashes) {
      const hex = hexOf(h);
      const e = this.chunks.get(hex);
      if (e === undefined || e.putTimeMs >= olderThanMs) continue;
      this.chunks.delete(hex);
      this.bytes -= e.size;
      deleted++;
      freedBytes += e.size;
      ctx.ops.push({ type: 'del', key: chunkKey(h) }, { type: 'del', key: infoKey(h) });
    }
    return okResult(encodeDeleteResult({ deleted, freedBytes }));
  }

  async read(query: Uint8Array, store: PartitionStore): Promise<Uint8Array> {
    let q: BlobQuery;
    try {
      const { op, body } = decodeQuery(query);
      q = decodeBlobQuery(op, body);
    } catch (e) {
      if (e instanceof CommandError || e instanceof DecodeError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    switch (q.type) {
      case 'get': {
        const data = await store.get(chunkKey(q.hash));
        return data === undefined ? errorResult('NotFound', `chunk ${hexOf(q.hash)} is not stored`) : okResult(data);
      }
      case 'stat':
        return okResult(encodePresence(q.hashes.map((h) => this.chunks.has(hexOf(h)))));
      case 'list':
        return this.list(q.limit, q.after, store);
    }
  }

  /** Chunks in hash order after `after`, from the store's index entries (never the data). */
  private async list(limit: number, after: Uint8Array | undefined, store: PartitionStore): Promise<Uint8Array> {
    if (limit < 1 || limit > MAX_LIST_LIMIT) return errorResult('InvalidArgument', `limit must be 1-${MAX_LIST_LIMIT}, got ${limit}`);
    // The smallest key above after's: fixed-length keys, so appending a zero byte is exact.
    const gte = after === undefined ? INFO_PREFIX : concatBytes(infoKey(after), Uint8Array.of(0));
    const chunks: ChunkInfo[] = [];
    let more = false;
    for await (const [key, value] of store.scan({ gte, lt: prefixEnd(INFO_PREFIX) as Uint8Array, limit: limit + 1 })) {
      if (chunks.length === limit) {
        more = true;
        break;
      }
      const e = decodeInfo(value);
      chunks.push({ hash: key.slice(1), size: e.size, putTimeMs: e.putTimeMs });
    }
    const last = chunks[chunks.length - 1];
    return okResult(encodeListResult(more && last !== undefined ? { chunks, next: last.hash } : { chunks }));
  }
}
