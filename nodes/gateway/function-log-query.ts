// Querying a function's logs by time: `GET /_stratus/logs?function=NAME&start=ms&end=ms&limit=N`.
// Each invocation's log text is one record of the function's log (`lambda.<name>`, written by
// nodes/scheduler/function-logs.ts): key = request id, value = the text (START … REPORT), and the
// record's timestamp is the leader's clock when the batch holding it was appended (at most a
// flush interval after the invocation ended). Timestamps never go back within a log, so the
// first record at or after `start` is found by binary search over offsets, then records are read
// forward until `end` or `limit`.
//
// Answer: NDJSON, one `{"timestamp","requestId","message"}` object per line, oldest first. When
// `limit` cut the answer short, the `x-stratus-next-offset` header says where to go on
// (`&offset=` resumes there; `start` is then ignored).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type ErrorResult } from '../../storage/partitions/envelope.js';
import { type LogRecordView, decodeInfoResult, decodeReadResult, encodeLogQuery } from '../../storage/partitions/log-codec.js';
import { type ClusterClient, UnavailableError } from '../cluster/client.js';
import { type Placement } from '../cluster/placement.js';
import { functionLogName } from '../scheduler/function-logs.js';

export interface LogQueryDeps {
  client: Pick<ClusterClient, 'read'>;
  placement: Pick<Placement, 'log'>;
}

export interface FunctionLogEvent {
  /** Milliseconds since the epoch: when the record was stored. */
  timestamp: number;
  requestId: string;
  message: string;
}

export interface FunctionLogQuery {
  functionName: string;
  /** Inclusive, ms since the epoch. */
  startMs?: number;
  /** Inclusive, ms since the epoch. */
  endMs?: number;
  /** Default 100, at most 10,000. */
  limit?: number;
  /** Resume at this offset (from a previous answer's nextOffset) instead of searching for startMs. */
  fromOffset?: number;
}

export interface FunctionLogPage {
  events: FunctionLogEvent[];
  /** Set when `limit` stopped the read before `end` or the end of the log. */
  nextOffset?: number;
}

export const DEFAULT_LOG_LIMIT = 100;
export const MAX_LOG_LIMIT = 10_000;
const READ_BYTES = 4 * 1024 * 1024;

export class LogQueryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The first offset in [first, next) whose record's timestamp is ≥ startMs (next if none), given
 * `timestampAt(offset)` (undefined: the record is gone, trimmed; it counts as older). Timestamps
 * must not decrease with offsets, which the log kind guarantees.
 */
export async function firstOffsetAtOrAfter(first: number, next: number, startMs: number, timestampAt: (offset: number) => Promise<number | undefined>): Promise<number> {
  let lo = first;
  let hi = next;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const ts = await timestampAt(mid);
    if (ts === undefined || ts < startMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function fail(r: ErrorResult): never {
  if (r.code === 'NotFound') throw new LogQueryError(404, r.message);
  if (r.code === 'InvalidArgument') throw new LogQueryError(400, r.message);
  throw new LogQueryError(500, `${r.code}: ${r.message}`);
}

export async function queryFunctionLogs(deps: LogQueryDeps, q: FunctionLogQuery): Promise<FunctionLogPage> {
  const limit = q.limit ?? DEFAULT_LOG_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) throw new LogQueryError(400, `limit: must be 1-${MAX_LOG_LIMIT}, got ${limit}`);
  const entry = await deps.placement.log(functionLogName(q.functionName));
  // Function logs have one partition (function-logs.ts).
  const group = entry?.groupIds[0];
  if (group === undefined) throw new LogQueryError(404, `function ${q.functionName} has no logs (no such function?)`);
  const read = async (fromOffset: number, maxRecords: number) => {
    const r = decodeReadResult(await deps.client.read(group, encodeLogQuery({ type: 'read', fromOffset, maxRecords, maxBytes: READ_BYTES })));
    return r;
  };
  const info = decodeInfoResult(await deps.client.read(group, encodeLogQuery({ type: 'info' })));
  if (!info.ok) fail(info);
  const { firstOffset, nextOffset } = info.value;
  const startMs = q.startMs ?? 0;
  const endMs = q.endMs ?? Number.MAX_SAFE_INTEGER;
  let from: number;
  if (q.fromOffset !== undefined) from = Math.min(Math.max(q.fromOffset, firstOffset), nextOffset);
  else if (info.value.firstTimestampMs === null || startMs <= info.value.firstTimestampMs) from = firstOffset;
  else if (startMs > info.value.lastTimestampMs) from = nextOffset;
  else {
    from = await firstOffsetAtOrAfter(firstOffset, nextOffset, startMs, async (offset) => {
      const r = await read(offset, 1);
      return r.ok ? r.value.records[0]?.timestampMs : undefined;
    });
  }
  const events: FunctionLogEvent[] = [];
  for (;;) {
    if (from >= nextOffset) return { events };
    let r = await read(from, Math.min(1000, limit - events.length + 1));
    // Trimmed meanwhile: go on from the first record still there.
    if (!r.ok && r.code === 'OutOfRange') {
      const again = decodeInfoResult(await deps.client.read(group, encodeLogQuery({ type: 'info' })));
      if (!again.ok) fail(again);
      from = Math.max(from, again.value.firstOffset);
      r = await read(from, Math.min(1000, limit - events.length + 1));
    }
    if (!r.ok) fail(r);
    if (r.value.records.length === 0) return { events };
    for (const rec of r.value.records) {
      if (rec.timestampMs > endMs) return { events };
      if (rec.timestampMs < startMs) continue; // only possible when resuming at an offset
      if (events.length === limit) return { events, nextOffset: rec.offset };
      events.push(toEvent(rec));
    }
    from = r.value.nextOffset;
  }
}

function toEvent(rec: LogRecordView): FunctionLogEvent {
  return { timestamp: rec.timestampMs, requestId: Buffer.from(rec.key).toString('utf8'), message: Buffer.from(rec.value).toString('utf8') };
}

/** Milliseconds since the epoch, or an ISO 8601 time. */
export function parseTime(v: string, what: string): number {
  if (/^\d{1,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new LogQueryError(400, `${what}: expected milliseconds since the epoch or an ISO 8601 time, got '${v}'`);
  return t;
}

function parseQuery(url: URL): FunctionLogQuery {
  const p = url.searchParams;
  const functionName = p.get('function') ?? '';
  if (functionName === '') throw new LogQueryError(400, 'function: the function name is required (?function=NAME)');
  const q: FunctionLogQuery = { functionName };
  const start = p.get('start');
  const end = p.get('end');
  const limit = p.get('limit');
  const offset = p.get('offset');
  if (start !== null) q.startMs = parseTime(start, 'start');
  if (end !== null) q.endMs = parseTime(end, 'end');
  if (limit !== null) {
    if (!/^\d{1,6}$/.test(limit)) throw new LogQueryError(400, `limit: must be 1-${MAX_LOG_LIMIT}, got '${limit}'`);
    q.limit = Number(limit);
  }
  if (offset !== null) {
    if (!/^\d{1,16}$/.test(offset)) throw new LogQueryError(400, `offset: expected a record offset, got '${offset}'`);
    q.fromOffset = Number(offset);
  }
  if (q.startMs !== undefined && q.endMs !== undefined && q.endMs < q.startMs) throw new LogQueryError(400, 'end: must not be before start');
  return q;
}

/**
 * Answers `GET /_stratus/logs` (see the file comment); false for any other path. The answer is
 * written asynchronously; the return value only says whether the request was taken.
 */
export function handleLogsHttp(deps: LogQueryDeps, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (url.pathname !== '/_stratus/logs') return false;
  const error = (status: number, message: string, headers: Record<string, string> = {}): void => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ message }));
  };
  if (req.method !== 'GET') {
    error(405, `${req.method ?? ''} is not allowed on /_stratus/logs`, { allow: 'GET' });
    return true;
  }
  let q: FunctionLogQuery;
  try {
    q = parseQuery(url);
  } catch (err) {
    error(err instanceof LogQueryError ? err.status : 400, err instanceof Error ? err.message : String(err));
    return true;
  }
  queryFunctionLogs(deps, q).then(
    (page) => {
      const body = page.events.map((e) => JSON.stringify(e) + '\n').join('');
      res.writeHead(200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        ...(page.nextOffset !== undefined ? { 'x-stratus-next-offset': String(page.nextOffset) } : {}),
      });
      res.end(body);
    },
    (err: unknown) => {
      if (err instanceof LogQueryError) error(err.status, err.message);
      else if (err instanceof UnavailableError) error(503, err.message, { 'retry-after': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) });
      else error(500, err instanceof Error ? err.message : String(err));
    },
  );
  return true;
}
