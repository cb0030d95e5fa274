// One finished span as Stratus stores and ships it: plain data, so it crosses worker threads and
// gRPC unchanged, and the built-in trace store (`trace-store.ts`) indexes it. Light on imports:
// execution environments (worker threads) load it too.
import { type Attributes, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { type ReadableSpan } from '@opentelemetry/sdk-trace';

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanLinkRecord {
  traceId: string;
  spanId: string;
}

export interface SpanRecord {
  /** 32 lowercase hex digits (the X-Ray root `1-xxxxxxxx-yyyy…` is the same 128 bits). */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Absent for a trace's root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKindName;
  /** The tier that made the span: `gateway`, `scheduler`, `worker`, `storage` (its service-map node). */
  service: string;
  /** Node id of the process, as a string (`1`, `gateway-1`, ...). */
  node: string;
  /** Milliseconds since the epoch, fractional. */
  startMs: number;
  durationMs: number;
  /** `error` when the span's status is ERROR. */
  status: 'ok' | 'error';
  statusMessage?: string;
  attributes: Record<string, string | number | boolean>;
  links: SpanLinkRecord[];
}

export const KIND_NAMES: Record<SpanKind, SpanKindName> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

/** Attribute keys the conversion reads (the full table is in index.ts, which worker threads do not load). */
const SERVICE_ATTR = 'stratus.service';
const NODE_ATTR = 'stratus.node.id';

function flatten(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (v !== undefined) out[k] = JSON.stringify(v);
  }
  return out;
}

export function toSpanRecord(s: ReadableSpan, node: string): SpanRecord {
  const sc = s.spanContext();
  const attributes = flatten(s.attributes);
  const service = attributes[SERVICE_ATTR];
  const spanNode = attributes[NODE_ATTR];
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    ...(s.parentSpanContext !== undefined ? { parentSpanId: s.parentSpanContext.spanId } : {}),
    name: s.name,
    kind: KIND_NAMES[s.kind] ?? 'internal',
    service: typeof service === 'string' ? service : 'stratus',
    node: spanNode !== undefined ? String(spanNode) : node,
    startMs: hrTimeToMilliseconds(s.startTime),
    durationMs: hrTimeToMilliseconds(s.duration),
    status: s.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
    ...(s.status.message !== undefined && s.status.message !== '' ? { statusMessage: s.status.message } : {}),
    attributes,
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
  };
}

