// Timers of queue partitions, run by each partition's leader from replicated state, so they
// survive leader changes: messages past the retention period are expired (the cutoff travels
// in the command, stamped by the leader), and messages a receive marked dead (their receive
// count reached the redrive policy's maxReceiveCount) are moved to the dead-letter queue.
//
// A move is: send to the dead-letter queue (through the cluster client, any node), then
// `ackDead` in the source partition. A leader that fails between the two leaves the message
// dead; the next leader sends it again, so a move is at least once (a FIFO dead-letter queue
// drops the repeat through its deduplication id, the message id). The moved message records the
// queue it came from, for DeadLetterQueueSourceArn and for redrive back to it.
//
// The same sweep runs the message move tasks (redrive out of a dead-letter queue, move-tasks.ts).
import { randomUUID } from 'node:crypto';
import { type QueueRecord } from '../../storage/partitions/meta-codec.js';
import {
  decodeAckDeadResult,
  decodeDeadResult,
  decodeExpireResult,
  decodeSendResult,
  decodeStatsResult,
  encodeQueueCommand,
  encodeQueueQuery,
} from '../../storage/partitions/queue-codec.js';
import { type ClusterClient } from '../cluster/client.js';
import { partitionForKey } from '../cluster/hash.js';
import { type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';
import { MoveTaskRunner } from './move-tasks.js';
import { movedItem } from './move-tasks.js';
import { type StorageNode } from './node.js';

/** Expire commands one partition gets per sweep at most (each removes up to EXPIRE_BATCH messages). */
const MAX_EXPIRE_ROUNDS = 10;

export class QueueTimers {
  private readonly sequencer = new Sequencer(`queue-timers-${randomUUID()}`);
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly moves: MoveTaskRunner;

  constructor(
    private readonly node: StorageNode,
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
    private readonly intervalMs = 1000,
  ) {
    this.moves = new MoveTaskRunner(node, client, placement, log);
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private proposeLocal(group: number, payload: ReturnType<typeof encodeQueueCommand>): Promise<Uint8Array> {
    return this.sequencer.propose(payload, (bytes) => this.node.proposeLocal(group, bytes) ?? Promise.reject(new Error('no longer the leader')));
  }

  async sweep(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const view = await this.placement.current(5000).catch(() => undefined);
      for (const q of view?.queues ?? []) {
        for (const group of q.groupIds) {
          const rep = this.node.replicas.get(group);
          if (!rep || rep.closed || !rep.isLeader()) continue;
          await withSpan(SpanName.QueueTimers, { [Attr.QueueName]: q.name, [Attr.Group]: group }, () => this.tend(q, group, now)).catch((err: unknown) => this.log(`queue ${q.name} group ${group}: ${err instanceof Error ? err.message : String(err)}`));
        }
      }
      if (view) await this.moves.sweep(view.queues).catch((err: unknown) => this.log(`move tasks: ${err instanceof Error ? err.message : String(err)}`));
    } finally {
      this.running = false;
    }
  }

  private async tend(q: QueueRecord, group: number, now: number): Promise<void> {
    const rep = this.node.replicas.get(group);
    if (!rep) return;
    const retentionMs = Number(q.attributes.MessageRetentionPeriod ?? 345600) * 1000;
    const stats = decodeStatsResult(await rep.sm.read(encodeQueueQuery({ type: 'stats', now, retentionMs, fifo: q.fifo }), rep.store));
    if (!stats.ok) return;
    if (stats.value.expired > 0) {
      // Bounded, so one huge backlog does not hold up every other partition's timers.
      for (let round = 0; round < MAX_EXPIRE_ROUNDS; round++) {
        const r = decodeExpireResult(await this.proposeLocal(group, encodeQueueCommand({ type: 'expire', retentionMs })));
        if (!r.ok || !r.value.more) break;
      }
    }
    if (stats.value.dead > 0) await this.moveDead(q, group);
  }

  private async moveDead(q: QueueRecord, group: number): Promise<void> {
    const rep = this.node.replicas.get(group);
    if (!rep) return;
    const dead = decodeDeadResult(await rep.sm.read(encodeQueueQuery({ type: 'dead', max: 100 }), rep.store));
    if (!dead.ok || dead.value.length === 0) return;
    const arn = redriveTarget(q);
    const dlq = arn === undefined ? undefined : (await this.placement.current(5000)).queues.find((x) => arnName(arn) === x.name);
    if (!dlq) return; // the policy was removed or its queue deleted: the messages wait, invisible
    for (const m of dead.value) {
      const item = movedItem(m, dlq, { sentTimestamp: m.sentTimestamp, deadLetterSource: q.name });
      const partition = dlq.fifo && m.groupId !== undefined ? partitionForKey(m.groupId, dlq.groupIds.length) : m.seq % dlq.groupIds.length;
      const target = dlq.groupIds[partition]!;
      const sent = decodeSendResult(await this.sequencer.propose(encodeQueueCommand({ type: 'send', fifo: dlq.fifo, messages: [item] }), (b) => this.client.propose(target, b)));
      if (!sent.ok) {
        this.log(`queue ${q.name}: cannot move message ${m.id} to ${dlq.name}: ${sent.message}`);
        return;
      }
      const acked = decodeAckDeadResult(await this.proposeLocal(group, encodeQueueCommand({ type: 'ackDead', seqs: [m.seq] })));
      if (!acked.ok) return;
    }
  }
}

function redriveTarget(q: QueueRecord): string | undefined {
  const v = q.attributes.RedrivePolicy;
  if (!v) return undefined;
  const o = JSON.parse(v) as { deadLetterTargetArn?: unknown };
  return typeof o.deadLetterTargetArn === 'string' ? o.deadLetterTargetArn : undefined;
}

function arnName(arn: string): string {
  return arn.slice(arn.lastIndexOf(':') + 1);
}
