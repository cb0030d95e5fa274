// The built-in trace store: the finished, sampled spans of this process, kept in memory and
// bounded, indexed by trace id, and queried like X-Ray (trace summaries, one trace, a service
// map). The tracer provider feeds it through `add`; `trace-http.ts` and `trace-service.ts` serve
// it over HTTP JSON and gRPC.
//
// Scope: one store per process. In the embedded server (`stratus start`) every tier runs in one
// process, so a trace is whole here; in a multi-node deployment each process keeps its own spans,
// so a query on one node sees that node's part of a trace only (`partial` marks a trace whose
// root span is not in this store).
//
// Costs: `add` is O(records) (a trace's aggregates are kept up to date as spans arrive);
// `summaries` is O(traces) plus a sort of the matches; `serviceMap` is O(spans in the window).
import type { SpanRecord } from './span-record.js';

export interface TraceStoreOptions {
  /** Spans kept in all; the least recently added-to traces are evicted whole past it. Default 100,000. */
  maxSpans?: number;
  /** Traces kept; unbounded by default (maxSpans bounds them). */
  maxTraces?: number;
  /** Spans kept of one trace; later ones are dropped and counted. Default min(10,000, maxSpans). */
  maxSpansPerTrace?: number;
}

export interface TraceSummary {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** The same id in X-Ray form: `1-` + 8 hex + `-` + 24 hex. */
  xrayTraceId: string;
  /** The root span's name and service (without a root span here: the earliest span's). */
  rootName: string;
  rootService: string;
  /** The root span's start (without one: the earliest span's), ms since the epoch. */
  startMs: number;
  /** The root span's duration (without one: latest end − earliest start). */
  durationMs: number;
  spanCount: number;
  /** The services with spans in the trace, sorted. */
  services: string[];
  /** Whether any span has status `error`. */
  hasError: boolean;
  /** `http.response.status_code` of the root span (else of the earliest span that has it). */
  httpStatus?: number;
  /** No root span in this store: still running, or the root was made by another process. */
  partial: boolean;
}

export interface TraceSummaryFilter {
  /** Traces that start at or after this time (ms since the epoch). */
  startMs?: number;
  /** Traces that start at or before this time (ms since the epoch). */
  endMs?: number;
  /** Traces with at least one span of this service. */
  service?: string;
  /** Traces with at least one span of this name. */
  name?: string;
  status?: 'ok' | 'error';
  minDurationMs?: number;
  maxDurationMs?: number;
  /** 1..1000, default 100. */
  limit?: number;
  /** From the previous page's answer. */
  nextToken?: string;
}

export interface TraceSummaryPage {
  /** Newest first (by start time, then trace id). */
  traces: TraceSummary[];
  /** Present when more traces match: pass it back for the next page. */
  nextToken?: string;
}

export interface ServiceMapFilter {
  /** Spans that start in [startMs, endMs] (ms since the epoch); both optional. */
  startMs?: number;
  endMs?: number;
}

export interface ServiceMapNode {
  name: string;
  /** Spans entering the service: roots, and spans whose parent is in another service (or not in this store). */
  requests: number;
  /** Of those, the ones with status `error`. */
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface ServiceMapEdge {
  /** Caller: the parent span's service, or for a link the linked (causing) span's service. */
  from: string;
  /** Callee: the child span's service, or the service of the span that has the link. */
  to: string;
  count: number;
  /** Callee spans with status `error`. */
  errors: number;
  /** Latency of the callee spans. */
  p50Ms: number;
  p99Ms: number;
  /** True for an edge made by span links (a message or event that crossed), false for parent→child. */
  link: boolean;
}

export interface ServiceMap {
  nodes: ServiceMapNode[];
  edges: ServiceMapEdge[];
}

export interface TraceStoreStats {
  traces: number;
  spans: number;
  /** Traces evicted to stay within the bounds, since the store was made. */
  evictedTraces: number;
  /** Spans dropped because their trace had maxSpansPerTrace already. */
  droppedSpans: number;
}

/** A bad query value; `parameter` is the filter's key (`limit`, `nextToken`, ...). */
export class TraceQueryError extends Error {
  constructor(
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(`${parameter}: ${reason}`);
    this.name = 'TraceQueryError';
  }
}

export const DEFAULT_MAX_SPANS = 100_000;
export const DEFAULT_SUMMARY_LIMIT = 100;
export const MAX_SUMMARY_LIMIT = 1000;

const TRACE_ID_RE = /^[0-9a-f]{32}$/;
const XRAY_ID_RE = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const HTTP_STATUS_ATTR = 'http.response.status_code';

/** `1-` + the first 8 hex digits + `-` + the remaining 24. */
export function toXrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** A trace id given as 32 hex digits or in X-Ray form, as 32 lowercase hex digits; undefined if neither. */
export function parseTraceId(id: string): string | undefined {
  const s = id.trim().toLowerCase();
  if (TRACE_ID_RE.test(s)) return s;
  const m = XRAY_ID_RE.exec(s);
  return m ? m[1]! + m[2]! : undefined;
}

interface TraceEntry {
  traceId: string;
  spans: Map<string, SpanRecord>;
  root: SpanRecord | undefined;
  /** The earliest-starting span (the root's stand-in while there is none). */
  first: SpanRecord;
  minStart: number;
  maxEnd: number;
  /** Distinct services, in order of arrival (a handful: an array beats a Set here). */
  services: string[];
  hasError: boolean;
  /** Add sequence when the trace was last (re)placed in the eviction order, and when last added to. */
  placed: number;
  touched: number;
}

const startOf = (t: TraceEntry): number => (t.root ? t.root.startMs : t.minStart);
const durationOf = (t: TraceEntry): number => (t.root ? t.root.durationMs : t.maxEnd - t.minStart);

/** Nearest-rank percentile of sorted values (0 for none). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function httpStatusOf(span: SpanRecord): number | undefined {
  const v = span.attributes[HTTP_STATUS_ATTR];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : undefined;
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

function hasSpanNamed(t: TraceEntry, name: string): boolean {
  for (const s of t.spans.values()) if (s.name === name) return true;
  return false;
}

function encodeToken(startMs: number, traceId: string): string {
  return Buffer.from(JSON.stringify([startMs, traceId])).toString('base64url');
}

function decodeToken(token: string): { startMs: number; traceId: string } {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    v = undefined;
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || !Number.isFinite(v[0]) || typeof v[1] !== 'string' || !TRACE_ID_RE.test(v[1])) {
    throw new TraceQueryError('nextToken', 'not a token this API returned');
  }
  return { startMs: v[0], traceId: v[1] };
}

function checkTime(key: string, v: number | undefined): void {
  if (v !== undefined && !Number.isFinite(v)) throw new TraceQueryError(key, `must be a time in ms since the epoch, got ${v}`);
}

function checkRange(startMs: number | undefined, endMs: number | undefined): void {
  checkTime('startMs', startMs);
  checkTime('endMs', endMs);
  if (startMs !== undefined && endMs !== undefined && endMs < startMs) throw new TraceQueryError('endMs', `must not be before startMs (${startMs}), got ${endMs}`);
}

function positiveInt(key: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`TraceStore: ${key} must be a positive integer, got ${v}`);
  return v;
}

export class TraceStore {
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly maxSpansPerTrace: number;
  private readonly traces = new Map<string, TraceEntry>();
  /**
   * The eviction queue (from `head` on): traces in the order they were placed. Eviction takes
   * from the front, and a trace added to since it was placed (`touched > placed`) goes to the back
   * instead, so the least recently added-to go first without reordering on every add. (A queue of
   * its own: taking the first entry of a Map that has had many deletions at its front is slow.)
   */
  private order: TraceEntry[] = [];
  private head = 0;
  private seq = 0;
  private spanCount = 0;
  private evicted = 0;
  private dropped = 0;

  constructor(options: TraceStoreOptions = {}) {
    this.maxSpans = positiveInt('maxSpans', options.maxSpans, DEFAULT_MAX_SPANS);
    this.maxTraces = options.maxTraces === undefined ? Number.POSITIVE_INFINITY : positiveInt('maxTraces', options.maxTraces, 0);
    this.maxSpansPerTrace = Math.min(this.maxSpans, positiveInt('maxSpansPerTrace', options.maxSpansPerTrace, Math.min(10_000, this.maxSpans)));
  }

  /**
   * Stores finished spans (kept by reference: do not change them after). A span id already in its
   * trace is ignored. O(records), plus the evictions it causes.
   */
  add(records: readonly SpanRecord[]): void {
    this.seq++;
    for (const r of records) {
      let t = this.traces.get(r.traceId);
      if (t === undefined) {
        t = {
          traceId: r.traceId,
          spans: new Map(),
          root: undefined,
          first: r,
          minStart: r.startMs,
          maxEnd: r.startMs + r.durationMs,
          services: [],
          hasError: false,
          placed: this.seq,
          touched: this.seq,
        };
        this.traces.set(r.traceId, t);
        this.order.push(t);
      } else {
        if (t.spans.has(r.spanId)) continue;
        t.touched = this.seq;
      }
      if (t.spans.size >= this.maxSpansPerTrace) {
        this.dropped++;
        continue;
      }
      t.spans.set(r.spanId, r);
      this.spanCount++;
      if (r.parentSpanId === undefined || r.parentSpanId === '') t.root = r;
      if (r.startMs < t.first.startMs) t.first = r;
      t.minStart = Math.min(t.minStart, r.startMs);
      t.maxEnd = Math.max(t.maxEnd, r.startMs + r.durationMs);
      if (!t.services.includes(r.service)) t.services.push(r.service);
      if (r.status === 'error') t.hasError = true;
    }
    this.evict();
  }

  private evict(): void {
    while ((this.spanCount > this.maxSpans || this.traces.size > this.maxTraces) && this.head < this.order.length) {
      const t = this.order[this.head]!;
      this.head++;
      if (t.touched > t.placed) {
        // Still being added to: a second chance at the back (once per add at most).
        t.placed = t.touched;
        this.order.push(t);
        continue;
      }
      this.traces.delete(t.traceId);
      this.spanCount -= t.spans.size;
      this.evicted++;
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  /** One trace's spans, sorted by start time; undefined when it is not (or no longer) here. Takes either id form. */
  trace(traceId: string): SpanRecord[] | undefined {
    const id = parseTraceId(traceId);
    const t = id === undefined ? undefined : this.traces.get(id);
    if (!t) return undefined;
    return [...t.spans.values()].sort((a, b) => a.startMs - b.startMs);
  }

  /** One trace's summary; undefined when it is not here. Takes either id form. */
  summary(traceId: string): TraceSummary | undefined {
    const id = parseTraceId(traceId);
    const t = id === undefined ? undefined : this.traces.get(id);
    return t ? this.summarize(t) : undefined;
  }

  /** Summaries of the traces that match, newest first, a page at a time. Throws TraceQueryError for a bad filter. */
  summaries(filter: TraceSummaryFilter = {}): TraceSummaryPage {
    const { startMs, endMs, service, name, status, minDurationMs, maxDurationMs } = filter;
    checkRange(startMs, endMs);
    for (const [key, v] of [['minDurationMs', minDurationMs], ['maxDurationMs', maxDurationMs]] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new TraceQueryError(key, `must be a number of ms, 0 or more, got ${v}`);
    }
    if (minDurationMs !== undefined && maxDurationMs !== undefined && maxDurationMs < minDurationMs) {
      throw new TraceQueryError('maxDurationMs', `must not be below minDurationMs (${minDurationMs}), got ${maxDurationMs}`);
    }
    if (status !== undefined && status !== 'ok' && status !== 'error') throw new TraceQueryError('status', `must be 'ok' or 'error', got '${String(status)}'`);
    const limit = filter.limit ?? DEFAULT_SUMMARY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SUMMARY_LIMIT) throw new TraceQueryError('limit', `must be an integer 1-${MAX_SUMMARY_LIMIT}, got ${limit}`);
    const after = filter.nextToken === undefined ? undefined : decodeToken(filter.nextToken);

    const matches: { t: TraceEntry; start: number }[] = [];
    for (const t of this.traces.values()) {
      const start = startOf(t);
      if (startMs !== undefined && start < startMs) continue;
      if (endMs !== undefined && start > endMs) continue;
      if (after && (start > after.startMs || (start === after.startMs && t.traceId >= after.traceId))) continue;
      if (service !== undefined && !t.services.includes(service)) continue;
      if (status !== undefined && t.hasError !== (status === 'error')) continue;
      const duration = durationOf(t);
      if (minDurationMs !== undefined && duration < minDurationMs) continue;
      if (maxDurationMs !== undefined && duration > maxDurationMs) continue;
      // Last: the one filter that looks at every span (names are not indexed, to keep add cheap).
      if (name !== undefined && !hasSpanNamed(t, name)) continue;
      matches.push({ t, start });
    }
    matches.sort((a, b) => b.start - a.start || (a.t.traceId < b.t.traceId ? 1 : a.t.traceId > b.t.traceId ? -1 : 0));
    const page = matches.slice(0, limit);
    const last = page[page.length - 1];
    return {
      traces: page.map((m) => this.summarize(m.t)),
      ...(matches.length > limit && last ? { nextToken: encodeToken(last.start, last.t.traceId) } : {}),
    };
  }

  /**
   * Services and the calls between them, from the spans that start in the window. Nodes count
   * the spans entering each service; edges come from parent→child spans in different services
   * and from links to a span of another service (`link: true`, from the linked span's service).
   */
  serviceMap(filter: ServiceMapFilter = {}): ServiceMap {
    const { startMs, endMs } = filter;
    checkRange(startMs, endMs);
    const nodes = new Map<string, { errors: number; latencies: number[] }>();
    const edges = new Map<string, { from: string; to: string; link: boolean; errors: number; latencies: number[] }>();
    const edge = (from: string, to: string, link: boolean, callee: SpanRecord): void => {
      const key = `${link ? 'L' : 'P'}\u0000${from}\u0000${to}`;
      let e = edges.get(key);
      if (!e) edges.set(key, (e = { from, to, link, errors: 0, latencies: [] }));
      e.latencies.push(callee.durationMs);
      if (callee.status === 'error') e.errors++;
    };
    for (const t of this.traces.values()) {
      if ((startMs !== undefined && t.maxEnd < startMs) || (endMs !== undefined && t.minStart > endMs)) continue;
      for (const s of t.spans.values()) {
        if ((startMs !== undefined && s.startMs < startMs) || (endMs !== undefined && s.startMs > endMs)) continue;
        const parent = s.parentSpanId ? t.spans.get(s.parentSpanId) : undefined;
        if (!parent || parent.service !== s.service) {
          let n = nodes.get(s.service);
          if (!n) nodes.set(s.service, (n = { errors: 0, latencies: [] }));
          n.latencies.push(s.durationMs);
          if (s.status === 'error') n.errors++;
        }
        if (parent && parent.service !== s.service) edge(parent.service, s.service, false, s);
        for (const l of s.links) {
          const linked = (l.traceId === t.traceId ? t : this.traces.get(l.traceId))?.spans.get(l.spanId);
          if (linked && linked.service !== s.service) edge(linked.service, s.service, true, s);
        }
      }
    }
    const sorted = (xs: number[]): number[] => xs.sort((a, b) => a - b);
    return {
      nodes: [...nodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, n]) => {
        const l = sorted(n.latencies);
        return { name, requests: l.length, errors: n.errors, p50Ms: percentile(l, 50), p99Ms: percentile(l, 99) };
      }),
      edges: [...edges.values()]
        .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : Number(a.link) - Number(b.link)))
        .map((e) => {
          const l = sorted(e.latencies);
          return { from: e.from, to: e.to, count: l.length, errors: e.errors, p50Ms: percentile(l, 50), p99Ms: percentile(l, 99), link: e.link };
        }),
    };
  }

  stats(): TraceStoreStats {
    return { traces: this.traces.size, spans: this.spanCount, evictedTraces: this.evicted, droppedSpans: this.dropped };
  }

  clear(): void {
    this.traces.clear();
    this.order = [];
    this.head = 0;
    this.spanCount = 0;
  }

  private summarize(t: TraceEntry): TraceSummary {
    const head = t.root ?? t.first;
    let httpStatus = httpStatusOf(head);
    if (httpStatus === undefined) {
      let at = Number.POSITIVE_INFINITY;
      for (const s of t.spans.values()) {
        const h = s.startMs < at ? httpStatusOf(s) : undefined;
        if (h !== undefined) {
          httpStatus = h;
          at = s.startMs;
        }
      }
    }
    return {
      traceId: t.traceId,
      xrayTraceId: toXrayTraceId(t.traceId),
      rootName: head.name,
      rootService: head.service,
      startMs: startOf(t),
      durationMs: durationOf(t),
      spanCount: t.spans.size,
      services: [...t.services].sort(),
      hasError: t.hasError,
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      partial: t.root === undefined,
    };
  }
}
