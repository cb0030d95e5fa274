import { DecodeError, Reader, Writer, fromUtf8, utf8 } from './codec.js';

/**
 * The envelope every proposal to a partition group carries, and the result envelope apply()
 * hands back. Both are versioned binary formats; enums and the error-code list only grow at the
 * end, never renumber, because encoded commands live in Raft logs and results in the dedup table.
 *
 * Command, version 1:
 *   u8 version(1) | u8 op | u8 clientIdLen | clientId utf8 | u64 seq | u64 lowestUnacked |
 *   u64 timestampMs | body…
 * Result, version 1:
 *   u8 version(1) | u8 status(0 ok) | body…
 *   u8 version(1) | u8 status(1 err) | u8 code | message utf8…
 */

export const COMMAND_VERSION = 1;
export const RESULT_VERSION = 1;
export const MAX_CLIENT_ID_BYTES = 64;

export interface Command {
  /** Identifies the proposer for exactly-once application (see dedup.ts); 1–64 bytes of UTF-8. */
  clientId: string;
  /** Per-client sequence number, a positive safe integer. */
  seq: number;
  /**
   * The client's lowest seq still waiting for an answer (this one included): every lower seq
   * was answered, so the state machine may forget those results (dedup.ts). 0 means the client
   * does not track this, and a fixed window of recent seqs is remembered instead.
   */
  lowestUnacked?: number;
  /** Stamped by the proposer/leader: the only clock apply() ever sees. */
  timestampMs: number;
  /** Operation code, defined per partition kind. */
  op: number;
  body: Uint8Array;
}

/** What a kind's command helpers produce; the proposer adds clientId, seq and timestampMs. */
export interface CommandPayload {
  op: number;
  body: Uint8Array;
}

/** A command or query that cannot be decoded. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Wire order of the codes: append only. */
export const ERROR_CODES = [
  'NotFound',
  'AlreadyExists',
  'InvalidArgument',
  'SequenceTooOld',
  'OutOfRange',
  'FailedPrecondition',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorResult {
  ok: false;
  code: ErrorCode;
  message: string;
}
export type CommandResult = { ok: true; body: Uint8Array } | ErrorResult;
/** A result whose body a kind-specific helper has decoded. */
export type Decoded<T> = { ok: true; value: T } | ErrorResult;

function checkClientId(clientId: string): Uint8Array {
  const b = utf8(clientId);
  if (b.length === 0 || b.length > MAX_CLIENT_ID_BYTES) {
    throw new CommandError(`clientId must be 1-${MAX_CLIENT_ID_BYTES} bytes of UTF-8, got ${b.length}`);
  }
  return b;
}

function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new CommandError(`seq must be a positive safe integer, got ${seq}`);
}

function checkTimestamp(ts: number): void {
  if (!Number.isSafeInteger(ts) || ts < 0) {
    throw new CommandError(`timestampMs must be a non-negative safe integer, got ${ts}`);
  }
}

function checkOp(op: number): void {
  if (!Number.isInteger(op) || op < 0 || op > 0xff) throw new CommandError(`op must be a u8, got ${op}`);
}

export function encodeCommand(cmd: Command): Uint8Array {
  const id = checkClientId(cmd.clientId);
  checkSeq(cmd.seq);
  checkTimestamp(cmd.timestampMs);
  checkOp(cmd.op);
  const lowest = cmd.lowestUnacked ?? 0;
  if (!Number.isSafeInteger(lowest) || lowest < 0 || lowest > cmd.seq) {
    throw new CommandError(`lowestUnacked must be 0 or in 1..seq (${cmd.seq}), got ${lowest}`);
  }
  return new Writer(28 + id.length + cmd.body.length)
    .u8(COMMAND_VERSION)
    .u8(cmd.op)
    .u8(id.length)
    .raw(id)
    .u64(cmd.seq)
    .u64(lowest)
    .u64(cmd.timestampMs)
    .raw(cmd.body)
    .finish();
}

/** Validates everything the envelope promises; the body is a view into `bytes`. */
export function decodeCommand(bytes: Uint8Array): Command {
  try {
    const r = new Reader(bytes);
    const version = r.u8('version');
    if (version !== COMMAND_VERSION) throw new CommandError(`unsupported command version ${version}`);
    const op = r.u8('op');
    const idLen = r.u8('clientId length');
    if (idLen === 0 || idLen > MAX_CLIENT_ID_BYTES) {
      throw new CommandError(`clientId must be 1-${MAX_CLIENT_ID_BYTES} bytes, got ${idLen}`);
    }
    const clientId = fromUtf8(r.raw(idLen, 'clientId'));
    const seq = r.u64('seq');
    checkSeq(seq);
    const lowestUnacked = r.u64('lowestUnacked');
    if (lowestUnacked > seq) throw new CommandError(`lowestUnacked ${lowestUnacked} is above seq ${seq}`);
    const timestampMs = r.u64('timestampMs');
    return { clientId, seq, lowestUnacked, timestampMs, op, body: r.rest() };
  } catch (e) {
    if (e instanceof CommandError) throw e;
    if (e instanceof DecodeError) throw new CommandError(`malformed command: ${e.message}`);
    if (e instanceof TypeError) throw new CommandError('malformed command: clientId is not valid UTF-8');
    throw e;
  }
}

/**
 * Returns a copy of an encoded command with its timestampMs replaced: the leader stamps its own
 * clock on every proposal so that apply never sees a client's clock. Validates the whole
 * envelope first and throws CommandError if it is malformed, so garbage never enters the log.
 */
export function restampCommand(bytes: Uint8Array, timestampMs: number): Uint8Array {
  checkTimestamp(timestampMs);
  const cmd = decodeCommand(bytes);
  const out = bytes.slice();
  const tsAt = 3 + utf8(cmd.clientId).length + 16;
  out.set(new Writer(8).u64(timestampMs).finish(), tsAt);
  return out;
}

export function encodeResult(result: CommandResult): Uint8Array {
  const w = new Writer(16).u8(RESULT_VERSION);
  if (result.ok) return w.u8(0).raw(result.body).finish();
  const code = ERROR_CODES.indexOf(result.code);
  if (code < 0) throw new CommandError(`unknown error code ${String(result.code)}`);
  return w.u8(1).u8(code).raw(utf8(result.message)).finish();
}

export function decodeResult(bytes: Uint8Array): CommandResult {
  try {
    const r = new Reader(bytes);
    const version = r.u8('version');
    if (version !== RESULT_VERSION) throw new CommandError(`unsupported result version ${version}`);
    const status = r.u8('status');
    if (status === 0) return { ok: true, body: r.rest() };
    if (status !== 1) throw new CommandError(`unknown result status ${status}`);
    const codeIndex = r.u8('code');
    const code = ERROR_CODES[codeIndex];
    if (code === undefined) throw new CommandError(`unknown error code ${codeIndex}`);
    return { ok: false, code, message: fromUtf8(r.rest()) };
  } catch (e) {
    if (e instanceof CommandError) throw e;
    if (e instanceof DecodeError) throw new CommandError(`malformed result: ${e.message}`);
    if (e instanceof TypeError) throw new CommandError('malformed result: message is not valid UTF-8');
    throw e;
  }
}

export function okResult(body: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeResult({ ok: true, body });
}

export function errorResult(code: ErrorCode, message: string): Uint8Array {
  return encodeResult({ ok: false, code, message });
}

/** Decodes a result envelope and, when ok, its body with the kind-specific decoder. */
export function decodeResultWith<T>(bytes: Uint8Array, decodeBody: (body: Uint8Array) => T): Decoded<T> {
  const res = decodeResult(bytes);
  if (!res.ok) return res;
  try {
    return { ok: true, value: decodeBody(res.body) };
  } catch (e) {
    if (e instanceof DecodeError) throw new CommandError(`malformed result body: ${e.message}`);
    throw e;
  }
}

/**
 * Queries (reads) carry no envelope identity: they are not in the log and need no dedup.
 *   u8 version(1) | u8 op | body…
 */
export const QUERY_VERSION = 1;

export interface Query {
  op: number;
  body: Uint8Array;
}

export function encodeQuery(q: Query): Uint8Array {
  checkOp(q.op);
  return new Writer(2 + q.body.length).u8(QUERY_VERSION).u8(q.op).raw(q.body).finish();
}

export function decodeQuery(bytes: Uint8Array): Query {
  if (bytes.length < 2) throw new CommandError('malformed query: shorter than its header');
  if (bytes[0] !== QUERY_VERSION) throw new CommandError(`unsupported query version ${String(bytes[0])}`);
  return { op: bytes[1] as number, body: bytes.subarray(2) };
}
