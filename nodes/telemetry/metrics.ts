// A small metrics registry: counters, gauges and histograms with label sets, rendered in the
// Prometheus text exposition format (0.0.4) and queryable as JSON (the CloudWatch-like API at
// /_stratus/metrics). No global: the process creates one registry per running role and passes it
// down through options; a component given none records nothing.
//
// - Counters and histograms are updated on the hot path (a Map lookup and a few additions).
// - Gauges are either set by their owner or computed at scrape time by collectors (registered
//   with `collect`), which may be async (queue depths are storage reads); a collector that fails
//   or outlasts `collectorTimeoutMs` leaves its series out of that scrape.
// - Histograms keep Prometheus buckets (cumulative in the exposition) and, for the query API's
//   percentiles, the last `reservoirSize` observations of each series: p50/p90/p99/max are exact
//   over that recent window, count/sum/avg over the process's life.
// - A family holds at most `maxSeriesPerMetric` label sets; observations of further new label
//   sets are dropped (counted in `droppedSeries`) so a runaway label cannot exhaust memory.
//
// Metric names, help texts, labels and units live in one table: metric-names.ts.
import { type IncomingMessage, type ServerResponse } from 'node:http';

export type MetricKind = 'counter' | 'gauge' | 'histogram';
export type MetricUnit = 'Count' | 'Milliseconds' | 'Seconds' | 'Percent' | 'Ratio' | 'Bytes' | 'None';

export interface MetricDef<L extends string = string> {
  /** The query API's name (CloudWatch style: `Invocations`). */
  readonly name: string;
  /** CloudWatch-like namespace (`AWS/Lambda`, `AWS/SQS`, `Stratus/Storage`). */
  readonly namespace: string;
  /** The Prometheus family name (`stratus_lambda_invocations_total`). */
  readonly prom: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly labels: readonly L[];
  /** Unit of the values recorded (and returned by the query API). */
  readonly unit: MetricUnit;
  /** Histograms: upper bounds of the buckets, in `unit`, increasing. */
  readonly buckets?: readonly number[];
  /** The exposition shows values times this (observed in ms, exposed in seconds: 0.001). */
  readonly promScale?: number;
}

export type LabelValues<L extends string> = { readonly [K in L]: string };

export interface Sample<L extends string> {
  labels: LabelValues<L>;
  value: number;
}

export type Collector<L extends string> = () => Promise<readonly Sample<L>[]> | readonly Sample<L>[];

interface SeriesBase {
  labels: Record<string, string>;
}

interface ScalarSeries extends SeriesBase {
  value: number;
}

interface HistogramSeries extends SeriesBase {
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: number[];
  count: number;
  sum: number;
  /** Ring of the most recent observations. */
  recent: Float64Array;
  recentNext: number;
  recentSize: number;
}

type AnySeries = ScalarSeries | HistogramSeries;

interface Family {
  def: MetricDef;
  series: Map<string, AnySeries>;
  collectors: Collector<string>[];
}

export interface RegistryOptions {
  /** Labels added to every series (say `{ node: '1' }`); must not clash with metric labels. */
  constLabels?: Record<string, string>;
  /** Observations kept per histogram series for percentiles. Default 1024. */
  reservoirSize?: number;
  /** Label sets per metric before new ones are dropped. Default 10,000. */
  maxSeriesPerMetric?: number;
  /** A scrape-time collector slower than this is left out of the scrape. Default 5,000 ms. */
  collectorTimeoutMs?: number;
}

/** What the query API returns for one series. Numbers only; JSON-able. */
export interface SeriesView {
  name: string;
  namespace: string;
  prom: string;
  kind: MetricKind;
  unit: MetricUnit;
  labels: Record<string, string>;
  /** Counters and gauges. */
  value?: number;
  /** Histograms: over the process's life. */
  count?: number;
  sum?: number;
  avg?: number;
  /** Histograms: over the most recent `samples` observations. */
  samples?: number;
  p50?: number;
  p90?: number;
  p99?: number;
  max?: number;
}

export interface MetricQuery {
  /** The query name (`Invocations`) or the Prometheus name; absent: every metric. */
  name?: string;
  /** Series must carry each of these labels with this value. */
  labels?: Record<string, string>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class Counter<L extends string> {
  constructor(
    private readonly r: MetricsRegistry,
    private readonly f: Family,
  ) {}

  /** Adds n (default 1); negative or non-finite amounts are ignored (counters only go up). */
  inc(labels: LabelValues<L>, n = 1): void {
    if (!(n >= 0) || !Number.isFinite(n)) return;
    const s = this.r.scalar(this.f, labels);
    if (s) s.value += n;
  }

  get(labels: LabelValues<L>): number {
    return this.r.peek(this.f, labels)?.value ?? 0;
  }
}

export class Gauge<L extends string> {
  constructor(
    private readonly r: MetricsRegistry,
    private readonly f: Family,
  ) {}

  set(labels: LabelValues<L>, v: number): void {
    const s = this.r.scalar(this.f, labels);
    if (s) s.value = v;
  }

  inc(labels: LabelValues<L>, n = 1): void {
    const s = this.r.scalar(this.f, labels);
    if (s) s.value += n;
  }

  dec(labels: LabelValues<L>, n = 1): void {
    this.inc(labels, -n);
  }

  /** Forgets a series (its function or queue is gone). */
  remove(labels: LabelValues<L>): void {
    this.f.series.delete(seriesKey(this.f.def, labels));
  }

  get(labels: LabelValues<L>): number | undefined {
    return this.r.peek(this.f, labels)?.value;
  }
}

export class Histogram<L extends string> {
  constructor(
    private readonly r: MetricsRegistry,
    private readonly f: Family,
  ) {}

  observe(labels: LabelValues<L>, v: number): void {
    if (!Number.isFinite(v)) return;
    const s = this.r.histogramSeries(this.f, labels);
    if (!s) return;
    const bounds = this.f.def.buckets ?? [];
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    s.counts[i]!++;
    s.count++;
    s.sum += v;
    s.recent[s.recentNext] = v;
    s.recentNext = (s.recentNext + 1) % s.recent.length;
    if (s.recentSize < s.recent.length) s.recentSize++;
  }

  /** Starts a timer; the returned function observes the milliseconds elapsed. */
  startTimer(labels: LabelValues<L>): () => number {
    const t0 = performance.now();
    return () => {
      const ms = performance.now() - t0;
      this.observe(labels, ms);
      return ms;
    };
  }

  /** The series as the query API shows it, or undefined before its first observation. */
  get(labels: LabelValues<L>): SeriesView | undefined {
    const s = this.f.series.get(seriesKey(this.f.def, labels));
    return s && isHistogram(s) ? histogramView(this.f.def, s, this.r.withConst(s.labels)) : undefined;
  }
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly constLabels: Record<string, string>;
  private readonly reservoirSize: number;
  private readonly maxSeries: number;
  private readonly collectorTimeoutMs: number;
  /** Observations dropped because their metric already had maxSeriesPerMetric label sets. */
  droppedSeries = 0;

  constructor(o: RegistryOptions = {}) {
    this.constLabels = { ...(o.constLabels ?? {}) };
    for (const k of Object.keys(this.constLabels)) checkLabelName(k, 'constant label');
    this.reservoirSize = Math.max(1, o.reservoirSize ?? 1024);
    this.maxSeries = Math.max(1, o.maxSeriesPerMetric ?? 10_000);
    this.collectorTimeoutMs = o.collectorTimeoutMs ?? 5000;
  }

  counter<L extends string>(def: MetricDef<L> & { kind: 'counter' }): Counter<L> {
    return new Counter<L>(this, this.family(def));
  }

  gauge<L extends string>(def: MetricDef<L> & { kind: 'gauge' }): Gauge<L> {
    return new Gauge<L>(this, this.family(def));
  }

  histogram<L extends string>(def: MetricDef<L> & { kind: 'histogram' }): Histogram<L> {
    return new Histogram<L>(this, this.family(def));
  }

  /**
   * Registers a scrape-time collector for a gauge: its samples join the gauge's set series at
   * every scrape and query. Returns a function that unregisters it.
   */
  collect<L extends string>(def: MetricDef<L> & { kind: 'gauge' }, collector: Collector<L>): () => void {
    const f = this.family(def);
    const c = collector as Collector<string>;
    f.collectors.push(c);
    return () => {
      const i = f.collectors.indexOf(c);
      if (i >= 0) f.collectors.splice(i, 1);
    };
  }

  /** The Prometheus text exposition (format 0.0.4) of every registered metric. */
  async renderPrometheus(): Promise<string> {
    const { collected, failures } = await this.runCollectors();
    const out: string[] = [];
    for (const f of this.families.values()) {
      const d = f.def;
      out.push(`# HELP ${d.prom} ${escapeHelp(d.help)}`);
      out.push(`# TYPE ${d.prom} ${d.kind}`);
      const scale = d.promScale ?? 1;
      for (const s of f.series.values()) {
        const labels = this.withConst(s.labels);
        if (!isHistogram(s)) {
          out.push(`${d.prom}${renderLabels(labels)} ${fmt(s.value * scale)}`);
          continue;
        }
        const bounds = d.buckets ?? [];
        let cumulative = 0;
        for (let i = 0; i <= bounds.length; i++) {
          cumulative += s.counts[i]!;
          const le = i < bounds.length ? fmt(bounds[i]! * scale) : '+Inf';
          out.push(`${d.prom}_bucket${renderLabels({ ...labels, le })} ${cumulative}`);
        }
        out.push(`${d.prom}_sum${renderLabels(labels)} ${fmt(s.sum * scale)}`);
        out.push(`${d.prom}_count${renderLabels(labels)} ${s.count}`);
      }
      for (const x of collected.get(f) ?? []) out.push(`${d.prom}${renderLabels(this.withConst(x.labels))} ${fmt(x.value * scale)}`);
      for (const why of failures.get(f) ?? []) out.push(`# collector of ${d.prom} failed: ${escapeHelp(why)}`);
    }
    if (this.droppedSeries > 0) out.push(`# ${this.droppedSeries} observations dropped: too many label sets`);
    return out.join('\n') + '\n';
  }

  /** The series matching the query, with their current values (collectors run now). */
  async query(q: MetricQuery = {}): Promise<SeriesView[]> {
    const fams = [...this.families.values()].filter((f) => q.name === undefined || f.def.name === q.name || f.def.prom === q.name);
    const { collected } = await this.runCollectors(fams);
    const want = Object.entries(q.labels ?? {});
    const matches = (labels: Record<string, string>): boolean => want.every(([k, v]) => labels[k] === v);
    const out: SeriesView[] = [];
    for (const f of fams) {
      const d = f.def;
      for (const s of f.series.values()) {
        const labels = this.withConst(s.labels);
        if (!matches(labels)) continue;
        out.push(isHistogram(s) ? histogramView(d, s, labels) : scalarView(d, labels, s.value));
      }
      for (const x of collected.get(f) ?? []) {
        const labels = this.withConst(x.labels);
        if (matches(labels)) out.push(scalarView(d, labels, x.value));
      }
    }
    return out;
  }

  /** @internal */
  withConst(labels: Record<string, string>): Record<string, string> {
    return Object.keys(this.constLabels).length === 0 ? labels : { ...this.constLabels, ...labels };
  }

  /** @internal The scalar series of a label set, created on first use (undefined when over the cap). */
  scalar(f: Family, labels: Record<string, string>): ScalarSeries | undefined {
    const key = seriesKey(f.def, labels);
    let s = f.series.get(key);
    if (!s) {
      if (f.series.size >= this.maxSeries) {
        this.droppedSeries++;
        return undefined;
      }
      s = { labels: pick(f.def, labels), value: 0 };
      f.series.set(key, s);
    }
    return isHistogram(s) ? undefined : s;
  }

  /** @internal */
  histogramSeries(f: Family, labels: Record<string, string>): HistogramSeries | undefined {
    const key = seriesKey(f.def, labels);
    let s = f.series.get(key);
    if (!s) {
      if (f.series.size >= this.maxSeries) {
        this.droppedSeries++;
        return undefined;
      }
      s = {
        labels: pick(f.def, labels),
        counts: new Array<number>((f.def.buckets?.length ?? 0) + 1).fill(0),
        count: 0,
        sum: 0,
        recent: new Float64Array(this.reservoirSize),
        recentNext: 0,
        recentSize: 0,
      };
      f.series.set(key, s);
    }
    return isHistogram(s) ? s : undefined;
  }

  /** @internal */
  peek(f: Family, labels: Record<string, string>): ScalarSeries | undefined {
    const s = f.series.get(seriesKey(f.def, labels));
    return s && !isHistogram(s) ? s : undefined;
  }

  private family(def: MetricDef): Family {
    const known = this.families.get(def.prom);
    if (known) {
      if (known.def.kind !== def.kind || known.def.labels.join() !== def.labels.join() || known.def.name !== def.name) {
        throw new Error(`metrics: ${def.prom} is already registered as a ${known.def.kind} with labels [${known.def.labels.join(', ')}]`);
      }
      return known;
    }
    checkDef(def, this.constLabels);
    const f: Family = { def, series: new Map(), collectors: [] };
    this.families.set(def.prom, f);
    return f;
  }

  private async runCollectors(only?: Family[]): Promise<{ collected: Map<Family, Sample<string>[]>; failures: Map<Family, string[]> }> {
    const collected = new Map<Family, Sample<string>[]>();
    const failures = new Map<Family, string[]>();
    const jobs: Promise<void>[] = [];
    for (const f of only ?? this.families.values()) {
      for (const c of f.collectors) {
        jobs.push(
          withTimeout(Promise.resolve().then(c), this.collectorTimeoutMs).then(
            (samples) => {
              const list = collected.get(f) ?? [];
              for (const s of samples) if (Number.isFinite(s.value)) list.push({ labels: pick(f.def, s.labels), value: s.value });
              collected.set(f, list);
            },
            (err: unknown) => {
              const list = failures.get(f) ?? [];
              list.push(err instanceof Error ? err.message : String(err));
              failures.set(f, list);
            },
          ),
        );
      }
    }
    await Promise.all(jobs);
    return { collected, failures };
  }
}

function isHistogram(s: AnySeries): s is HistogramSeries {
  return 'counts' in s;
}

function seriesKey(def: MetricDef, labels: Record<string, string>): string {
  if (def.labels.length === 0) return '';
  let k = '';
  for (const l of def.labels) k += (labels[l] ?? '') + '\u0000';
  return k;
}

/** Only the metric's declared labels, in declared order; a missing one is the empty string. */
function pick(def: MetricDef, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of def.labels) out[l] = labels[l] ?? '';
  return out;
}

function checkLabelName(l: string, what: string): void {
  if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new Error(`metrics: invalid ${what} name '${l}'`);
}

function checkDef(def: MetricDef, constLabels: Record<string, string>): void {
  if (!METRIC_NAME.test(def.prom)) throw new Error(`metrics: invalid metric name '${def.prom}'`);
  for (const l of def.labels) {
    checkLabelName(l, `label of ${def.prom}`);
    if (l in constLabels) throw new Error(`metrics: label '${l}' of ${def.prom} clashes with a constant label`);
    if (def.kind === 'histogram' && l === 'le') throw new Error(`metrics: a histogram cannot have a label 'le' (${def.prom})`);
  }
  const b = def.buckets ?? [];
  if (def.kind === 'histogram' && b.length === 0) throw new Error(`metrics: histogram ${def.prom} needs buckets`);
  for (let i = 1; i < b.length; i++) if (!(b[i]! > b[i - 1]!)) throw new Error(`metrics: buckets of ${def.prom} must increase`);
}

function scalarView(d: MetricDef, labels: Record<string, string>, value: number): SeriesView {
  return { name: d.name, namespace: d.namespace, prom: d.prom, kind: d.kind, unit: d.unit, labels, value };
}

function histogramView(d: MetricDef, s: HistogramSeries, labels: Record<string, string>): SeriesView {
  const recent = Array.from(s.recent.subarray(0, s.recentSize)).sort((a, b) => a - b);
  const view: SeriesView = { name: d.name, namespace: d.namespace, prom: d.prom, kind: d.kind, unit: d.unit, labels, count: s.count, sum: s.sum, avg: s.count > 0 ? s.sum / s.count : 0, samples: recent.length };
  if (recent.length > 0) {
    view.p50 = percentile(recent, 0.5);
    view.p90 = percentile(recent, 0.9);
    view.p99 = percentile(recent, 0.99);
    view.max = recent[recent.length - 1]!;
  }
  return view;
}

/** Nearest-rank percentile of sorted values: the smallest value with at least p of them at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1]!;
}

/** A sample value as the exposition format writes it. */
export function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  if (Number.isInteger(n)) return String(n);
  // Trim binary noise of scaled values (2.5 ms × 0.001 → 0.0025, not 0.0025000000000000005).
  return String(Number(n.toPrecision(15)));
}

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function renderLabels(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Answers `GET /metrics` (the Prometheus exposition) and `GET /_stratus/metrics` (JSON:
 * `{ "series": [...] }`; `name=` picks a metric by its query or Prometheus name, every other
 * parameter is a label filter, e.g. `?name=Invocations&function=NAME`). Returns false for any
 * other path, so the caller can go on dispatching.
 */
export function handleMetricsHttp(registry: MetricsRegistry, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const path = url.pathname;
  if (path !== '/metrics' && path !== '/_stratus/metrics') return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `${req.method ?? ''} is not allowed on ${path}` }));
    return true;
  }
  const answer = async (): Promise<{ type: string; body: string }> => {
    if (path === '/metrics') return { type: PROMETHEUS_CONTENT_TYPE, body: await registry.renderPrometheus() };
    const labels: Record<string, string> = {};
    let name: string | undefined;
    for (const [k, v] of url.searchParams) {
      if (k === 'name') name = v;
      else labels[k] = v;
    }
    const series = await registry.query({ ...(name !== undefined ? { name } : {}), labels });
    return { type: 'application/json', body: JSON.stringify({ series }) };
  };
  answer().then(
    ({ type, body }) => {
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    (err: unknown) => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: err instanceof Error ? err.message : String(err) }));
    },
  );
  return true;
}
