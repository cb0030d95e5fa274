// The scheduler's metrics (names in nodes/telemetry/metric-names.ts): invocations, errors,
// throttles and durations per function version, and the use of provisioned environments.
import { Metric } from '../telemetry/metric-names.js';
import { type Counter, type Histogram, type MetricsRegistry } from '../telemetry/metrics.js';

interface ProvisionedUse {
  fn: string;
  version: string;
  count: number;
  busy: number;
}

export class FunctionMetrics {
  private readonly invocations: Counter<'function' | 'version'>;
  private readonly errors: Counter<'function' | 'version'>;
  private readonly throttles: Counter<'function' | 'version'>;
  private readonly duration: Histogram<'function' | 'version'>;
  /** Provisioned environments per execution-pool spec key, and how many of them are in use. */
  private readonly provisioned = new Map<string, ProvisionedUse>();

  constructor(registry: MetricsRegistry) {
    this.invocations = registry.counter(Metric.Invocations);
    this.errors = registry.counter(Metric.Errors);
    this.throttles = registry.counter(Metric.Throttles);
    this.duration = registry.histogram(Metric.Duration);
    registry.collect(Metric.ProvisionedConcurrentExecutions, () => [...this.provisioned.values()].map((p) => ({ labels: { function: p.fn, version: p.version }, value: p.busy })));
    registry.collect(Metric.ProvisionedConcurrencyUtilization, () => [...this.provisioned.values()].map((p) => ({ labels: { function: p.fn, version: p.version }, value: p.count > 0 ? p.busy / p.count : 0 })));
  }

  /** The function's code ran (whatever it answered). */
  invoked(fn: string, version: string, durationMs: number, functionError: boolean): void {
    const labels = { function: fn, version };
    this.invocations.inc(labels);
    if (functionError) this.errors.inc(labels);
    this.duration.observe(labels, durationMs);
  }

  throttled(fn: string, version: string): void {
    this.throttles.inc({ function: fn, version });
  }

  /** `count` provisioned environments of the spec are initialised (0: none any more). */
  setProvisioned(specKey: string, fn: string, version: string, count: number): void {
    if (count <= 0) {
      this.provisioned.delete(specKey);
      return;
    }
    const cur = this.provisioned.get(specKey);
    this.provisioned.set(specKey, { fn, version, count, busy: cur?.busy ?? 0 });
  }

  dropProvisioned(specKey: string): void {
    this.provisioned.delete(specKey);
  }

  /**
   * Called synchronously right after `ExecutionPool.invoke` started an invocation of the spec:
   * mirrors the pool's choice (a provisioned environment while fewer than `count` are busy)
   * and returns what ends the use when the invocation settles.
   */
  useProvisioned(specKey: string): (() => void) | undefined {
    const p = this.provisioned.get(specKey);
    if (!p || p.busy >= p.count) return undefined;
    p.busy++;
    return () => {
      p.busy--;
    };
  }
}
