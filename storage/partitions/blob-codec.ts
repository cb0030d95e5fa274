import { createHash } from 'node:crypto';
import { DecodeError, Reader, Writer } from './codec.js';
import { type CommandPayload, type Decoded, decodeResultWith, encodeQuery } from './envelope.js';

/*
 * Wire formats of the `blob` kind (see blob.ts). Ops and result layouts only grow at the end:
 * encoded commands live in Raft logs and their results in the dedup table.
 *
 * Commands:
 *   PutChunk      hash(32) | data…
 *   DeleteChunks  u64 olderThanMs | u32 n | n × hash(32)
 *   TouchChunks   u32 n | n × hash(32)
 * Queries:
 *   GetChunk      hash(32)
 *   StatChunks    u32 n | n × hash(32)
 *   ListChunks    u32 limit | u8 hasAfter | [hash(32)]
 */

/** Command ops of the `blob` kind. Wire values: append only, never renumber. */
export enum BlobOp {
  PutChunk = 1,
  /** Deletes the listed chunks whose put time is before a cut-off (garbage collection). */
  DeleteChunks = 2,
  /**
   * Refreshes the put time of the listed chunks that exist and says which exist: an uploader's
   * "I am about to reference these", so a concurrent garbage collector spares them (StatChunks,
   * a read, cannot give that guarantee).
   */
  TouchChunks = 3,
}

/** Query ops of the `blob` kind. */
export enum BlobQueryOp {
  GetChunk = 1,
  StatChunks = 2,
  ListChunks = 3,
}

export const HASH_BYTES = 32;
/** One chunk is one Raft entry: 1 MiB stays well inside the client's 4 MiB proposal batches. */
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** Hashes per DeleteChunks/TouchChunks/StatChunks: bounds entry sizes and remembered results. */
export const MAX_HASHES = 1024;
export const MAX_LIST_LIMIT = 1000;

export type BlobCommand =
  | { type: 'put'; hash: Uint8Array; data: Uint8Array }
  | { type: 'delete'; hashes: Uint8Array[]; olderThanMs: number }
  | { type: 'touch'; hashes: Uint8Array[] };

export type BlobQuery =
  | { type: 'get'; hash: Uint8Array }
  | { type: 'stat'; hashes: Uint8Array[] }
  | { type: 'list'; after?: Uint8Array; limit: number };

export interface PutResult {
  /** False when the chunk was stored already (only its put time was refreshed). */
  created: boolean;
  /** The chunk's put time after this command. */
  putTimeMs: number;
}

export interface DeleteResult {
  deleted: number;
  freedBytes: number;
}

export interface ChunkInfo {
  hash: Uint8Array;
  size: number;
  putTimeMs: number;
}

export interface ListResult {
  chunks: ChunkInfo[];
  /** Pass as `after` to read on; absent when the listing is complete. */
  next?: Uint8Array;
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function checkHash(h: Uint8Array): Uint8Array {
  if (h.length !== HASH_BYTES) throw new RangeError(`a chunk hash is ${HASH_BYTES} bytes, got ${h.length}`);
  return h;
}

function writeHashes(w: Writer, hashes: Uint8Array[]): Writer {
  w.u32(hashes.length);
  for (const h of hashes) w.raw(checkHash(h));
  return w;
}

function readHashes(r: Reader): Uint8Array[] {
  const n = r.u32('hash count');
  // Checked here rather than in apply: a huge count in a short body must fail before allocating.
  if (n > MAX_HASHES) throw new DecodeError(`${n} hashes, at most ${MAX_HASHES} allowed`);
  if (n * HASH_BYTES > r.remaining) throw new DecodeError(`hash count ${n} exceeds the body`);
  return Array.from({ length: n }, () => r.raw(HASH_BYTES, 'hash'));
}

export function encodeBlobCommand(c: BlobCommand): CommandPayload {
  switch (c.type) {
    case 'put':
      return { op: BlobOp.PutChunk, body: new Writer(HASH_BYTES + c.data.length).raw(checkHash(c.hash)).raw(c.data).finish() };
    case 'delete':
      return { op: BlobOp.DeleteChunks, body: writeHashes(new Writer(12 + HASH_BYTES * c.hashes.length).u64(c.olderThanMs), c.hashes).finish() };
    case 'touch':
      return { op: BlobOp.TouchChunks, body: writeHashes(new Writer(4 + HASH_BYTES * c.hashes.length), c.hashes).finish() };
  }
}

/** Decodes a command body; views into `body` are returned, not copies. */
export function decodeBlobCommand(op: number, body: Uint8Array): BlobCommand {
  const r = new Reader(body);
  let c: BlobCommand;
  switch (op) {
    case BlobOp.PutChunk:
      c = { type: 'put', hash: r.raw(HASH_BYTES, 'hash'), data: r.rest() };
      break;
    case BlobOp.DeleteChunks: {
      const olderThanMs = r.u64('olderThanMs');
      c = { type: 'delete', olderThanMs, hashes: readHashes(r) };
      break;
    }
    case BlobOp.TouchChunks:
      c = { type: 'touch', hashes: readHashes(r) };
      break;
    default:
      throw new DecodeError(`unknown blob op ${op}`);
  }
  r.end('blob command');
  return c;
}

export function encodeBlobQuery(q: BlobQuery): Uint8Array {
  switch (q.type) {
    case 'get':
      return encodeQuery({ op: BlobQueryOp.GetChunk, body: checkHash(q.hash) });
    case 'stat':
      return encodeQuery({ op: BlobQueryOp.StatChunks, body: writeHashes(new Writer(4 + HASH_BYTES * q.hashes.length), q.hashes).finish() });
    case 'list': {
      const w = new Writer(5 + HASH_BYTES).u32(q.limit).u8(q.after === undefined ? 0 : 1);
      if (q.after !== undefined) w.raw(checkHash(q.after));
      return encodeQuery({ op: BlobQueryOp.ListChunks, body: w.finish() });
    }
  }
}

export function decodeBlobQuery(op: number, body: Uint8Array): BlobQuery {
  const r = new Reader(body);
  let q: BlobQuery;
  switch (op) {
    case BlobQueryOp.GetChunk:
      q = { type: 'get', hash: r.raw(HASH_BYTES, 'hash') };
      break;
    case BlobQueryOp.StatChunks:
      q = { type: 'stat', hashes: readHashes(r) };
      break;
    case BlobQueryOp.ListChunks: {
      const limit = r.u32('limit');
      const has = r.u8('hasAfter');
      if (has > 1) throw new DecodeError(`hasAfter must be 0 or 1, got ${has}`);
      q = has === 1 ? { type: 'list', limit, after: r.raw(HASH_BYTES, 'after') } : { type: 'list', limit };
      break;
    }
    default:
      throw new DecodeError(`unknown blob query op ${op}`);
  }
  r.end('blob query');
  return q;
}

// Result bodies.

export function encodePutResult(res: PutResult): Uint8Array {
  return new Writer(9).u8(res.created ? 1 : 0).u64(res.putTimeMs).finish();
}

export function decodePutResult(bytes: Uint8Array): Decoded<PutResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { created: r.u8('created') === 1, putTimeMs: r.u64('putTimeMs') };
    r.end('put result');
    return res;
  });
}

export function encodeDeleteResult(res: DeleteResult): Uint8Array {
  return new Writer(12).u32(res.deleted).u64(res.freedBytes).finish();
}

export function decodeDeleteResult(bytes: Uint8Array): Decoded<DeleteResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const res = { deleted: r.u32('deleted'), freedBytes: r.u64('freedBytes') };
    r.end('delete result');
    return res;
  });
}

/** The answer of TouchChunks and StatChunks: one flag per asked hash, in the asked order. */
export function encodePresence(present: boolean[]): Uint8Array {
  const w = new Writer(4 + present.length).u32(present.length);
  for (const p of present) w.u8(p ? 1 : 0);
  return w.finish();
}

export function decodePresenceResult(bytes: Uint8Array): Decoded<boolean[]> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const n = r.u32('count');
    if (n > r.remaining) throw new DecodeError(`count ${n} exceeds the body`);
    const out = Array.from({ length: n }, () => r.u8('present') === 1);
    r.end('presence result');
    return out;
  });
}

/** GetChunk's body is the chunk itself (a view into `bytes`). */
export function decodeChunkResult(bytes: Uint8Array): Decoded<Uint8Array> {
  return decodeResultWith(bytes, (body) => body);
}

// ListChunks result: u32 n | n × (hash | u32 size | u64 putTimeMs) | u8 hasNext | [hash]
export function encodeListResult(res: ListResult): Uint8Array {
  const w = new Writer(5 + (HASH_BYTES + 12) * res.chunks.length + HASH_BYTES).u32(res.chunks.length);
  for (const c of res.chunks) w.raw(c.hash).u32(c.size).u64(c.putTimeMs);
  w.u8(res.next === undefined ? 0 : 1);
  if (res.next !== undefined) w.raw(res.next);
  return w.finish();
}

export function decodeListResult(bytes: Uint8Array): Decoded<ListResult> {
  return decodeResultWith(bytes, (body) => {
    const r = new Reader(body);
    const n = r.u32('count');
    if (n * (HASH_BYTES + 12) > r.remaining) throw new DecodeError(`count ${n} exceeds the body`);
    const chunks = Array.from({ length: n }, () => ({ hash: r.raw(HASH_BYTES, 'hash'), size: r.u32('size'), putTimeMs: r.u64('putTimeMs') }));
    const res: ListResult = r.u8('hasNext') === 1 ? { chunks, next: r.raw(HASH_BYTES, 'next') } : { chunks };
    r.end('list result');
    return res;
  });
}
