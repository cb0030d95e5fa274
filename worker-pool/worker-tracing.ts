// Tracing inside an execution environment (a worker thread). The scheduler hands each invocation
// its trace context; here the handler runs under it, in a `worker.function.handler` span when the
// function's tracing mode is Active, and spans the handler makes with the standard
// `@opentelemetry/api` join the same trace. Spans finished in the thread go back to the scheduler
// with the invocation's outcome. The SDK is loaded on the first sampled invocation only, so
// untraced environments start no faster or slower than before.
import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags, context, trace } from '@opentelemetry/api';
import { type SpanRecord, toSpanRecord } from '../nodes/telemetry/span-record.js';

/** The invocation's place in its trace, as the scheduler passes it. */
export interface TaskTrace {
  traceId: string;
  /** The scheduler's span: the parent of everything in the thread. */
  spanId: string;
  sampled: boolean;
  /** Tracing mode Active: the environment records its own span for the handler's run. */
  active: boolean;
}

const WORKER_SPAN = 'worker.function.handler';
const SERVICE_ATTR = 'stratus.service';

interface Sdk {
  drain(): SpanRecord[];
}

let sdk: Promise<Sdk> | undefined;

async function loadSdk(node: string): Promise<Sdk> {
  const [{ TracerProvider, ParentBasedSampler, AlwaysOffSampler }, { AsyncLocalStorageContextManager }] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
  ]);
  const done: SpanRecord[] = [];
  const provider = new TracerProvider({
    // Only what the scheduler's decision samples: a handler's root spans are never recorded.
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    spanProcessors: [
      {
        onStart: (span) => {
          if (span.attributes[SERVICE_ATTR] === undefined) span.setAttribute(SERVICE_ATTR, 'worker');
        },
        onEnd: (span) => {
          done.push(toSpanRecord(span, node));
        },
        forceFlush: async () => undefined,
        shutdown: async () => undefined,
      },
    ],
  });
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  trace.setGlobalTracerProvider(provider);
  return { drain: () => done.splice(0, done.length) };
}

function xray(traceId: string, parentId: string, sampled: boolean): string {
  return `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)};Parent=${parentId};Sampled=${sampled ? 1 : 0}`;
}

/**
 * Runs the handler in the invocation's trace. `run` gets the X-Ray header for `_X_AMZN_TRACE_ID`
 * (its Parent is the span the handler's own spans hang under) and reports whether it failed.
 */
export async function traceInvocation<T extends { failed: boolean; errorType?: string }>(
  t: TaskTrace | undefined,
  attributes: Record<string, string>,
  node: string,
  run: (xrayHeader: string | undefined) => Promise<T>,
): Promise<{ result: T; spans: SpanRecord[] }> {
  if (t === undefined) return { result: await run(undefined), spans: [] };
  if (!t.sampled) {
    // Unsampled: no SDK needed, but spans a handler makes must still see the decision.
    const parent: Context = trace.setSpanContext(ROOT_CONTEXT, { traceId: t.traceId, spanId: t.spanId, traceFlags: TraceFlags.NONE, isRemote: true });
    return { result: await context.with(parent, () => run(xray(t.traceId, t.spanId, false))), spans: [] };
  }
  sdk ??= loadSdk(node);
  const s = await sdk;
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: t.traceId, spanId: t.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  let span: Span | undefined;
  let ctx = parent;
  if (t.active) {
    span = trace.getTracer('stratus-worker').startSpan(WORKER_SPAN, { kind: SpanKind.INTERNAL, attributes }, parent);
    ctx = trace.setSpan(parent, span);
  }
  const parentId = span?.spanContext().spanId ?? t.spanId;
  let result: T;
  try {
    result = await context.with(ctx, () => run(xray(t.traceId, parentId, true)));
    if (span && result.failed) span.setStatus({ code: SpanStatusCode.ERROR, ...(result.errorType !== undefined ? { message: result.errorType } : {}) });
  } finally {
    span?.end();
  }
  return { result, spans: s.drain() };
}
