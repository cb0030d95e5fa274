// The native TraceService (proto/stratus/v1/traces.proto): the trace query API of
// `trace-http.ts` over gRPC, answered from this process's TraceStore. Bad filter values, page
// tokens and trace ids are INVALID_ARGUMENT naming the proto field; a trace not in the store is
// NOT_FOUND.
import * as grpc from '@grpc/grpc-js';
import { services } from '../grpc/protos.js';
import type { SpanRecord } from './span-record.js';
import { type TraceStore, type TraceSummaryFilter, TraceQueryError, parseTraceId } from './trace-store.js';

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (m: string): RpcError => new RpcError(grpc.status.INVALID_ARGUMENT, m);

/** Filter keys as the proto names them. */
const FIELD_OF: Record<string, string> = {
  startMs: 'start_ms',
  endMs: 'end_ms',
  minDurationMs: 'min_duration_ms',
  maxDurationMs: 'max_duration_ms',
  nextToken: 'next_token',
};
const field = (k: string): string => FIELD_OF[k] ?? k;

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) return { code: err.code, details: err.message };
  if (err instanceof TraceQueryError) {
    return { code: grpc.status.INVALID_ARGUMENT, details: `${field(err.parameter)}: ${err.reason.replace(/\b(startMs|endMs|minDurationMs|maxDurationMs)\b/g, field)}` };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

function str(req: Record<string, unknown>, k: string): string {
  const v = req[k];
  return typeof v === 'string' ? v : '';
}

/** A proto3 `optional double`: set only when the client set it. */
function opt(req: Record<string, unknown>, k: string): number | undefined {
  const v = req[k];
  return req[`_${k}`] === k && typeof v === 'number' ? v : undefined;
}

function attributeValue(v: string | number | boolean): Record<string, unknown> {
  return typeof v === 'string' ? { stringValue: v } : typeof v === 'number' ? { numberValue: v } : { boolValue: v };
}

function spanMessage(s: SpanRecord): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.attributes)) attributes[k] = attributeValue(v);
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId ?? '',
    name: s.name,
    kind: s.kind,
    service: s.service,
    node: s.node,
    startMs: s.startMs,
    durationMs: s.durationMs,
    status: s.status,
    statusMessage: s.statusMessage ?? '',
    attributes,
    links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
  };
}

export function traceService(store: TraceStore): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const unary = (body: (req: Record<string, unknown>) => unknown) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const req = (typeof call.request === 'object' && call.request !== null ? call.request : {}) as Record<string, unknown>;
    let result: unknown;
    try {
      result = body(req);
    } catch (err) {
      cb(toStatus(err));
      return;
    }
    cb(null, result);
  };

  const getTraceSummaries = unary((req) => {
    const f: TraceSummaryFilter = {};
    const startMs = opt(req, 'startMs');
    const endMs = opt(req, 'endMs');
    const minDurationMs = opt(req, 'minDurationMs');
    const maxDurationMs = opt(req, 'maxDurationMs');
    if (startMs !== undefined) f.startMs = startMs;
    if (endMs !== undefined) f.endMs = endMs;
    if (minDurationMs !== undefined) f.minDurationMs = minDurationMs;
    if (maxDurationMs !== undefined) f.maxDurationMs = maxDurationMs;
    const service = str(req, 'service');
    const name = str(req, 'name');
    const status = str(req, 'status');
    const nextToken = str(req, 'nextToken');
    if (service) f.service = service;
    if (name) f.name = name;
    if (status === 'ok' || status === 'error') f.status = status;
    else if (status !== '') throw invalid(`status: must be 'ok', 'error' or empty, got '${status}'`);
    const limit = req.limit;
    if (typeof limit === 'number' && limit !== 0) f.limit = limit;
    if (nextToken) f.nextToken = nextToken;
    const page = store.summaries(f);
    // TraceSummary's fields are the proto's (camel-cased) names; httpStatus is absent when unknown.
    return { traces: page.traces, nextToken: page.nextToken ?? '' };
  });

  const getTrace = unary((req) => {
    const raw = str(req, 'traceId');
    const id = parseTraceId(raw);
    if (id === undefined) throw invalid(`trace_id: must be 32 hex digits or an X-Ray trace id (1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy), got '${raw.slice(0, 80)}'`);
    const summary = store.summary(id);
    const spans = store.trace(id);
    if (!summary || !spans) throw new RpcError(grpc.status.NOT_FOUND, `trace ${id} is not in this node's trace store (unknown, not sampled, or evicted)`);
    return { summary, spans: spans.map(spanMessage) };
  });

  const getServiceMap = unary((req) => {
    const startMs = opt(req, 'startMs');
    const endMs = opt(req, 'endMs');
    return store.serviceMap({ ...(startMs !== undefined ? { startMs } : {}), ...(endMs !== undefined ? { endMs } : {}) });
  });

  return { definition: services().traces.service, implementation: { getTraceSummaries, getTrace, getServiceMap } };
}
