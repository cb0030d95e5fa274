// The trace query API over HTTP JSON, on the gateway's HTTP port:
//   GET /_stratus/traces?start=&end=&service=&name=&status=&minDurationMs=&maxDurationMs=&limit=&nextToken=
//   GET /_stratus/traces/{traceId}      (32 hex digits, or the X-Ray form 1-xxxxxxxx-yyyy…)
//   GET /_stratus/service-map?start=&end=
// Times are ms since the epoch (or ISO 8601). Bad parameters answer 400 `{error, message,
// parameter}`, an unknown trace 404. It answers from this process's TraceStore only (see
// trace-store.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type TraceStore, type TraceSummaryFilter, TraceQueryError, parseTraceId } from './trace-store.js';

const TRACES = '/_stratus/traces';
const SERVICE_MAP = '/_stratus/service-map';
const MAX_STRING = 256;

/** Filter keys as the HTTP API names them. */
const PARAM_OF: Record<string, string> = { startMs: 'start', endMs: 'end' };

class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(`${parameter}: ${reason}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** The query's parameters, each at most once, none unknown. */
function params(url: URL, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    if (!allowed.includes(k)) throw new BadParameter(k, `unknown parameter (allowed: ${allowed.join(', ')})`);
    if (out.has(k)) throw new BadParameter(k, 'given more than once');
    out.set(k, v);
  }
  return out;
}

function time(p: Map<string, string>, k: string): number | undefined {
  const v = p.get(k);
  if (v === undefined || v === '') return undefined;
  const n = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new BadParameter(k, `must be ms since the epoch or an ISO 8601 time, got '${v}'`);
  return n;
}

function duration(p: Map<string, string>, k: string): number | undefined {
  const v = p.get(k);
  if (v === undefined || v === '') return undefined;
  if (!/^\d+(\.\d+)?$/.test(v)) throw new BadParameter(k, `must be a number of ms, 0 or more, got '${v}'`);
  return Number(v);
}

function text(p: Map<string, string>, k: string): string | undefined {
  const v = p.get(k);
  if (v === undefined || v === '') return undefined;
  if (v.length > MAX_STRING) throw new BadParameter(k, `at most ${MAX_STRING} characters`);
  return v;
}

function summaryFilter(url: URL): TraceSummaryFilter {
  const p = params(url, ['start', 'end', 'service', 'name', 'status', 'minDurationMs', 'maxDurationMs', 'limit', 'nextToken']);
  const status = p.get('status');
  if (status !== undefined && status !== '' && status !== 'ok' && status !== 'error') throw new BadParameter('status', `must be 'ok' or 'error', got '${status}'`);
  const limit = p.get('limit');
  if (limit !== undefined && limit !== '' && !/^\d{1,7}$/.test(limit)) throw new BadParameter('limit', `must be an integer 1-1000, got '${limit}'`);
  const f: TraceSummaryFilter = {};
  const startMs = time(p, 'start');
  const endMs = time(p, 'end');
  const service = text(p, 'service');
  const name = text(p, 'name');
  const minDurationMs = duration(p, 'minDurationMs');
  const maxDurationMs = duration(p, 'maxDurationMs');
  const nextToken = text(p, 'nextToken');
  if (startMs !== undefined) f.startMs = startMs;
  if (endMs !== undefined) f.endMs = endMs;
  if (service !== undefined) f.service = service;
  if (name !== undefined) f.name = name;
  if (status === 'ok' || status === 'error') f.status = status;
  if (minDurationMs !== undefined) f.minDurationMs = minDurationMs;
  if (maxDurationMs !== undefined) f.maxDurationMs = maxDurationMs;
  if (limit !== undefined && limit !== '') f.limit = Number(limit);
  if (nextToken !== undefined) f.nextToken = nextToken;
  return f;
}

/**
 * Answers the trace query endpoints from `store`; returns false (and touches nothing) for any
 * other path, so it can sit in front of other handlers.
 */
export function handleTracesHttp(store: TraceStore, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  const isList = path === TRACES;
  const isMap = path === SERVICE_MAP;
  const isOne = path.startsWith(`${TRACES}/`) && !path.slice(TRACES.length + 1).includes('/');
  if (!isList && !isMap && !isOne) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: 'MethodNotAllowed', message: `${req.method ?? '?'} ${path}: only GET is supported` }, { allow: 'GET, HEAD' });
    return true;
  }
  try {
    if (isList) {
      send(res, 200, store.summaries(summaryFilter(url)));
    } else if (isMap) {
      const p = params(url, ['start', 'end']);
      const startMs = time(p, 'start');
      const endMs = time(p, 'end');
      const map = store.serviceMap({ ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}) });
      send(res, 200, { ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}), ...map });
    } else {
      params(url, []);
      let raw: string;
      try {
        raw = decodeURIComponent(path.slice(TRACES.length + 1));
      } catch {
        raw = path.slice(TRACES.length + 1);
      }
      const id = parseTraceId(raw);
      if (id === undefined) throw new BadParameter('traceId', `must be 32 hex digits or an X-Ray trace id (1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy), got '${raw.slice(0, 80)}'`);
      const summary = store.summary(id);
      const spans = store.trace(id);
      if (!summary || !spans) {
        send(res, 404, { error: 'TraceNotFound', message: `trace ${id} is not in this node's trace store (unknown, not sampled, or evicted)`, traceId: id });
      } else {
        send(res, 200, { summary, spans });
      }
    }
  } catch (err) {
    if (err instanceof BadParameter) {
      send(res, 400, { error: 'InvalidParameter', message: err.message, parameter: err.parameter });
    } else if (err instanceof TraceQueryError) {
      const parameter = PARAM_OF[err.parameter] ?? err.parameter;
      send(res, 400, { error: 'InvalidParameter', message: `${parameter}: ${err.reason.replace(/\b(startMs|endMs)\b/g, (m) => PARAM_OF[m] ?? m)}`, parameter });
    } else {
      send(res, 500, { error: 'InternalError', message: err instanceof Error ? err.message : String(err) });
    }
  }
  return true;
}
