// Concurrency accounting as Lambda does it: a function with reserved concurrency may run at most
// that many invocations at once and always can run that many; every other function shares what
// the reservations leave of the account limit.
//
// The counts live in the scheduler that runs the invocations. Every invocation of the cluster
// runs through one scheduler at a time per function (the gateway routes by function), so these
// counts are the cluster's; see docs/ARCHITECTURE.md for the multi-scheduler plan.

import { Metric } from '../telemetry/metric-names.js';
import { type Gauge, type MetricsRegistry } from '../telemetry/metrics.js';

export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

export type Admission = { ok: true; release: () => void } | { ok: false; reason: ThrottleReason };

export class Concurrency {
  private unreservedRunning = 0;
  private readonly running = new Map<string, number>();
  private totalRunning = 0;
  private readonly gauges: { fn: Gauge<'function'>; account: Gauge<never>; unreserved: Gauge<never> } | undefined;

  constructor(
    readonly accountLimit: number,
    metrics?: MetricsRegistry,
  ) {
    this.gauges = metrics && {
      fn: metrics.gauge(Metric.ConcurrentExecutions),
      account: metrics.gauge(Metric.AccountConcurrentExecutions),
      unreserved: metrics.gauge(Metric.UnreservedConcurrentExecutions),
    };
  }

  /**
   * Admits one invocation of `fn` or says why not. `reserved` is the function's reserved
   * concurrency (null: none); `totalReserved` is the sum over the account.
   */
  admit(fn: string, reserved: number | null, totalReserved: number): Admission {
    const mine = this.running.get(fn) ?? 0;
    if (reserved !== null) {
      if (mine >= reserved) return { ok: false, reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' };
    } else if (this.unreservedRunning >= Math.max(0, this.accountLimit - totalReserved)) {
      return { ok: false, reason: 'ConcurrentInvocationLimitExceeded' };
    }
    this.running.set(fn, mine + 1);
    if (reserved === null) this.unreservedRunning++;
    this.totalRunning++;
    this.publish(fn, mine + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.running.get(fn) ?? 1) - 1;
        if (n <= 0) this.running.delete(fn);
        else this.running.set(fn, n);
        if (reserved === null) this.unreservedRunning--;
        this.totalRunning--;
        this.publish(fn, Math.max(0, n));
      },
    };
  }

  private publish(fn: string, running: number): void {
    if (!this.gauges) return;
    this.gauges.fn.set({ function: fn }, running);
    this.gauges.account.set({}, this.totalRunning);
    this.gauges.unreserved.set({}, this.unreservedRunning);
  }

  runningOf(fn: string): number {
    return this.running.get(fn) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const v of this.running.values()) n += v;
    return n;
  }
}
