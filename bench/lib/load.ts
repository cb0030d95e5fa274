// Closed-loop load generator shared by the bench/ runners.
//
// `concurrency` workers each issue one op, await it, and issue the next, until the measurement
// window closes. The window is [start + warmupMs, start + warmupMs + durationMs]; an op counts
// (throughput and latency) when it *completes* inside the window, so ops completing during warmup
// are excluded and, in steady state, the count is unbiased. Ops still in flight when the window
// closes are awaited but not counted. Timing uses process.hrtime.bigint().

export interface LoadOptions {
  /** Number of closed-loop workers (each has at most one op in flight). */
  concurrency: number;
  /** Length of the measurement window, after warmup. */
  durationMs: number;
  /** Time spent issuing ops before the measurement window opens; those completions are not counted. */
  warmupMs: number;
  /** One operation; resolves to the number of records it got acknowledged. */
  op: (workerIndex: number, i: number) => Promise<number>;
  /** Abort the run after this many failed ops (default 0: the first error aborts). */
  maxErrors?: number;
}

export interface LoadResult {
  ops: number;
  records: number;
  seconds: number;
  opsPerSec: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Ops that failed (anywhere in the run, warmup included). */
  errors: number;
}

const NS_PER_MS = 1_000_000;

/** Nearest-rank percentile of an ascending-sorted array; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const rank = Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  return sorted[rank] as number;
}

/** Median of the values (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const xs = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, durationMs, warmupMs, op } = options;
  const maxErrors = options.maxErrors ?? 0;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`runLoad: concurrency must be a positive integer, got ${concurrency}`);
  if (!(durationMs > 0)) throw new Error(`runLoad: durationMs must be > 0, got ${durationMs}`);
  if (!(warmupMs >= 0)) throw new Error(`runLoad: warmupMs must be >= 0, got ${warmupMs}`);

  const start = process.hrtime.bigint();
  const windowStart = start + BigInt(Math.round(warmupMs * NS_PER_MS));
  const windowEnd = windowStart + BigInt(Math.round(durationMs * NS_PER_MS));

  // Latency (ns, as a double: exact up to ~104 days) of every op completing inside the window.
  let latencies = new Float64Array(1 << 16);
  let ops = 0;
  let records = 0;
  let errors = 0;
  let firstError: unknown;
  let aborted = false;

  const record = (ns: number, acked: number): void => {
    if (ops === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ops++] = ns;
    records += acked;
  };

  const worker = async (w: number): Promise<void> => {
    let i = 0;
    while (!aborted) {
      const t0 = process.hrtime.bigint();
      if (t0 >= windowEnd) return;
      let acked: number;
      try {
        acked = await op(w, i++);
      } catch (err) {
        errors++;
        if (firstError === undefined) firstError = err;
        if (errors > maxErrors) aborted = true;
        continue;
      }
      const t1 = process.hrtime.bigint();
      if (t1 >= windowStart && t1 <= windowEnd) record(Number(t1 - t0), acked);
    }
  };

  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  if (aborted) {
    const reason = firstError instanceof Error ? firstError.message : String(firstError);
    throw new Error(`runLoad: aborted after ${errors} failed op(s); first error: ${reason}`, { cause: firstError });
  }

  const sorted = latencies.subarray(0, ops).sort();
  const seconds = durationMs / 1000;
  return {
    ops,
    records,
    seconds,
    opsPerSec: ops / seconds,
    recordsPerSec: records / seconds,
    p50Ms: percentile(sorted, 0.5) / NS_PER_MS,
    p99Ms: percentile(sorted, 0.99) / NS_PER_MS,
    maxMs: ops === 0 ? Number.NaN : (sorted[ops - 1] as number) / NS_PER_MS,
    errors,
  };
}

export type Cell = string | number;

/**
 * Markdown table. The first row is the header. Columns whose body cells are all numbers (or
 * empty / "—") are right-aligned; numbers are printed as-is, so format them first.
 */
export function formatTable(rows: readonly (readonly Cell[])[]): string {
  const header = rows[0];
  if (!header) return '';
  const body = rows.slice(1);
  const width = header.length;
  const text = rows.map((r) => Array.from({ length: width }, (_, c) => String(r[c] ?? '')));
  const widths = Array.from({ length: width }, (_, c) => Math.max(3, ...text.map((r) => (r[c] as string).length)));
  const numeric = Array.from({ length: width }, (_, c) =>
    body.length > 0 && body.every((r) => {
      const v = r[c];
      return v === undefined || typeof v === 'number' || v === '' || v === '—' || /^[-+]?[\d.,]+(e[-+]?\d+)?[a-zµ%×]*$/i.test(v);
    }),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((s, c) => (numeric[c] ? s.padStart(widths[c] as number) : s.padEnd(widths[c] as number))).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (numeric[c] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(text[0] as string[]), rule, ...text.slice(1).map(line)].join('\n');
}

/** Fixed-precision number for tables: 3 significant digits below 100, integers above. */
export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(digits)).toString();
}
