// A storage node's metrics (names in nodes/telemetry/metric-names.ts): leader changes seen by
// the ready loop, commit latency of proposals on the leader (replica.ts), fsync latency of the
// group committer's synced writes, and, read at scrape time, groups, leaderships and apply lag.
import { Metric } from '../telemetry/metric-names.js';
import { type Counter, type Histogram, type MetricsRegistry } from '../telemetry/metrics.js';
import { type Replica } from './replica.js';

export class StorageMetrics {
  private readonly leaderChanges: Counter<never>;
  private readonly commitLatency: Histogram<never>;
  private readonly fsyncLatency: Histogram<never>;
  /** The last leader each replica learned of (0 until it learns one). */
  private readonly lastLeader = new WeakMap<Replica, number>();

  constructor(registry: MetricsRegistry, replicas: () => Iterable<Replica>) {
    this.leaderChanges = registry.counter(Metric.RaftLeaderChanges);
    this.commitLatency = registry.histogram(Metric.RaftCommitLatency);
    this.fsyncLatency = registry.histogram(Metric.FsyncLatency);
    const live = (): Replica[] => [...replicas()].filter((r) => !r.closed);
    const lags = (): number[] => live().map((r) => Math.max(0, r.raw.raft.log.committed - r.appliedIndex));
    registry.collect(Metric.RaftGroups, () => [{ labels: {}, value: live().length }]);
    registry.collect(Metric.RaftLeaders, () => [{ labels: {}, value: live().filter((r) => r.isLeader()).length }]);
    registry.collect(Metric.RaftApplyLagMax, () => [{ labels: {}, value: Math.max(0, ...lags()) }]);
    registry.collect(Metric.RaftApplyLag, () => [{ labels: {}, value: lags().reduce((a, b) => a + b, 0) }]);
  }

  /** A Ready carried a soft state: counts a change when it names a leader other than the last one. */
  readonly observeLeader = (rep: Replica, lead: number): void => {
    if (lead === 0 || this.lastLeader.get(rep) === lead) return;
    this.lastLeader.set(rep, lead);
    this.leaderChanges.inc({});
  };

  /** A proposal made on this (leader) replica was applied, `ms` after it was proposed. */
  readonly committed = (ms: number): void => {
    this.commitLatency.observe({}, ms);
  };

  /** The group committer wrote a batch. */
  readonly written = (w: { synced: boolean; ms: number }): void => {
    if (w.synced) this.fsyncLatency.observe({}, w.ms);
  };
}
