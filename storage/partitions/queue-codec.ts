import { DecodeError, Reader, Writer } from './codec.js';
import { type CommandPayload, encodeQuery } from './envelope.js';
import { F_DEDUP, F_GROUP, F_SOURCE, F_TRACE, readBool, readCount, readStr, writeStr } from './queue-results.js';

export * from './queue-results.js';

/** Command ops of the `queue` kind. Wire values: append only, never renumber. */
export enum QueueOp {
  Send = 1,
  Receive = 2,
  Delete = 3,
  ChangeVisibility = 4,
  Purge = 5,
  Expire = 6,
  AckDead = 7,
}

/** Query ops of the `queue` kind. */
export enum QueueQueryOp {
  Stats = 1,
  Get = 2,
  Dead = 3,
}

export const MAX_BATCH = 10;
/**
 * Messages one send command may carry. SQS's API allows 10 per request (the actions check that);
 * SNS fan-out batches more into one proposal, which is what keeps a backlog's cost per message low.
 */
export const MAX_SEND_BATCH = 100;
export const MAX_DELAY_MS = 900_000;
export const MAX_VISIBILITY_MS = 43_200_000;
export const MIN_RETENTION_MS = 60_000;
export const MAX_RETENTION_MS = 1_209_600_000;
export const MAX_RECEIVE_COUNT = 1000;
/** FIFO deduplication and receive-attempt window. */
export const DEDUP_WINDOW_MS = 300_000;
/**
 * Body plus attributes of one message: a sanity bound, the gateway enforces SQS's own limit. The
 * headroom over 1 MiB lets a function's async-invoke queue carry a 1 MB event plus its envelope.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024 + 64 * 1024;
export const MAX_SENDER_ID_CHARS = 256;
export const MAX_TRACE_HEADER_CHARS = 4096;
/** A queue name: SQS allows 1-80 characters. */
export const MAX_SOURCE_NAME_CHARS = 80;
export const MAX_DEAD_QUERY = 100;
export const MAX_ACK_DEAD = 1000;

/** Message, group, deduplication and attempt ids: SQS allows 1-128 printable ASCII characters. */
const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
const MD5_PATTERN = /^[0-9a-fA-F]{32}$/;

export type DedupScope = 'queue' | 'messageGroup';
const SCOPES: readonly (DedupScope | undefined)[] = [undefined, 'queue', 'messageGroup'];

export interface SendItem {
  /** Chosen by the caller (a UUID); not checked for uniqueness. */
  id: string;
  body: Uint8Array;
  /** Opaque: stored and returned byte for byte. */
  attributes: Uint8Array;
  md5OfBody: string;
  /** '' when the message has no attributes. */
  md5OfAttributes: string;
  delayMs: number;
  groupId?: string;
  dedupId?: string;
  /** Default 'queue'. */
  dedupScope?: DedupScope;
  senderId: string;
  traceHeader?: string;
  /** Keeps a message's original time when it is moved to a dead-letter queue. */
  sentTimestamp?: number;
  /**
   * The queue (by name) a dead-letter move took the message from: ReceiveMessage shows it as
   * DeadLetterQueueSourceArn, and a redrive without a destination sends the message back there.
   */
  deadLetterSource?: string;
}

export interface ReceiptRef {
  seq: number;
  receiveCount: number;
}

export interface VisibilityChange extends ReceiptRef {
  visibilityTimeoutMs: number;
}

export type QueueCommand =
  | {
      type: 'send';
      fifo: boolean;
      messages: SendItem[];
      /**
       * Set by decodeQueueCommand (encoders ignore it): each item's bytes as they arrived, which
       * the state machine stores verbatim instead of encoding the message again.
       */
      encoded?: Uint8Array[];
    }
  | {
      type: 'receive';
      fifo: boolean;
      max: number;
      visibilityTimeoutMs: number;
      /** 0: no redrive. */
      maxReceiveCount: number;
      retentionMs: number;
      attemptId?: string;
    }
  | { type: 'delete'; entries: ReceiptRef[] }
  | { type: 'changeVisibility'; entries: VisibilityChange[] }
  | { type: 'purge' }
  | { type: 'expire'; retentionMs: number }
  | { type: 'ackDead'; seqs: number[] };

export type QueueQuery =
  | { type: 'stats'; now: number; retentionMs: number; fifo: boolean }
  | { type: 'get'; seqs: number[] }
  | { type: 'dead'; max: number };

function inRange(v: number, lo: number, hi: number): boolean {
  return Number.isSafeInteger(v) && v >= lo && v <= hi;
}

/** Send items only: the stored record always carries its sent time. */
const F_SENT = 8;
const KNOWN_SEND_FLAGS = F_GROUP | F_DEDUP | F_TRACE | F_SENT | F_SOURCE;

// --- commands --------------------------------------------------------------------------------

// Send body: u8 fifo | u32 n | n × (str id | bytes body | bytes attributes | str md5OfBody |
//   str md5OfAttributes | u64 delayMs | u8 flags | u8 scope | str senderId | [str groupId] |
//   [str dedupId] | [str traceHeader] | [u64 sentTimestamp] | [str deadLetterSource])
// Optional fields are appended in flag-bit order, so items written before a flag existed read
// unchanged.
export function writeSendItem(w: Writer, m: SendItem): Writer {
  const flags =
    (m.groupId !== undefined ? F_GROUP : 0) |
    (m.dedupId !== undefined ? F_DEDUP : 0) |
    (m.traceHeader !== undefined ? F_TRACE : 0) |
    (m.sentTimestamp !== undefined ? F_SENT : 0) |
    (m.deadLetterSource !== undefined ? F_SOURCE : 0);
  writeStr(w, m.id).bytes(m.body).bytes(m.attributes);
  writeStr(w, m.md5OfBody);
  writeStr(w, m.md5OfAttributes);
  w.u64(m.delayMs).u8(flags).u8(SCOPES.indexOf(m.dedupScope));
  writeStr(w, m.senderId);
  if (m.groupId !== undefined) writeStr(w, m.groupId);
  if (m.dedupId !== undefined) writeStr(w, m.dedupId);
  if (m.traceHeader !== undefined) writeStr(w, m.traceHeader);
  if (m.sentTimestamp !== undefined) w.u64(m.sentTimestamp);
  if (m.deadLetterSource !== undefined) writeStr(w, m.deadLetterSource);
  return w;
}

/** Also decodes stored message records, which embed the send item (queue.ts). */
export function readSendItem(r: Reader): SendItem {
  const id = readStr(r, 'id');
  const body = r.bytes('body');
  const attributes = r.bytes('attributes');
  const md5OfBody = readStr(r, 'md5OfBody');
  const md5OfAttributes = readStr(r, 'md5OfAttributes');
  const delayMs = r.u64('delayMs');
  const flags = r.u8('flags');
  if ((flags & ~KNOWN_SEND_FLAGS) !== 0) throw new DecodeError(`unknown send flags ${flags}`);
  const scope = r.u8('dedupScope');
  if (scope >= SCOPES.length) throw new DecodeError(`unknown dedupScope ${scope}`);
  const item: SendItem = { id, body, attributes, md5OfBody, md5OfAttributes, delayMs, senderId: readStr(r, 'senderId') };
  if ((flags & F_GROUP) !== 0) item.groupId = readStr(r, 'groupId');
  if ((flags & F_DEDUP) !== 0) item.dedupId = readStr(r, 'dedupId');
  const dedupScope = SCOPES[scope];
  if (dedupScope !== undefined) item.dedupScope = dedupScope;
  if ((flags & F_TRACE) !== 0) item.traceHeader = readStr(r, 'traceHeader');
  if ((flags & F_SENT) !== 0) item.sentTimestamp = r.u64('sentTimestamp');
  if ((flags & F_SOURCE) !== 0) item.deadLetterSource = readStr(r, 'deadLetterSource');
  return item;
}

export function encodeQueueCommand(cmd: QueueCommand): CommandPayload {
  const w = new Writer(64);
  switch (cmd.type) {
    case 'send':
      w.u8(cmd.fifo ? 1 : 0).u32(cmd.messages.length);
      for (const m of cmd.messages) writeSendItem(w, m);
      return { op: QueueOp.Send, body: w.finish() };
    case 'receive':
      w.u8(cmd.fifo ? 1 : 0).u32(cmd.max).u64(cmd.visibilityTimeoutMs).u32(cmd.maxReceiveCount).u64(cmd.retentionMs);
      w.u8(cmd.attemptId === undefined ? 0 : 1);
      if (cmd.attemptId !== undefined) writeStr(w, cmd.attemptId);
      return { op: QueueOp.Receive, body: w.finish() };
    case 'delete':
      w.u32(cmd.entries.length);
      for (const e of cmd.entries) w.u64(e.seq).u32(e.receiveCount);
      return { op: QueueOp.Delete, body: w.finish() };
    case 'changeVisibility':
      w.u32(cmd.entries.length);
      for (const e of cmd.entries) w.u64(e.seq).u32(e.receiveCount).u64(e.visibilityTimeoutMs);
      return { op: QueueOp.ChangeVisibility, body: w.finish() };
    case 'purge':
      return { op: QueueOp.Purge, body: w.finish() };
    case 'expire':
      return { op: QueueOp.Expire, body: w.u64(cmd.retentionMs).finish() };
    case 'ackDead':
      w.u32(cmd.seqs.length);
      for (const s of cmd.seqs) w.u64(s);
      return { op: QueueOp.AckDead, body: w.finish() };
  }
}

/** Decodes a command body (shape only: ranges are checked by validateQueueCommand). */
export function decodeQueueCommand(op: number, body: Uint8Array): QueueCommand {
  const r = new Reader(body);
  let cmd: QueueCommand;
  switch (op) {
    case QueueOp.Send: {
      const fifo = readBool(r, 'fifo');
      const n = readCount(r, 34, 'message');
      const messages: SendItem[] = [];
      const encoded: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const start = body.length - r.remaining;
        messages.push(readSendItem(r));
        encoded.push(body.subarray(start, body.length - r.remaining));
      }
      cmd = { type: 'send', fifo, messages, encoded };
      break;
    }
    case QueueOp.Receive: {
      const fifo = readBool(r, 'fifo');
      const max = r.u32('max');
      const visibilityTimeoutMs = r.u64('visibilityTimeoutMs');
      const maxReceiveCount = r.u32('maxReceiveCount');
      const retentionMs = r.u64('retentionMs');
      cmd = { type: 'receive', fifo, max, visibilityTimeoutMs, maxReceiveCount, retentionMs };
      if (readBool(r, 'has attemptId')) cmd.attemptId = readStr(r, 'attemptId');
      break;
    }
    case QueueOp.Delete: {
      const n = readCount(r, 12, 'entry');
      const entries: ReceiptRef[] = [];
      for (let i = 0; i < n; i++) entries.push({ seq: r.u64('seq'), receiveCount: r.u32('receiveCount') });
      cmd = { type: 'delete', entries };
      break;
    }
    case QueueOp.ChangeVisibility: {
      const n = readCount(r, 20, 'entry');
      const entries: VisibilityChange[] = [];
      for (let i = 0; i < n; i++) {
        entries.push({ seq: r.u64('seq'), receiveCount: r.u32('receiveCount'), visibilityTimeoutMs: r.u64('visibilityTimeoutMs') });
      }
      cmd = { type: 'changeVisibility', entries };
      break;
    }
    case QueueOp.Purge:
      cmd = { type: 'purge' };
      break;
    case QueueOp.Expire:
      cmd = { type: 'expire', retentionMs: r.u64('retentionMs') };
      break;
    case QueueOp.AckDead: {
      const n = readCount(r, 8, 'seq');
      const seqs: number[] = [];
      for (let i = 0; i < n; i++) seqs.push(r.u64('seq'));
      cmd = { type: 'ackDead', seqs };
      break;
    }
    default:
      throw new DecodeError(`unknown queue op ${op}`);
  }
  r.end('queue command');
  return cmd;
}

function checkBatch(n: number, max: number, what: string): string | undefined {
  return n >= 1 && n <= max ? undefined : `${what} must have 1-${max} entries, got ${n}`;
}

function checkId(v: string | undefined, what: string, i: number): string | undefined {
  if (v === undefined || ID_PATTERN.test(v)) return undefined;
  return `message ${i}: ${what} must be 1-128 printable ASCII characters`;
}

function checkSendItem(m: SendItem, i: number, fifo: boolean): string | undefined {
  const bad = checkId(m.id, 'id', i) ?? checkId(m.groupId, 'groupId', i) ?? checkId(m.dedupId, 'dedupId', i);
  if (bad !== undefined) return bad;
  if (m.body.length + m.attributes.length > MAX_MESSAGE_BYTES) {
    return `message ${i}: body and attributes are ${m.body.length + m.attributes.length} bytes, at most ${MAX_MESSAGE_BYTES} allowed`;
  }
  if (!MD5_PATTERN.test(m.md5OfBody)) return `message ${i}: md5OfBody must be 32 hex digits`;
  if (m.md5OfAttributes !== '' && !MD5_PATTERN.test(m.md5OfAttributes)) {
    return `message ${i}: md5OfAttributes must be empty or 32 hex digits`;
  }
  if (!inRange(m.delayMs, 0, MAX_DELAY_MS)) return `message ${i}: delayMs must be 0-${MAX_DELAY_MS}, got ${m.delayMs}`;
  if (fifo && m.groupId === undefined) return `message ${i}: a FIFO message needs a groupId`;
  if (m.senderId.length > MAX_SENDER_ID_CHARS) return `message ${i}: senderId is longer than ${MAX_SENDER_ID_CHARS} characters`;
  if (m.traceHeader !== undefined && m.traceHeader.length > MAX_TRACE_HEADER_CHARS) {
    return `message ${i}: traceHeader is longer than ${MAX_TRACE_HEADER_CHARS} characters`;
  }
  if (m.sentTimestamp !== undefined && !inRange(m.sentTimestamp, 0, Number.MAX_SAFE_INTEGER)) {
    return `message ${i}: sentTimestamp must be a non-negative safe integer`;
  }
  if (m.deadLetterSource !== undefined && (m.deadLetterSource.length < 1 || m.deadLetterSource.length > MAX_SOURCE_NAME_CHARS)) {
    return `message ${i}: deadLetterSource must be 1-${MAX_SOURCE_NAME_CHARS} characters`;
  }
  return undefined;
}

function checkRetention(v: number): string | undefined {
  return inRange(v, MIN_RETENTION_MS, MAX_RETENTION_MS) ? undefined : `retentionMs must be ${MIN_RETENTION_MS}-${MAX_RETENTION_MS}, got ${v}`;
}

function checkReceipt(e: ReceiptRef, i: number): string | undefined {
  if (!inRange(e.seq, 1, Number.MAX_SAFE_INTEGER)) return `entry ${i}: seq must be a positive safe integer`;
  if (!inRange(e.receiveCount, 1, 0xffff_ffff)) return `entry ${i}: receiveCount must be at least 1`;
  return undefined;
}

/** Range checks of a decoded command: a readable reason, or undefined when it is valid. */
export function validateQueueCommand(cmd: QueueCommand): string | undefined {
  switch (cmd.type) {
    case 'send': {
      const bad = checkBatch(cmd.messages.length, MAX_SEND_BATCH, 'send');
      if (bad !== undefined) return bad;
      for (let i = 0; i < cmd.messages.length; i++) {
        const why = checkSendItem(cmd.messages[i] as SendItem, i, cmd.fifo);
        if (why !== undefined) return why;
      }
      return undefined;
    }
    case 'receive':
      if (!inRange(cmd.max, 1, MAX_BATCH)) return `max must be 1-${MAX_BATCH}, got ${cmd.max}`;
      if (!inRange(cmd.visibilityTimeoutMs, 0, MAX_VISIBILITY_MS)) {
        return `visibilityTimeoutMs must be 0-${MAX_VISIBILITY_MS}, got ${cmd.visibilityTimeoutMs}`;
      }
      if (!inRange(cmd.maxReceiveCount, 0, MAX_RECEIVE_COUNT)) {
        return `maxReceiveCount must be 0 (no redrive) or 1-${MAX_RECEIVE_COUNT}, got ${cmd.maxReceiveCount}`;
      }
      if (cmd.attemptId !== undefined) {
        if (!cmd.fifo) return 'attemptId is only allowed on FIFO queues';
        if (!ID_PATTERN.test(cmd.attemptId)) return 'attemptId must be 1-128 printable ASCII characters';
      }
      return checkRetention(cmd.retentionMs);
    case 'delete':
    case 'changeVisibility': {
      const bad = checkBatch(cmd.entries.length, MAX_BATCH, cmd.type);
      if (bad !== undefined) return bad;
      for (let i = 0; i < cmd.entries.length; i++) {
        const e = cmd.entries[i] as VisibilityChange | ReceiptRef;
        const why = checkReceipt(e, i);
        if (why !== undefined) return why;
        if ('visibilityTimeoutMs' in e && !inRange(e.visibilityTimeoutMs, 0, MAX_VISIBILITY_MS)) {
          return `entry ${i}: visibilityTimeoutMs must be 0-${MAX_VISIBILITY_MS}, got ${e.visibilityTimeoutMs}`;
        }
      }
      return undefined;
    }
    case 'purge':
      return undefined;
    case 'expire':
      return checkRetention(cmd.retentionMs);
    case 'ackDead': {
      const bad = checkBatch(cmd.seqs.length, MAX_ACK_DEAD, 'ackDead');
      if (bad !== undefined) return bad;
      return cmd.seqs.every((s) => inRange(s, 1, Number.MAX_SAFE_INTEGER)) ? undefined : 'ackDead seqs must be positive safe integers';
    }
  }
}

// --- queries ---------------------------------------------------------------------------------

export function encodeQueueQuery(q: QueueQuery): Uint8Array {
  const w = new Writer(32);
  switch (q.type) {
    case 'stats':
      return encodeQuery({ op: QueueQueryOp.Stats, body: w.u64(q.now).u64(q.retentionMs).u8(q.fifo ? 1 : 0).finish() });
    case 'get':
      w.u32(q.seqs.length);
      for (const s of q.seqs) w.u64(s);
      return encodeQuery({ op: QueueQueryOp.Get, body: w.finish() });
    case 'dead':
      return encodeQuery({ op: QueueQueryOp.Dead, body: w.u32(q.max).finish() });
  }
}

export function decodeQueueQuery(op: number, body: Uint8Array): QueueQuery {
  const r = new Reader(body);
  let q: QueueQuery;
  switch (op) {
    case QueueQueryOp.Stats:
      q = { type: 'stats', now: r.u64('now'), retentionMs: r.u64('retentionMs'), fifo: readBool(r, 'fifo') };
      break;
    case QueueQueryOp.Get: {
      const n = readCount(r, 8, 'seq');
      const seqs: number[] = [];
      for (let i = 0; i < n; i++) seqs.push(r.u64('seq'));
      q = { type: 'get', seqs };
      break;
    }
    case QueueQueryOp.Dead:
      q = { type: 'dead', max: r.u32('max') };
      break;
    default:
      throw new DecodeError(`unknown queue query op ${op}`);
  }
  r.end('queue query');
  return q;
}

export function validateQueueQuery(q: QueueQuery): string | undefined {
  switch (q.type) {
    case 'stats':
      return checkRetention(q.retentionMs);
    case 'get':
      return checkBatch(q.seqs.length, MAX_BATCH, 'get');
    case 'dead':
      return inRange(q.max, 1, MAX_DEAD_QUERY) ? undefined : `max must be 1-${MAX_DEAD_QUERY}, got ${q.max}`;
  }
}
