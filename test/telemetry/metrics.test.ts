// The metrics registry on its own: counters, gauges, histograms, collectors, the Prometheus text
// format (0.0.4), percentiles, label escaping, the query API and its HTTP handler.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metric } from '../../nodes/telemetry/metric-names.js';
import { type MetricDef, MetricsRegistry, escapeLabelValue, fmt, handleMetricsHttp, percentile } from '../../nodes/telemetry/metrics.js';

const REQS = { name: 'Requests', namespace: 'Test', prom: 'test_requests_total', kind: 'counter', unit: 'Count', labels: ['route', 'code'], help: 'Requests served.' } as const satisfies MetricDef;
const TEMP = { name: 'Temperature', namespace: 'Test', prom: 'test_temperature', kind: 'gauge', unit: 'None', labels: ['room'], help: 'Temperature.' } as const satisfies MetricDef;
const LAT = { name: 'Latency', namespace: 'Test', prom: 'test_latency_seconds', kind: 'histogram', unit: 'Milliseconds', labels: ['op'], buckets: [1, 10, 100], promScale: 0.001, help: 'Latency.' } as const satisfies MetricDef;

describe('the metrics registry', () => {
  it('counts per label set and renders HELP, TYPE and samples', async () => {
    const r = new MetricsRegistry();
    const c = r.counter(REQS);
    c.inc({ route: '/a', code: '200' });
    c.inc({ route: '/a', code: '200' }, 2);
    c.inc({ route: '/b', code: '500' });
    c.inc({ route: '/b', code: '500' }, -5); // counters never go down
    c.inc({ route: '/b', code: '500' }, NaN);
    expect(c.get({ route: '/a', code: '200' })).toBe(3);
    expect(c.get({ route: '/b', code: '500' })).toBe(1);
    expect(c.get({ route: '/c', code: '200' })).toBe(0);
    expect(await r.renderPrometheus()).toBe(
      [
        '# HELP test_requests_total Requests served.',
        '# TYPE test_requests_total counter',
        'test_requests_total{route="/a",code="200"} 3',
        'test_requests_total{route="/b",code="500"} 1',
        '',
      ].join('\n'),
    );
  });

  it('returns the same family for the same definition and refuses a conflicting one', () => {
    const r = new MetricsRegistry();
    r.counter(REQS).inc({ route: '/', code: '200' });
    expect(r.counter(REQS).get({ route: '/', code: '200' })).toBe(1);
    expect(() => r.gauge({ ...TEMP, prom: 'test_requests_total' })).toThrow(/already registered/);
    expect(() => r.counter({ ...REQS, prom: 'bad-name' })).toThrow(/invalid metric name/);
    expect(() => r.counter({ ...REQS, prom: 'x_total', labels: ['__reserved'] })).toThrow(/invalid label/);
    expect(() => r.histogram({ ...LAT, prom: 'y_seconds', labels: ['le'] })).toThrow(/le/);
    expect(() => r.histogram({ ...LAT, prom: 'z_seconds', buckets: [5, 1] })).toThrow(/increase/);
  });

  it('escapes label values and help text as the text format requires', async () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const r = new MetricsRegistry();
    r.gauge({ ...TEMP, help: 'multi\nline \\ help' }).set({ room: 'say "hi"\\\n' }, 21.5);
    const text = await r.renderPrometheus();
    expect(text).toContain('# HELP test_temperature multi\\nline \\\\ help\n');
    expect(text).toContain('test_temperature{room="say \\"hi\\"\\\\\\n"} 21.5\n');
  });

  it('renders histograms as cumulative buckets, sum and count, scaled to base units', async () => {
    const r = new MetricsRegistry();
    const h = r.histogram(LAT);
    for (const v of [0.5, 1, 5, 50, 50, 500]) h.observe({ op: 'put' }, v);
    h.observe({ op: 'put' }, Infinity); // ignored
    const text = await r.renderPrometheus();
    expect(text).toBe(
      [
        '# HELP test_latency_seconds Latency.',
        '# TYPE test_latency_seconds histogram',
        'test_latency_seconds_bucket{op="put",le="0.001"} 2',
        'test_latency_seconds_bucket{op="put",le="0.01"} 3',
        'test_latency_seconds_bucket{op="put",le="0.1"} 5',
        'test_latency_seconds_bucket{op="put",le="+Inf"} 6',
        'test_latency_seconds_sum{op="put"} 0.6065',
        'test_latency_seconds_count{op="put"} 6',
        '',
      ].join('\n'),
    );
  });

  it('computes p50/p90/p99 exactly over the recent window of observations', async () => {
    const r = new MetricsRegistry({ reservoirSize: 100 });
    const h = r.histogram(LAT);
    // 1..100 in a scrambled order: nearest-rank percentiles are 50, 90 and 99.
    for (let i = 0; i < 100; i++) h.observe({ op: 'get' }, ((i * 37) % 100) + 1);
    expect(h.get({ op: 'get' })).toMatchObject({ count: 100, sum: 5050, avg: 50.5, samples: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    // The window keeps the last 100: after 100 observations of 1000, every percentile is 1000,
    // while count and sum cover everything.
    for (let i = 0; i < 100; i++) h.observe({ op: 'get' }, 1000);
    expect(h.get({ op: 'get' })).toMatchObject({ count: 200, sum: 105_050, samples: 100, p50: 1000, p99: 1000 });
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('runs collectors at scrape time, and leaves out a failing or slow one', async () => {
    const r = new MetricsRegistry({ collectorTimeoutMs: 50 });
    let rooms = [{ labels: { room: 'kitchen' }, value: 20 }];
    r.gauge(TEMP).set({ room: 'hall' }, 18);
    const off = r.collect(TEMP, async () => rooms);
    expect(await r.renderPrometheus()).toContain('test_temperature{room="hall"} 18\ntest_temperature{room="kitchen"} 20\n');
    rooms = [{ labels: { room: 'kitchen' }, value: 23 }];
    expect(await r.query({ name: 'Temperature', labels: { room: 'kitchen' } })).toEqual([
      { name: 'Temperature', namespace: 'Test', prom: 'test_temperature', kind: 'gauge', unit: 'None', labels: { room: 'kitchen' }, value: 23 },
    ]);
    off();
    expect(await r.renderPrometheus()).not.toContain('kitchen');

    r.collect(TEMP, () => {
      throw new Error('sensor offline');
    });
    r.collect(TEMP, () => new Promise<never>(() => undefined)); // never answers
    const text = await r.renderPrometheus();
    expect(text).toContain('test_temperature{room="hall"} 18\n');
    expect(text).toContain('# collector of test_temperature failed: sensor offline\n');
    expect(text).toContain('# collector of test_temperature failed: no answer within 50 ms\n');
  });

  it('adds constant labels and caps the number of label sets', async () => {
    const r = new MetricsRegistry({ constLabels: { node: '7' }, maxSeriesPerMetric: 2 });
    const c = r.counter(REQS);
    c.inc({ route: '/1', code: '200' });
    c.inc({ route: '/2', code: '200' });
    c.inc({ route: '/3', code: '200' }); // a third label set: dropped
    expect(r.droppedSeries).toBe(1);
    const text = await r.renderPrometheus();
    expect(text).toContain('test_requests_total{node="7",route="/1",code="200"} 1\n');
    expect(text).not.toContain('/3');
    expect((await r.query({ labels: { node: '7' } })).length).toBe(2);
    expect(() => new MetricsRegistry({ constLabels: { route: 'x' } }).counter(REQS)).toThrow(/clashes/);
  });

  it('queries by name (query or Prometheus name) and label filters', async () => {
    const r = new MetricsRegistry();
    r.counter(Metric.Invocations).inc({ function: 'a', version: '$LATEST' }, 5);
    r.counter(Metric.Invocations).inc({ function: 'b', version: '1' }, 2);
    r.counter(Metric.Errors).inc({ function: 'a', version: '$LATEST' });
    r.histogram(Metric.Duration).observe({ function: 'a', version: '$LATEST' }, 12);
    expect((await r.query({ name: 'Invocations', labels: { function: 'a' } })).map((s) => s.value)).toEqual([5]);
    expect((await r.query({ name: 'stratus_lambda_invocations_total' })).map((s) => s.labels.function)).toEqual(['a', 'b']);
    expect((await r.query({ labels: { function: 'a' } })).map((s) => s.name)).toEqual(['Invocations', 'Errors', 'Duration']);
    expect(await r.query({ name: 'Nope' })).toEqual([]);
    const d = (await r.query({ name: 'Duration' }))[0]!;
    expect(d).toMatchObject({ kind: 'histogram', unit: 'Milliseconds', count: 1, sum: 12, p50: 12, p99: 12 });
    // IteratorAge is declared for event source mappings: absent until something records it.
    expect(await r.query({ name: 'IteratorAge' })).toEqual([]);
    expect(await r.renderPrometheus()).not.toContain('iterator_age');
  });

  it('formats values as the exposition format writes them', () => {
    expect(fmt(3)).toBe('3');
    expect(fmt(0.0025000000000000005)).toBe('0.0025');
    expect(fmt(Infinity)).toBe('+Inf');
    expect(fmt(-Infinity)).toBe('-Inf');
    expect(fmt(NaN)).toBe('NaN');
  });

  it('has one table of unique names', () => {
    const defs = Object.values(Metric);
    expect(new Set(defs.map((d) => d.name)).size).toBe(defs.length);
    expect(new Set(defs.map((d) => d.prom)).size).toBe(defs.length);
    for (const d of defs) if (d.kind === 'counter') expect(d.prom).toMatch(/_total$/);
    const r = new MetricsRegistry();
    for (const d of defs) {
      if (d.kind === 'counter') r.counter(d);
      else if (d.kind === 'gauge') r.gauge(d);
      else r.histogram(d);
    }
  });
});

describe('the metrics HTTP handler', () => {
  const registry = new MetricsRegistry();
  let server: Server;
  let base = '';
  beforeAll(async () => {
    registry.counter(Metric.Invocations).inc({ function: 'f', version: '$LATEST' }, 3);
    registry.counter(Metric.Invocations).inc({ function: 'g', version: '$LATEST' }, 1);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (handleMetricsHttp(registry, req, res, url)) return;
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('serves /metrics in the Prometheus text format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toContain('stratus_lambda_invocations_total{function="f",version="$LATEST"} 3\n');
  });

  it('serves /_stratus/metrics as JSON filtered by name and labels', async () => {
    const res = await fetch(`${base}/_stratus/metrics?name=Invocations&function=f`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as { series: { labels: Record<string, string>; value: number }[] };
    expect(body.series).toEqual([expect.objectContaining({ name: 'Invocations', labels: { function: 'f', version: '$LATEST' }, value: 3 })]);
    const all = (await (await fetch(`${base}/_stratus/metrics`)).json()) as { series: unknown[] };
    expect(all.series).toHaveLength(2);
  });

  it('leaves other paths to the caller and refuses other methods', async () => {
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
