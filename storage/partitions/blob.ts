// The `blob` kind: a replicated map sha256(chunk) → chunk, used for function code and layers so
// any scheduler can load a package. Content addressing makes puts idempotent and uploads
// deduplicating (StatChunks tells an uploader which chunks are stored already).
//
// Keys: 'c' | hash(32) → u64 putTimeMs | data. The put time is the command's leader-stamped
// time, refreshed by every put of the chunk, so a garbage collector's DeleteChunks (which names
// a cut-off) never removes a chunk an upload has just put again.
import { createHash } from 'node:crypto';
import { DecodeError, Reader, Writer, bytesEqual, concatBytes, prefixEnd } from './codec.js';
import { DedupTable, type DedupOptions } from './dedup.js';
import { type Command, type CommandPayload, CommandError, type Decoded, decodeQuery, decodeResultWith, encodeQuery, errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from './kind.js';

/** Command ops of the `blob` kind. Wire values: append only. */
export enum BlobOp {
  PutChunk = 1,
  DeleteChunks = 2,
}

export enum BlobQueryOp {
  GetChunk = 1,
  StatChunks = 2,
  ListChunks = 3,
}

export const HASH_BYTES = 32;
/** Bigger chunks make bigger Raft entries; 1 MiB keeps an entry well inside every transport limit. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
export const MAX_LIST_CHUNKS = 10_000;
const CHUNK_PREFIX = Uint8Array.of(0x63); // 'c'

export type BlobCommand = { type: 'put'; hash: Uint8Array; data: Uint8Array } | { type: 'delete'; hashes: Uint8Array[]; olderThanMs: number };
export type BlobQuery = { type: 'get'; hash: Uint8Array } | { type: 'stat'; hashes: Uint8Array[] } | { type: 'list'; after?: Uint8Array; limit: number };

export interface ChunkInfo {
  hash: Uint8Array;
  size: number;
  putTimeMs: number;
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function hashList(w: Writer, hashes: Uint8Array[]): Writer {
  w.u32(hashes.length);
  for (const h of hashes) w.raw(h);
  return w;
}

function readHashes(r: Reader): Uint8Array[] {
  const n = r.u32('count');
  if (n > MAX_LIST_CHUNKS) throw new DecodeError(`at most ${MAX_LIST_CHUNKS} hashes`);
  return Array.from({ length: n }, () => r.raw(HASH_BYTES, 'hash'));
}

export function encodeBlobCommand(c: BlobCommand): CommandPayload {
  if (c.type === 'put') return { op: BlobOp.PutChunk, body: new Writer().raw(c.hash).raw(c.data).finish() };
  return { op: BlobOp.DeleteChunks, body: hashList(new Writer().u64(c.olderThanMs), c.hashes).finish() };
}

export function decodeBlobCommand(op: number, body: Uint8Array): BlobCommand {
  const r = new Reader(body);
  switch (op) {
    case BlobOp.PutChunk: {
      const hash = r.raw(HASH_BYTES, 'hash');
      return { type: 'put', hash, data: r.rest() };
    }
    case BlobOp.DeleteChunks: {
      const olderThanMs = r.u64('olderThanMs');
      const hashes = readHashes(r);
      r.end('delete');
      return { type: 'delete', hashes, olderThanMs };
    }
    default:
      throw new DecodeError(`unknown blob op ${op}`);
  }
}

export function encodeBlobQuery(q: BlobQuery): Uint8Array {
  switch (q.type) {
    case 'get':
      return encodeQuery({ op: BlobQueryOp.GetChunk, body: q.hash });
    case 'stat':
      return encodeQuery({ op: BlobQueryOp.StatChunks, body: hashList(new Writer(), q.hashes).finish() });
    case 'list': {
      const w = new Writer().u32(q.limit).u8(q.after ? 1 : 0);
      if (q.after) w.raw(q.after);
      return encodeQuery({ op: BlobQueryOp.ListChunks, body: w.finish() });
    }
  }
}

function decodeBlobQuery(op: number, body: Uint8Array): BlobQuery {
  const r = new Reader(body);
  switch (op) {
    case BlobQueryOp.GetChunk: {
      const hash = r.raw(HASH_BYTES, 'hash');
      r.end('get');
      return { type: 'get', hash };
    }
    case BlobQueryOp.StatChunks: {
      const hashes = readHashes(r);
      r.end('stat');
      return { type: 'stat', hashes };
    }
    case BlobQueryOp.ListChunks: {
      const limit = r.u32('limit');
      const after = r.u8('after?') === 1 ? r.raw(HASH_BYTES, 'after') : undefined;
      r.end('list');
      return { type: 'list', limit, ...(after ? { after } : {}) };
    }
    default:
      throw new DecodeError(`unknown blob query op ${op}`);
  }
}

const chunkKey = (hash: Uint8Array): Uint8Array => concatBytes(CHUNK_PREFIX, hash);

export class BlobStateMachine implements PartitionStateMachine {
  private readonly dedupOptions: DedupOptions;
  private dedup: DedupTable;
  /** Put time of every stored chunk: apply must decide without reading the store. */
  private putTimes = new Map<string, number>();

  constructor(opts: { dedup?: DedupOptions } = {}) {
    this.dedupOptions = opts.dedup ?? {};
    this.dedup = new DedupTable(this.dedupOptions);
  }

  async load(store: PartitionStore): Promise<void> {
    const dedup = new DedupTable(this.dedupOptions);
    await dedup.load(store);
    const putTimes = new Map<string, number>();
    for await (const [k, v] of store.scan({ gte: CHUNK_PREFIX, lt: prefixEnd(CHUNK_PREFIX) as Uint8Array })) {
      putTimes.set(Buffer.from(k.subarray(1)).toString('hex'), new Reader(v).u64('putTime'));
    }
    this.dedup = dedup;
    this.putTimes = putTimes;
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
    if (c.type === 'put') {
      if (c.data.length > MAX_CHUNK_BYTES) return errorResult('InvalidArgument', `a chunk holds at most ${MAX_CHUNK_BYTES} bytes, got ${c.data.length}`);
      if (!bytesEqual(sha256(c.data), c.hash)) return errorResult('InvalidArgument', 'chunk data does not match its hash');
      this.putTimes.set(Buffer.from(c.hash).toString('hex'), cmd.timestampMs);
      ctx.ops.push({ type: 'put', key: chunkKey(c.hash), value: new Writer(c.data.length + 8).u64(cmd.timestampMs).raw(c.data).finish() });
      return okResult();
    }
    let deleted = 0;
    for (const h of c.hashes) {
      const hex = Buffer.from(h).toString('hex');
      const t = this.putTimes.get(hex);
      if (t === undefined || t >= c.olderThanMs) continue;
      this.putTimes.delete(hex);
      ctx.ops.push({ type: 'del', key: chunkKey(h) });
      deleted++;
    }
    return okResult(new Writer().u32(deleted).finish());
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
        const v = await store.get(chunkKey(q.hash));
        return v === undefined ? errorResult('NotFound', `chunk ${Buffer.from(q.hash).toString('hex')} is not stored`) : okResult(v.subarray(8));
      }
      case 'stat': {
        const w = new Writer().u32(q.hashes.length);
        for (const h of q.hashes) w.u8(this.putTimes.has(Buffer.from(h).toString('hex')) ? 1 : 0);
        return okResult(w.finish());
      }
      case 'list': {
        const limit = Math.max(1, Math.min(MAX_LIST_CHUNKS, q.limit));
        const gte = q.after ? (prefixEnd(chunkKey(q.after)) as Uint8Array) : CHUNK_PREFIX;
        const w = new Writer();
        let n = 0;
        const items: ChunkInfo[] = [];
        for await (const [k, v] of store.scan({ gte, lt: prefixEnd(CHUNK_PREFIX) as Uint8Array, limit })) {
          items.push({ hash: k.subarray(1), size: v.length - 8, putTimeMs: new Reader(v).u64('putTime') });
          n++;
        }
        w.u32(n);
        for (const i of items) w.raw(i.hash).u32(i.size).u64(i.putTimeMs);
        return okResult(w.finish());
      }
    }
  }
}

export function decodeChunkResult(bytes: Uint8Array): Decoded<Uint8Array> {
  return decodeResultWith(bytes, (b) => b);
}

export function decodeStatResult(bytes: Uint8Array): Decoded<boolean[]> {
  return decodeResultWith(bytes, (b) => {
    const r = new Reader(b);
    const n = r.u32('count');
    return Array.from({ length: n }, () => r.u8('present') === 1);
  });
}

export function decodeListResult(bytes: Uint8Array): Decoded<ChunkInfo[]> {
  return decodeResultWith(bytes, (b) => {
    const r = new Reader(b);
    const n = r.u32('count');
    return Array.from({ length: n }, () => ({ hash: r.raw(HASH_BYTES, 'hash'), size: r.u32('size'), putTimeMs: r.u64('putTime') }));
  });
}
