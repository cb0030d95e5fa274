// Trace context across process boundaries: HTTP requests at the gateway (W3C `traceparent`, else
// AWS's `X-Amzn-Trace-Id`), gRPC calls between tiers (W3C trace context in metadata), and queued
// hops (an X-Ray header stored with the message, continued as a new linked segment).
import { type IncomingHttpHeaders } from 'node:http';
import { type Context, type Link, ROOT_CONTEXT, type Span, type SpanContext, TraceFlags, context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import * as grpc from '@grpc/grpc-js';
import { Attr } from './index.js';
import { withPresetTrace } from './preset.js';
import { tracing } from './tracing.js';
import { formatXRayHeader, parseXRayHeader } from './xray.js';

function decide(sampled: boolean | undefined): boolean {
  return sampled ?? tracing()?.sampler.sampleRoot() ?? false;
}

/** The context an incoming request continues, from an X-Ray header (or none). */
export function contextFromXRay(header: string | undefined, base: Context = ROOT_CONTEXT): Context {
  const x = parseXRayHeader(header);
  if (!x) return base;
  if (x.parentId === undefined) return withPresetTrace(base, { traceId: x.traceId, sampled: decide(x.sampled) });
  return trace.setSpanContext(base, { traceId: x.traceId, spanId: x.parentId, traceFlags: decide(x.sampled) ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
}

/** The context an HTTP request continues: W3C trace context first, then X-Ray's header. */
export function contextFromHttp(headers: IncomingHttpHeaders): Context {
  const w3c = propagation.extract(ROOT_CONTEXT, headers);
  const sc = trace.getSpanContext(w3c);
  if (sc !== undefined && isSpanContextValid(sc)) return w3c;
  const h = headers['x-amzn-trace-id'];
  return contextFromXRay(Array.isArray(h) ? h[0] : h);
}

/** X-Ray's header for a span (what a handler sees as `_X_AMZN_TRACE_ID`, what a response carries). */
export function xrayHeaderOf(sc: SpanContext): string {
  return formatXRayHeader(sc.traceId, sc.spanId, (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED);
}

/** X-Ray's header for the active span, undefined outside a trace (or, with `sampledOnly`, outside a sampled one). */
export function currentXRayHeader(sampledOnly = false): string | undefined {
  const sc = trace.getSpanContext(context.active());
  if (sc === undefined || !isSpanContextValid(sc)) return undefined;
  if (sampledOnly && (sc.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return xrayHeaderOf(sc);
}

/**
 * A queued hop (async invoke, queue message) continues its producer's trace as a new segment:
 * a root span with the producer's trace id and decision, linked to the producer's span.
 */
export function asyncHop(header: string | undefined): { parent: Context; links: Link[] } {
  const x = parseXRayHeader(header);
  if (!x) return { parent: ROOT_CONTEXT, links: [] };
  const sampled = decide(x.sampled);
  const parent = withPresetTrace(ROOT_CONTEXT, { traceId: x.traceId, sampled });
  const links: Link[] =
    x.parentId === undefined
      ? []
      : [{ context: { traceId: x.traceId, spanId: x.parentId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true }, attributes: { [Attr.LinkType]: 'async' } }];
  return { parent, links };
}

/** Sets the response's `X-Amzn-Trace-Id` (AWS returns the trace a request joined). */
export function traceResponseHeader(span: Span): string | undefined {
  const sc = span.spanContext();
  return isSpanContextValid(sc) ? xrayHeaderOf(sc) : undefined;
}

const metadataSetter = {
  set(carrier: grpc.Metadata, key: string, value: string): void {
    carrier.set(key, value);
  },
};

const metadataGetter = {
  keys(carrier: grpc.Metadata): string[] {
    return Object.keys(carrier.getMap());
  },
  get(carrier: grpc.Metadata, key: string): string | undefined {
    const v = carrier.get(key)[0];
    return typeof v === 'string' ? v : undefined;
  },
};

/** A grpc-js client interceptor that sends the caller's trace context (W3C) in metadata. */
export const traceInterceptor: grpc.Interceptor = (options, nextCall) => {
  const active = context.active();
  return new grpc.InterceptingCall(nextCall(options), {
    start(metadata, listener, next) {
      const sc = trace.getSpanContext(active);
      if (sc !== undefined && isSpanContextValid(sc)) propagation.inject(active, metadata, metadataSetter);
      next(metadata, listener);
    },
  });
};

/** The context a gRPC call continues. */
export function contextFromMetadata(metadata: grpc.Metadata): Context {
  if (metadata.get('traceparent').length === 0) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
}

type Handler = (call: { metadata: grpc.Metadata }, ...rest: unknown[]) => unknown;

/** Wraps every method of a service implementation to run in the caller's trace context. */
export function tracedService<T extends grpc.UntypedServiceImplementation>(impl: T): T {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [name, h] of Object.entries(impl)) {
    const f = h as unknown as Handler;
    out[name] = ((call: { metadata: grpc.Metadata }, ...rest: unknown[]) => context.with(contextFromMetadata(call.metadata), () => f(call, ...rest))) as unknown as grpc.UntypedHandleCall;
  }
  return out as T;
}
