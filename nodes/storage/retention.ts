// Retention: the leader of each log partition whose log has a retention period trims records
// older than it. The cutoff is computed here, on the leader's clock, and travels in the command
// (TrimBefore), so every replica trims exactly the same records. A partition with nothing old
// enough is left alone: no proposal, so idle partitions stay quiet.
import { randomUUID } from 'node:crypto';
import { decodeInfoResult, decodeTrimResult, encodeLogCommand, encodeLogQuery } from '../../storage/partitions/log-codec.js';
import { type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { type StorageNode } from './node.js';

export class Retention {
  private readonly sequencer = new Sequencer(`retention-${randomUUID()}`);
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly node: StorageNode,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over the partitions this node leads. */
  async sweep(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const view = await this.placement.current(5000).catch(() => undefined);
      // Kinesis shards (the `stream` kind) are logs too, with the stream's retention period.
      const targets = [
        ...(view?.logs ?? []),
        ...(view?.streams ?? []).map((s) => ({ name: s.name, retentionMs: s.retentionHours * 3_600_000, groupIds: s.shards.map((sh) => sh.groupId) })),
      ];
      for (const l of targets) {
        if (l.retentionMs <= 0) continue;
        const cutoff = now - l.retentionMs;
        for (const group of l.groupIds) {
          const rep = this.node.replicas.get(group);
          if (!rep || rep.closed || !rep.isLeader()) continue;
          const info = decodeInfoResult(await rep.sm.read(encodeLogQuery({ type: 'info' }), rep.store));
          if (!info.ok || info.value.firstTimestampMs === null || info.value.firstTimestampMs >= cutoff) continue;
          const r = await this.sequencer
            .propose(encodeLogCommand({ type: 'trimBefore', cutoffMs: cutoff }), (bytes) => this.node.proposeLocal(group, bytes) ?? Promise.reject(new Error('no longer the leader')))
            .then(decodeTrimResult)
            .catch(() => undefined);
          if (r && !r.ok) this.log(`retention: log ${l.name} group ${group}: ${r.message}`);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
