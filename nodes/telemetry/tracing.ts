// The process's tracer provider: X-Ray's sampling rule, spans recorded into the built-in trace
// store, and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, exported by OTLP/HTTP to a collector
// (Jaeger, Tempo, an OpenTelemetry Collector). OpenTelemetry's API is process-global, so there is
// one provider per process: the first node started in a process sets it up; nodes started later in
// the same process (tests, the embedded server) share it.
import { type Attributes, type Context, ROOT_CONTEXT, type SpanContext, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator, millisToHrTime } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type IdGenerator, RandomIdGenerator, type ReadableSpan, type Span, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Attr } from './index.js';
import { presetTraceOf } from './preset.js';
import { type SamplingRule, XRAY_DEFAULT_RULE, XRaySampler } from './sampler.js';
import { KIND_NAMES, type SpanKindName, type SpanRecord, toSpanRecord } from './span-record.js';

export interface SpanSink {
  add(records: SpanRecord[]): void;
}

export interface TracingOptions {
  /** The process's role, for the OTLP resource (`service.name` = `stratus-<role>`). */
  role: string;
  node: string;
  sampling?: SamplingRule;
  /** OTLP/HTTP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); the exporter posts to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  sink: SpanSink;
}

/** Tiers that name their spans `<tier>.<operation>`; other spans belong to the tier that made their parent. */
const TIERS = new Set(['gateway', 'scheduler', 'worker', 'storage']);


class PresetIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  generateTraceId(): string {
    return presetTraceOf(context.active())?.traceId ?? this.random.generateTraceId();
  }
  generateSpanId(): string {
    return this.random.generateSpanId();
  }
}

const KINDS_BY_NAME = new Map<SpanKindName, SpanKind>(Object.entries(KIND_NAMES).map(([k, v]) => [v, Number(k) as SpanKind]));

/** A record made elsewhere (a worker thread) as the SDK's exporters take it. */
function toReadableSpan(r: SpanRecord, resource: Resource): ReadableSpan {
  const sc: SpanContext = { traceId: r.traceId, spanId: r.spanId, traceFlags: 1 };
  return {
    name: r.name,
    kind: KINDS_BY_NAME.get(r.kind) ?? SpanKind.INTERNAL,
    spanContext: () => sc,
    ...(r.parentSpanId !== undefined ? { parentSpanContext: { traceId: r.traceId, spanId: r.parentSpanId, traceFlags: 1 } } : {}),
    startTime: millisToHrTime(r.startMs),
    endTime: millisToHrTime(r.startMs + r.durationMs),
    duration: millisToHrTime(r.durationMs),
    status: r.status === 'error' ? { code: SpanStatusCode.ERROR, ...(r.statusMessage !== undefined ? { message: r.statusMessage } : {}) } : { code: SpanStatusCode.OK },
    attributes: r.attributes,
    links: r.links.map((l) => ({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1 } })),
    events: [],
    ended: true,
    resource,
    instrumentationScope: { name: 'stratus-worker' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Names each span's tier when it starts, and hands finished spans to the store. */
class RecordingProcessor implements SpanProcessor {
  constructor(
    private readonly sink: SpanSink,
    private readonly node: string,
    private readonly defaultService: string,
  ) {}

  onStart(span: Span, parent: Context): void {
    if (span.attributes[Attr.Service] !== undefined) return;
    const dot = span.name.indexOf('.');
    const prefix = dot > 0 ? span.name.slice(0, dot) : '';
    let service = TIERS.has(prefix) ? prefix : undefined;
    if (service === undefined) {
      const p = trace.getSpan(parent) as unknown as { attributes?: Attributes } | undefined;
      const inherited = p?.attributes?.[Attr.Service];
      service = typeof inherited === 'string' ? inherited : this.defaultService;
    }
    span.setAttribute(Attr.Service, service);
  }

  onEnd(span: ReadableSpan): void {
    this.sink.add([toSpanRecord(span, this.node)]);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export class Tracing {
  constructor(
    readonly options: TracingOptions,
    readonly provider: TracerProvider,
    readonly sampler: XRaySampler,
    private readonly otlp: BatchSpanProcessor | undefined,
    private readonly resource: Resource,
  ) {}

  get sink(): SpanSink {
    return this.options.sink;
  }

  /** Spans finished outside this thread (a worker's handler spans) join the process's spans. */
  ingest(spans: SpanRecord[]): void {
    if (spans.length === 0) return;
    // A worker thread knows only its thread: the spans belong to this process's node.
    const records = spans.map((r) => ({ ...r, node: this.options.node }));
    this.options.sink.add(records);
    if (this.otlp) for (const r of records) this.otlp.onEnd(toReadableSpan(r, this.resource));
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }
}

let current: Tracing | undefined;

/** Sets up the process's tracing once; later calls get the first set-up (the sampling rule is updated). */
export function initTracing(o: TracingOptions): Tracing {
  if (current) {
    if (o.sampling) current.sampler.rule = o.sampling;
    return current;
  }
  const resource = resourceFromAttributes({ 'service.name': `stratus-${o.role}`, 'service.instance.id': o.node, 'service.namespace': 'stratus' });
  const sampler = new XRaySampler(o.sampling ?? XRAY_DEFAULT_RULE);
  const otlp = o.otlpEndpoint !== undefined && o.otlpEndpoint !== '' ? new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${o.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }) }) : undefined;
  const provider = new TracerProvider({
    resource,
    sampler,
    idGenerator: new PresetIdGenerator(),
    spanProcessors: [new RecordingProcessor(o.sink, o.node, o.role === 'all' ? 'gateway' : o.role), ...(otlp ? [otlp] : [])],
  });
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  current = new Tracing(o, provider, sampler, otlp, resource);
  return current;
}

export function tracing(): Tracing | undefined {
  return current;
}

/** Runs `f` outside any trace: background loops must not inherit the request that woke them. */
export function detached<T>(f: () => T): T {
  return context.with(ROOT_CONTEXT, f);
}
