import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../../nodes/telemetry/span-record.js';
import { TraceQueryError, TraceStore, parseTraceId, toXrayTraceId } from '../../nodes/telemetry/trace-store.js';

const T0 = 1_700_000_000_000;

/** A trace id from a small number: 32 hex digits. */
const tid = (n: number): string => n.toString(16).padStart(32, '0');
const sid = (n: number): string => n.toString(16).padStart(16, '0');

function span(p: Partial<SpanRecord> & Pick<SpanRecord, 'traceId' | 'spanId'>): SpanRecord {
  return {
    name: 'op',
    kind: 'internal',
    service: 'gateway',
    node: '1',
    startMs: T0,
    durationMs: 10,
    status: 'ok',
    attributes: {},
    links: [],
    ...p,
  };
}

/** A one-span trace starting at T0 + n ms. */
const single = (n: number, p: Partial<SpanRecord> = {}): SpanRecord => span({ traceId: tid(n), spanId: sid(n), startMs: T0 + n, ...p });

function queryError(f: () => unknown): TraceQueryError {
  try {
    f();
  } catch (err) {
    if (err instanceof TraceQueryError) return err;
    throw err;
  }
  throw new Error('expected a TraceQueryError');
}

describe('trace ids', () => {
  it('converts to and from the X-Ray form', () => {
    const id = '5759e988bd862e3fe1be46a994272793';
    expect(toXrayTraceId(id)).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(parseTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe(id);
    expect(parseTraceId(id.toUpperCase())).toBe(id);
    expect(parseTraceId(id)).toBe(id);
    expect(parseTraceId('1-5759e988-bd862e3f')).toBeUndefined();
    expect(parseTraceId('2-5759e988-bd862e3fe1be46a994272793')).toBeUndefined();
    expect(parseTraceId('zz59e988bd862e3fe1be46a994272793')).toBeUndefined();
  });
});

describe('TraceStore: traces and summaries', () => {
  it('returns a trace sorted by start, by either id form, ignoring repeated span ids', () => {
    const store = new TraceStore();
    const t = tid(0xabc);
    store.add([
      span({ traceId: t, spanId: sid(3), parentSpanId: sid(1), startMs: T0 + 5, name: 'c' }),
      span({ traceId: t, spanId: sid(1), startMs: T0, name: 'a', durationMs: 50 }),
    ]);
    store.add([span({ traceId: t, spanId: sid(2), parentSpanId: sid(1), startMs: T0 + 1, name: 'b' }), span({ traceId: t, spanId: sid(3), name: 'dup' })]);
    expect(store.trace(t)?.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(store.trace(toXrayTraceId(t))?.length).toBe(3);
    expect(store.trace(tid(0xdef))).toBeUndefined();
    expect(store.trace('nonsense')).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 1, spans: 3 });
  });

  it('summarizes a trace from its root span', () => {
    const store = new TraceStore();
    const t = '5759e988bd862e3fe1be46a994272793';
    store.add([
      span({ traceId: t, spanId: sid(2), parentSpanId: sid(1), service: 'worker', startMs: T0 + 2, durationMs: 500, status: 'error', attributes: { 'http.response.status_code': 502 } }),
      span({ traceId: t, spanId: sid(3), parentSpanId: sid(1), service: 'scheduler', startMs: T0 + 1, durationMs: 3 }),
      span({ traceId: t, spanId: sid(1), name: 'gateway.aws.request', kind: 'server', startMs: T0, durationMs: 40, attributes: { 'http.response.status_code': 200 } }),
    ]);
    expect(store.summary(t)).toEqual({
      traceId: t,
      xrayTraceId: '1-5759e988-bd862e3fe1be46a994272793',
      rootName: 'gateway.aws.request',
      rootService: 'gateway',
      startMs: T0,
      durationMs: 40,
      spanCount: 3,
      services: ['gateway', 'scheduler', 'worker'],
      hasError: true,
      httpStatus: 200,
      partial: false,
    });
  });

  it('summarizes a trace without a root from its spans', () => {
    const store = new TraceStore();
    const t = tid(7);
    store.add([
      span({ traceId: t, spanId: sid(2), parentSpanId: sid(1), name: 'late', service: 'storage', startMs: T0 + 20, durationMs: 30 }),
      span({ traceId: t, spanId: sid(3), parentSpanId: sid(1), name: 'early', service: 'worker', startMs: T0 + 10, durationMs: 5, attributes: {} }),
      span({ traceId: t, spanId: sid(4), parentSpanId: sid(1), name: 'http', service: 'worker', startMs: T0 + 15, durationMs: 1, attributes: { 'http.response.status_code': '404' } }),
    ]);
    const s = store.summary(t);
    expect(s).toMatchObject({ rootName: 'early', rootService: 'worker', startMs: T0 + 10, durationMs: 40, spanCount: 3, hasError: false, httpStatus: 404, partial: true });
    expect(store.summary(tid(8))).toBeUndefined();
  });
});

describe('TraceStore: bounds', () => {
  const three = (n: number): SpanRecord[] => [0, 1, 2].map((i) => span({ traceId: tid(n), spanId: sid(i + 1), ...(i ? { parentSpanId: sid(1) } : {}), startMs: T0 + n }));

  it('evicts the least recently added-to traces whole past maxSpans', () => {
    const store = new TraceStore({ maxSpans: 7 });
    store.add(three(1));
    store.add(three(2));
    expect(store.stats()).toMatchObject({ traces: 2, spans: 6, evictedTraces: 0 });
    store.add(three(3)); // 9 spans: trace 1 goes whole
    expect(store.trace(tid(1))).toBeUndefined();
    expect(store.trace(tid(2))?.length).toBe(3);
    expect(store.stats()).toMatchObject({ traces: 2, spans: 6, evictedTraces: 1 });
    // A span added to trace 2 makes it the most recent: trace 3 is evicted next.
    store.add([span({ traceId: tid(2), spanId: sid(9), parentSpanId: sid(1) })]);
    expect(store.stats().spans).toBe(7);
    store.add(three(4));
    expect(store.trace(tid(3))).toBeUndefined();
    expect(store.trace(tid(2))?.length).toBe(4);
    expect(store.trace(tid(4))?.length).toBe(3);
    expect(store.stats()).toMatchObject({ traces: 2, spans: 7, evictedTraces: 2 });
  });

  it('evicts past maxTraces and drops spans past maxSpansPerTrace', () => {
    const store = new TraceStore({ maxTraces: 2, maxSpansPerTrace: 2 });
    store.add([...three(1), ...three(2), ...three(3)]);
    expect(store.stats()).toEqual({ traces: 2, spans: 4, evictedTraces: 1, droppedSpans: 3 });
    expect(store.trace(tid(1))).toBeUndefined();
    expect(store.summary(tid(3))?.spanCount).toBe(2);
  });

  it('evicts within one large batch and keeps the newest', () => {
    const store = new TraceStore({ maxSpans: 100 });
    const batch: SpanRecord[] = [];
    for (let i = 1; i <= 1000; i++) batch.push(single(i));
    store.add(batch);
    expect(store.stats()).toMatchObject({ traces: 100, spans: 100, evictedTraces: 900 });
    expect(store.summaries({ limit: 1000 }).traces.map((s) => s.traceId)[0]).toBe(tid(1000));
    expect(store.trace(tid(900))).toBeUndefined();
    expect(store.trace(tid(901))).toBeDefined();
  });

  it('rejects bad options', () => {
    expect(() => new TraceStore({ maxSpans: 0 })).toThrow(RangeError);
    expect(() => new TraceStore({ maxTraces: 1.5 })).toThrow(RangeError);
  });
});

describe('TraceStore: filters and pages', () => {
  function fixture(): TraceStore {
    const store = new TraceStore();
    store.add([
      single(1, { service: 'gateway', name: 'gateway.aws.request', durationMs: 5 }),
      single(2, { service: 'gateway', name: 'gateway.aws.request', durationMs: 500, status: 'error' }),
      single(3, { service: 'scheduler', name: 'scheduler.function.invoke', durationMs: 50 }),
      // Trace 4: a gateway root with a worker child in error.
      span({ traceId: tid(4), spanId: sid(1), startMs: T0 + 4, durationMs: 100, name: 'gateway.aws.request' }),
      span({ traceId: tid(4), spanId: sid(2), parentSpanId: sid(1), service: 'worker', name: 'worker.run', startMs: T0 + 5, durationMs: 90, status: 'error' }),
    ]);
    return store;
  }
  const ids = (store: TraceStore, f: Parameters<TraceStore['summaries']>[0]): number[] => store.summaries(f).traces.map((s) => parseInt(s.traceId, 16));

  it('returns the newest first and applies each filter', () => {
    const store = fixture();
    expect(ids(store, {})).toEqual([4, 3, 2, 1]);
    expect(ids(store, { startMs: T0 + 2, endMs: T0 + 3 })).toEqual([3, 2]);
    expect(ids(store, { startMs: T0 + 3 })).toEqual([4, 3]);
    expect(ids(store, { endMs: T0 + 1 })).toEqual([1]);
    expect(ids(store, { service: 'worker' })).toEqual([4]);
    expect(ids(store, { service: 'gateway' })).toEqual([4, 2, 1]);
    expect(ids(store, { name: 'worker.run' })).toEqual([4]);
    expect(ids(store, { name: 'gateway.aws.request', service: 'scheduler' })).toEqual([]);
    expect(ids(store, { status: 'error' })).toEqual([4, 2]);
    expect(ids(store, { status: 'ok' })).toEqual([3, 1]);
    expect(ids(store, { minDurationMs: 50 })).toEqual([4, 3, 2]);
    expect(ids(store, { maxDurationMs: 50 })).toEqual([3, 1]);
    expect(ids(store, { minDurationMs: 50, maxDurationMs: 100, status: 'ok' })).toEqual([3]);
  });

  it('rejects bad filter values, naming the key', () => {
    const store = fixture();
    expect(queryError(() => store.summaries({ limit: 0 })).parameter).toBe('limit');
    expect(queryError(() => store.summaries({ limit: 1001 })).parameter).toBe('limit');
    expect(queryError(() => store.summaries({ limit: 2.5 })).parameter).toBe('limit');
    expect(queryError(() => store.summaries({ startMs: Number.NaN })).parameter).toBe('startMs');
    expect(queryError(() => store.summaries({ startMs: 10, endMs: 5 })).parameter).toBe('endMs');
    expect(queryError(() => store.summaries({ minDurationMs: -1 })).parameter).toBe('minDurationMs');
    expect(queryError(() => store.summaries({ minDurationMs: 10, maxDurationMs: 5 })).parameter).toBe('maxDurationMs');
    expect(queryError(() => store.summaries({ nextToken: 'garbage' })).parameter).toBe('nextToken');
    expect(queryError(() => store.serviceMap({ startMs: 10, endMs: 5 })).parameter).toBe('endMs');
    expect(store.summaries({ limit: 1000 }).traces).toHaveLength(4);
  });

  it('pages through every trace once, newest first, with ties ordered by trace id', () => {
    const store = new TraceStore();
    // 25 traces, pairs of them starting at the same time.
    for (let i = 1; i <= 25; i++) store.add([single(i, { startMs: T0 + Math.floor(i / 2) })]);
    const seen: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = store.summaries({ limit: 10, ...(token ? { nextToken: token } : {}) });
      pages.push(page.traces.length);
      seen.push(...page.traces.map((s) => s.traceId));
      token = page.nextToken;
    } while (token);
    expect(pages).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect(seen.map((t) => parseInt(t, 16))).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    // An exact page: no token when nothing is left.
    expect(store.summaries({ limit: 25 }).nextToken).toBeUndefined();
    // A page token applies with the same filter; new, newer traces do not shift older pages.
    const first = store.summaries({ limit: 5 });
    store.add([single(100)]);
    const second = store.summaries({ limit: 5, nextToken: first.nextToken! });
    expect(second.traces.map((s) => parseInt(s.traceId, 16))).toEqual([20, 19, 18, 17, 16]);
  });
});

describe('TraceStore: service map', () => {
  function fixture(): TraceStore {
    const store = new TraceStore();
    const t1 = tid(1);
    const t2 = tid(2);
    store.add([
      // Trace 1: gateway request → scheduler invoke → worker run (error); scheduler also has an
      // internal child (same service: no request, no edge) and calls storage twice.
      span({ traceId: t1, spanId: sid(1), name: 'gateway.aws.request', kind: 'server', startMs: T0, durationMs: 100 }),
      span({ traceId: t1, spanId: sid(2), parentSpanId: sid(1), service: 'scheduler', name: 'scheduler.function.invoke', startMs: T0 + 1, durationMs: 80 }),
      span({ traceId: t1, spanId: sid(3), parentSpanId: sid(2), service: 'scheduler', name: 'scheduler.admit', startMs: T0 + 2, durationMs: 1 }),
      span({ traceId: t1, spanId: sid(4), parentSpanId: sid(2), service: 'worker', name: 'worker.run', startMs: T0 + 3, durationMs: 60, status: 'error' }),
      span({ traceId: t1, spanId: sid(5), parentSpanId: sid(1), service: 'storage', name: 'storage.propose', startMs: T0 + 4, durationMs: 2 }),
      span({ traceId: t1, spanId: sid(6), parentSpanId: sid(1), service: 'storage', name: 'storage.propose', startMs: T0 + 5, durationMs: 4 }),
      // Trace 2: an async event handled later by the scheduler, linked to the gateway's request
      // span of trace 1 (edge gateway → scheduler, link), to its own-service span (no edge) and
      // to a span this store does not have (no edge).
      span({
        traceId: t2,
        spanId: sid(1),
        service: 'scheduler',
        name: 'scheduler.function.async_event',
        kind: 'consumer',
        startMs: T0 + 1000,
        durationMs: 30,
        status: 'error',
        links: [{ traceId: t1, spanId: sid(1) }, { traceId: t1, spanId: sid(2) }, { traceId: tid(99), spanId: sid(1) }],
      }),
    ]);
    return store;
  }

  it('derives nodes and edges from parents and links', () => {
    const map = fixture().serviceMap();
    expect(map.nodes).toEqual([
      { name: 'gateway', requests: 1, errors: 0, p50Ms: 100, p99Ms: 100 },
      { name: 'scheduler', requests: 2, errors: 1, p50Ms: 30, p99Ms: 80 },
      { name: 'storage', requests: 2, errors: 0, p50Ms: 2, p99Ms: 4 },
      { name: 'worker', requests: 1, errors: 1, p50Ms: 60, p99Ms: 60 },
    ]);
    expect(map.edges).toEqual([
      { from: 'gateway', to: 'scheduler', count: 1, errors: 0, p50Ms: 80, p99Ms: 80, link: false },
      { from: 'gateway', to: 'scheduler', count: 1, errors: 1, p50Ms: 30, p99Ms: 30, link: true },
      { from: 'gateway', to: 'storage', count: 2, errors: 0, p50Ms: 2, p99Ms: 4, link: false },
      { from: 'scheduler', to: 'worker', count: 1, errors: 1, p50Ms: 60, p99Ms: 60, link: false },
    ]);
  });

  it('counts only the spans that start in the window', () => {
    const store = fixture();
    const late = store.serviceMap({ startMs: T0 + 500 });
    expect(late.nodes).toEqual([{ name: 'scheduler', requests: 1, errors: 1, p50Ms: 30, p99Ms: 30 }]);
    // The linked span is outside the window, but the link still names its service.
    expect(late.edges).toEqual([{ from: 'gateway', to: 'scheduler', count: 1, errors: 1, p50Ms: 30, p99Ms: 30, link: true }]);
    const early = store.serviceMap({ startMs: T0 + 3, endMs: T0 + 4 });
    expect(early.nodes.map((n) => n.name)).toEqual(['storage', 'worker']);
    expect(early.edges.map((e) => `${e.from}>${e.to}`)).toEqual(['gateway>storage', 'scheduler>worker']);
    expect(new TraceStore().serviceMap()).toEqual({ nodes: [], edges: [] });
  });

  it('takes nearest-rank percentiles', () => {
    const store = new TraceStore();
    for (let i = 1; i <= 100; i++) {
      store.add([
        span({ traceId: tid(i), spanId: sid(1), startMs: T0 + i, durationMs: 1000 }),
        span({ traceId: tid(i), spanId: sid(2), parentSpanId: sid(1), service: 'storage', startMs: T0 + i, durationMs: i }),
      ]);
    }
    const edge = store.serviceMap().edges[0];
    expect(edge).toMatchObject({ from: 'gateway', to: 'storage', count: 100, p50Ms: 50, p99Ms: 99 });
  });
});
