// Runs SQS message move tasks (dead-letter-queue redrive). The meta group only records a task;
// the leader of each partition of the source queue moves that partition's messages, so the work
// follows leadership and survives failover like the other queue timers.
//
// One batch: receive up to 10 messages from the source partition (a long visibility, no
// redrive), read their records, send each to its destination (the task's, else the queue the
// message was dead-lettered from) through the cluster client, then delete it from the source and
// report the count to the task. A crash between the send and the delete leaves the message in
// the source, where it becomes visible again and is sent a second time: moves are at least once
// (a FIFO destination drops the repeat within five minutes, the message id being its
// deduplication id).
//
// The leader of the source's partition 0 completes the task once no partition holds a visible,
// in-flight or delayed message. A missing destination fails the task; the messages it held go
// back to being visible in the source at once.
import { randomUUID } from 'node:crypto';
import {
  type MoveTaskCommand,
  type MoveTaskRecord,
  type QueueRecord,
  decodeMoveTaskListResult,
  decodeMoveTaskResult,
  encodeMetaCommand,
  encodeMetaQuery,
} from '../../storage/partitions/meta-codec.js';
import {
  type MessageRecord,
  type ReceivedMessage,
  type SendItem,
  decodeChangeVisibilityResult,
  decodeDeleteResult,
  decodeGetResult,
  decodeReceiveResult,
  decodeSendResult,
  decodeStatsResult,
  encodeQueueCommand,
  encodeQueueQuery,
} from '../../storage/partitions/queue-codec.js';
import { type ClusterClient } from '../cluster/client.js';
import { partitionForKey } from '../cluster/hash.js';
import { META_GROUP, type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { type StorageNode } from './node.js';

/** A batch, as receive and send allow. */
const BATCH = 10;
/** Messages one partition moves per sweep at most, so a large redrive does not starve the other timers. */
const MAX_PER_SWEEP = 200;
/** Long enough for the sends of a batch: a message shows again only if its leader died meanwhile. */
const MOVE_VISIBILITY_MS = 60_000;
/** What AWS reports when a destination queue is gone (its query error code). */
export const MISSING_QUEUE_REASON = 'AWS.SimpleQueueService.NonExistentQueue';

type Outcome = { moved: number } | { moved: number; failure: string };

export class MoveTaskRunner {
  private readonly sequencer = new Sequencer(`move-tasks-${randomUUID()}`);
  /**
   * Token buckets per (task, partition): a task's rate is split evenly over its source's
   * partitions, so the leaders need not coordinate. A new leader starts with a full bucket.
   */
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly node: StorageNode,
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
  ) {}

  async sweep(queues: QueueRecord[]): Promise<void> {
    const led = new Map<string, { q: QueueRecord; partitions: number[] }>();
    for (const q of queues) {
      const partitions = q.groupIds.flatMap((g, p) => (this.leads(g) ? [p] : []));
      if (partitions.length > 0) led.set(q.name, { q, partitions });
    }
    // Only nodes that lead some queue partition can have work: the others skip the meta read.
    if (led.size === 0) {
      this.buckets.clear();
      return;
    }
    const running = decodeMoveTaskListResult(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'listMoveTasks' })));
    if (!running.ok) return;
    const live = new Set<string>();
    for (const task of running.value) {
      const src = led.get(task.source);
      if (!src) continue;
      let failed = false;
      for (const p of src.partitions) {
        live.add(bucketKey(task, p));
        if (failed) continue;
        try {
          failed = await this.movePartition(task, src.q, p);
        } catch (err) {
          this.log(`move task on ${task.source} partition ${p}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (!failed && src.partitions.includes(0)) {
        await this.completeIfEmpty(task, src.q).catch((err: unknown) => this.log(`move task on ${task.source}: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
    for (const k of [...this.buckets.keys()]) if (!live.has(k)) this.buckets.delete(k);
  }

  private leads(group: number): boolean {
    const rep = this.node.replicas.get(group);
    return rep !== undefined && !rep.closed && rep.isLeader();
  }

  /** Moves what this sweep's share of the rate allows; true when the task failed. */
  private async movePartition(task: MoveTaskRecord, q: QueueRecord, p: number): Promise<boolean> {
    const group = q.groupIds[p]!;
    let allowance = this.allowance(task, q.groupIds.length, p);
    let moved = 0;
    let failure: string | undefined;
    try {
      while (allowance > 0 && failure === undefined && this.leads(group)) {
        const got = decodeReceiveResult(
          await this.proposeLocal(group, encodeQueueCommand({ type: 'receive', fifo: q.fifo, max: Math.min(BATCH, allowance), visibilityTimeoutMs: MOVE_VISIBILITY_MS, maxReceiveCount: 0, retentionMs: retentionOf(q) })),
        );
        if (!got.ok || got.value.messages.length === 0) break;
        const received = got.value.messages;
        allowance -= received.length;
        this.spend(task, p, received.length);
        const out = await this.moveBatch(task, q, group, received);
        moved += out.moved;
        if ('failure' in out) failure = out.failure;
      }
    } finally {
      if (moved > 0 || failure !== undefined) {
        await this.update({ type: 'updateMoveTask', source: task.source, handle: task.handle, moved, ...(failure !== undefined ? { status: 'FAILED' as const, failureReason: failure } : {}) });
      }
    }
    return failure !== undefined;
  }

  private async moveBatch(task: MoveTaskRecord, q: QueueRecord, group: number, received: ReceivedMessage[]): Promise<Outcome> {
    const rep = this.node.replicas.get(group);
    if (!rep) return { moved: 0 };
    const got = decodeGetResult(await rep.sm.read(encodeQueueQuery({ type: 'get', seqs: received.map((m) => m.seq) }), rep.store));
    if (!got.ok) throw new Error(`reading messages: ${got.message}`);
    const sent = new Set<number>();
    const failure = await this.deliver(task, got.value, sent);
    const done = received.filter((m) => sent.has(m.seq));
    const back = received.filter((m) => !sent.has(m.seq));
    if (done.length > 0) {
      const del = decodeDeleteResult(await this.proposeLocal(group, encodeQueueCommand({ type: 'delete', entries: done.map(receipt) })));
      if (!del.ok) throw new Error(`deleting moved messages from ${q.name}: ${del.message}`);
    }
    if (failure !== undefined && back.length > 0) {
      // Hidden for a minute otherwise, though nothing will move them now.
      const entries = back.map((m) => ({ ...receipt(m), visibilityTimeoutMs: 0 }));
      decodeChangeVisibilityResult(await this.proposeLocal(group, encodeQueueCommand({ type: 'changeVisibility', entries })));
    }
    return failure === undefined ? { moved: done.length } : { moved: done.length, failure };
  }

  /** Sends the records, adding each seq sent (or found a duplicate) to `sent`; the reason of a failure. */
  private async deliver(task: MoveTaskRecord, records: MessageRecord[], sent: Set<number>): Promise<string | undefined> {
    const byTarget = new Map<number, { dest: QueueRecord; items: { seq: number; item: SendItem }[] }>();
    for (const m of records) {
      const name = task.destination ?? m.deadLetterSource;
      // No name: the message was sent to the dead-letter queue directly, so it has nowhere to go back to.
      const dest = name === undefined ? undefined : await this.placement.queue(name);
      if (!dest) return MISSING_QUEUE_REASON;
      if (dest.fifo && m.groupId === undefined) return `Message ${m.id} has no message group id, which the FIFO queue ${dest.name} needs.`;
      const partition = dest.fifo ? partitionForKey(m.groupId!, dest.groupIds.length) : m.seq % dest.groupIds.length;
      const target = dest.groupIds[partition]!;
      const entry = byTarget.get(target) ?? { dest, items: [] };
      entry.items.push({ seq: m.seq, item: movedItem(m, dest) });
      byTarget.set(target, entry);
    }
    for (const [target, { dest, items }] of byTarget) {
      for (let i = 0; i < items.length; i += BATCH) {
        const chunk = items.slice(i, i + BATCH);
        const cmd = encodeQueueCommand({ type: 'send', fifo: dest.fifo, messages: chunk.map((c) => c.item) });
        const r = decodeSendResult(await this.sequencer.propose(cmd, (b) => this.client.propose(target, b)));
        if (!r.ok) {
          this.log(`move task on ${task.source}: cannot send to ${dest.name}: ${r.message}`);
          return r.code === 'NotFound' ? MISSING_QUEUE_REASON : r.message;
        }
        for (const c of chunk) sent.add(c.seq);
      }
    }
    return undefined;
  }

  private async completeIfEmpty(task: MoveTaskRecord, q: QueueRecord): Promise<void> {
    const now = Date.now();
    const query = encodeQueueQuery({ type: 'stats', now, retentionMs: retentionOf(q), fifo: q.fifo });
    for (const g of q.groupIds) {
      const s = decodeStatsResult(await this.client.read(g, query));
      if (!s.ok || s.value.visible + s.value.inFlight + s.value.delayed > 0) return;
    }
    await this.update({ type: 'updateMoveTask', source: task.source, handle: task.handle, moved: 0, status: 'COMPLETED' });
  }

  private async update(cmd: MoveTaskCommand): Promise<void> {
    const r = decodeMoveTaskResult(await this.sequencer.propose(encodeMetaCommand(cmd), (b) => this.client.propose(META_GROUP, b)));
    // NotFound: the source queue was deleted, and its tasks with it.
    if (!r.ok && r.code !== 'NotFound') this.log(`move task on ${cmd.source}: ${r.message}`);
  }

  private allowance(task: MoveTaskRecord, partitions: number, p: number): number {
    if (task.maxPerSecond === undefined) return MAX_PER_SWEEP;
    const rate = task.maxPerSecond / partitions;
    // A bucket holds one second's worth, and at least one message so that slow shares still move.
    const cap = Math.max(1, rate);
    const now = Date.now();
    const key = bucketKey(task, p);
    const b = this.buckets.get(key) ?? { tokens: cap, at: now };
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(key, b);
    return Math.min(MAX_PER_SWEEP, Math.floor(b.tokens));
  }

  private spend(task: MoveTaskRecord, p: number, n: number): void {
    const b = this.buckets.get(bucketKey(task, p));
    if (b) b.tokens -= n;
  }

  private proposeLocal(group: number, payload: ReturnType<typeof encodeQueueCommand>): Promise<Uint8Array> {
    return this.sequencer.propose(payload, (bytes) => this.node.proposeLocal(group, bytes) ?? Promise.reject(new Error('no longer the leader')));
  }
}

function bucketKey(task: MoveTaskRecord, p: number): string {
  return `${task.handle}/${p}`;
}

function receipt(m: ReceivedMessage): { seq: number; receiveCount: number } {
  return { seq: m.seq, receiveCount: m.receiveCount };
}

function retentionOf(q: QueueRecord): number {
  return Number(q.attributes.MessageRetentionPeriod ?? 345600) * 1000;
}

/**
 * The message as its destination receives it, when it is moved (redriven back, or dead-lettered):
 * the same id, body and attributes; a FIFO destination keeps the group and deduplicates by the
 * message's deduplication id (else its id), which makes a repeated move harmless. `extra` keeps
 * the original sent time and records where a dead-lettered message came from.
 */
export function movedItem(m: MessageRecord, dest: QueueRecord, extra: { sentTimestamp?: number; deadLetterSource?: string } = {}): SendItem {
  const scope = dest.attributes.DeduplicationScope === 'messageGroup' ? 'messageGroup' : 'queue';
  return {
    id: m.id,
    body: m.body,
    attributes: m.attributes,
    md5OfBody: m.md5OfBody,
    md5OfAttributes: m.md5OfAttributes,
    delayMs: 0,
    senderId: m.senderId,
    ...(m.groupId !== undefined ? { groupId: m.groupId } : {}),
    ...(dest.fifo ? { dedupId: m.dedupId ?? m.id, dedupScope: scope } : {}),
    ...(m.traceHeader !== undefined ? { traceHeader: m.traceHeader } : {}),
    ...extra,
  };
}
