// The gateway's calls to a queue's partitions (one Raft group each): proposals go through the
// gateway's exactly-once session; reads of counters are linearizable; message bodies, which
// never change, are read from any up-to-date replica.
import { type ErrorResult } from '../../../storage/partitions/envelope.js';
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import {
  type ChangeVisibilityResult,
  type DeleteResult,
  type MessageRecord,
  type QueueStats,
  type ReceiveResult,
  type SendItem,
  type SendResult,
  type VisibilityChange,
  type ReceiptRef,
  decodeChangeVisibilityResult,
  decodeDeleteResult,
  decodeGetResult,
  decodePurgeResult,
  decodeReceiveResult,
  decodeSendResult,
  decodeStatsResult,
  encodeQueueCommand,
  encodeQueueQuery,
} from '../../../storage/partitions/queue-codec.js';
import { partitionForKey } from '../../cluster/hash.js';
import { AwsError } from '../errors.js';
import { type SqsBackend } from './backend.js';

function unwrap<T>(r: { ok: true; value: T } | ErrorResult): T {
  if (r.ok) return r.value;
  if (r.code === 'InvalidArgument') throw new AwsError('InvalidParameterValue', r.message);
  throw new AwsError('InternalFailure', r.message);
}

export const retentionMsOf = (q: QueueRecord): number => Number(q.attributes.MessageRetentionPeriod ?? 345600) * 1000;

export function statsProbe(): Uint8Array {
  return encodeQueueQuery({ type: 'stats', now: 0, retentionMs: 60_000, fifo: false });
}

export function groupOf(q: QueueRecord, partition: number): number {
  const g = q.groupIds[partition];
  if (g === undefined) throw new AwsError('InternalFailure', `queue ${q.name} has no partition ${partition}`);
  return g;
}

/** FIFO queues place a message group by hash, so one group's order is decided in one place. */
export function partitionForGroup(q: QueueRecord, groupId: string): number {
  return partitionForKey(groupId, q.groupIds.length);
}

let spread = 0;
/** Standard queues spread sends round-robin over partitions. */
export function nextPartition(q: QueueRecord): number {
  spread = (spread + 1) % 1_000_000;
  return spread % q.groupIds.length;
}

export async function partitionStats(sqs: SqsBackend, q: QueueRecord, partition: number, now = Date.now()): Promise<QueueStats> {
  const bytes = await sqs.client.read(groupOf(q, partition), encodeQueueQuery({ type: 'stats', now, retentionMs: retentionMsOf(q), fifo: q.fifo }));
  return unwrap(decodeStatsResult(bytes));
}

export async function queueStats(sqs: SqsBackend, q: QueueRecord): Promise<QueueStats> {
  const all = await Promise.all(q.groupIds.map((_, p) => partitionStats(sqs, q, p)));
  const sum: QueueStats = { visible: 0, inFlight: 0, delayed: 0, dead: 0, expired: 0, nextVisibleAt: 0, oldestSentTimestamp: 0 };
  const earliest = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : Math.min(a, b));
  for (const s of all) {
    sum.visible += s.visible;
    sum.inFlight += s.inFlight;
    sum.delayed += s.delayed;
    sum.dead += s.dead;
    sum.expired += s.expired;
    sum.nextVisibleAt = earliest(sum.nextVisibleAt, s.nextVisibleAt);
    sum.oldestSentTimestamp = earliest(sum.oldestSentTimestamp, s.oldestSentTimestamp);
  }
  return sum;
}

export async function send(sqs: SqsBackend, q: QueueRecord, partition: number, messages: SendItem[]): Promise<SendResult> {
  const bytes = await sqs.propose(groupOf(q, partition), encodeQueueCommand({ type: 'send', fifo: q.fifo, messages }));
  const r = unwrap(decodeSendResult(bytes));
  sqs.metrics?.sent(q, r.messages.length);
  return r;
}

export async function receive(
  sqs: SqsBackend,
  q: QueueRecord,
  partition: number,
  o: { max: number; visibilityTimeoutMs: number; maxReceiveCount: number; attemptId?: string },
): Promise<ReceiveResult> {
  const cmd = encodeQueueCommand({ type: 'receive', fifo: q.fifo, retentionMs: retentionMsOf(q), ...o });
  return unwrap(decodeReceiveResult(await sqs.propose(groupOf(q, partition), cmd)));
}

/** Bodies of just-received messages: a stale read is enough unless the replica lags behind. */
export async function getMessages(sqs: SqsBackend, q: QueueRecord, partition: number, seqs: number[]): Promise<MessageRecord[]> {
  const query = encodeQueueQuery({ type: 'get', seqs });
  const group = groupOf(q, partition);
  let found = unwrap(decodeGetResult(await sqs.client.read(group, query, { stale: true })));
  if (found.length < seqs.length) found = unwrap(decodeGetResult(await sqs.client.read(group, query)));
  return found;
}

export async function deleteMessages(sqs: SqsBackend, q: QueueRecord, partition: number, entries: ReceiptRef[]): Promise<DeleteResult> {
  const r = unwrap(decodeDeleteResult(await sqs.propose(groupOf(q, partition), encodeQueueCommand({ type: 'delete', entries }))));
  sqs.metrics?.deleted(q, r.outcomes.filter((o) => o === 'deleted').length);
  return r;
}

export async function changeVisibility(sqs: SqsBackend, q: QueueRecord, partition: number, entries: VisibilityChange[]): Promise<ChangeVisibilityResult> {
  return unwrap(decodeChangeVisibilityResult(await sqs.propose(groupOf(q, partition), encodeQueueCommand({ type: 'changeVisibility', entries }))));
}

export async function purge(sqs: SqsBackend, q: QueueRecord): Promise<number> {
  const counts = await Promise.all(q.groupIds.map(async (g) => unwrap(decodePurgeResult(await sqs.propose(g, encodeQueueCommand({ type: 'purge' })))).purged));
  return counts.reduce((a, b) => a + b, 0);
}
