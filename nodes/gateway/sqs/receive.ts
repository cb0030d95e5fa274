// ReceiveMessage across a queue's partitions, with long polling. A partition is asked to hand
// out messages (a Raft proposal: receipts, counts and visibility must survive failover) only
// after a linearizable read of its counters says it has some, so idle polling writes nothing.
// While nothing is available the poll waits for any partition's applied index to move (a send
// landed) or for the earliest delayed/in-flight message to become visible, whichever is first.
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { type MessageRecord, type ReceivedMessage } from '../../../storage/partitions/queue-codec.js';
import { redriveOf } from './attributes.js';
import { Attr, SpanName, withSpan } from '../../telemetry/index.js';
import { type SqsBackend } from './backend.js';
import { getMessages, groupOf, partitionStats, receive } from './partitions.js';

export interface Delivered {
  partition: number;
  state: ReceivedMessage;
  record: MessageRecord;
}

export interface ReceiveOptions {
  max: number;
  visibilityTimeoutMs: number;
  waitMs: number;
  attemptId?: string;
  signal: AbortSignal;
}

/** Never sleep longer than this between checks, in case a wake-up was missed (a leader change). */
const MAX_NAP_MS = 1000;

export function receiveMessages(sqs: SqsBackend, q: QueueRecord, o: ReceiveOptions): Promise<Delivered[]> {
  return withSpan(SpanName.QueueReceive, { [Attr.QueueName]: q.name }, async (span) => {
    const out = await poll(sqs, q, o);
    span.setAttribute(Attr.Messages, out.length);
    sqs.metrics?.received(q, out.length);
    return out;
  });
}

async function poll(sqs: SqsBackend, q: QueueRecord, o: ReceiveOptions): Promise<Delivered[]> {
  const deadline = Date.now() + o.waitMs;
  const n = q.groupIds.length;
  const maxReceiveCount = redriveOf(q.attributes)?.maxReceiveCount ?? 0;
  const start = Math.floor(Math.random() * n);
  const order = Array.from({ length: n }, (_, i) => (start + i) % n);
  // The first look is optimistic: counters, then receives. Only before a look that may end in a
  // wait are the applied indexes taken first, so that a send committed after that look wakes it.
  let marks: number[] = [];
  for (let round = 0; ; round++) {
    if (round > 0) marks = await Promise.all(order.map((p) => sqs.client.watch(groupOf(q, p), 0, 0)));
    const now = Date.now();
    const stats = await Promise.all(order.map((p) => partitionStats(sqs, q, p, now)));
    const out: Delivered[] = [];
    for (let i = 0; i < n && out.length < o.max; i++) {
      if (stats[i]!.visible === 0) continue;
      const p = order[i]!;
      const r = await receive(sqs, q, p, {
        max: o.max - out.length,
        visibilityTimeoutMs: o.visibilityTimeoutMs,
        maxReceiveCount,
        ...(o.attemptId !== undefined ? { attemptId: o.attemptId } : {}),
      });
      if (r.messages.length === 0) continue;
      const records = new Map((await getMessages(sqs, q, p, r.messages.map((m) => m.seq))).map((m) => [m.seq, m]));
      for (const state of r.messages) {
        const record = records.get(state.seq);
        // Absent only if purged between the receive and the read: nothing to deliver.
        if (record) out.push({ partition: p, state, record });
      }
    }
    const left = deadline - Date.now();
    if (out.length > 0 || left <= 0 || o.signal.aborted) return out;
    if (round === 0) continue;
    const nextVisible = Math.min(...stats.map((s) => (s.nextVisibleAt > 0 ? s.nextVisibleAt - Date.now() : Infinity)));
    const nap = Math.max(1, Math.min(left, MAX_NAP_MS, nextVisible));
    await waitForChange(sqs, q, order, marks, nap, o.signal);
  }
}

function waitForChange(sqs: SqsBackend, q: QueueRecord, order: number[], marks: number[], ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish);
    order.forEach((p, i) => {
      sqs.client.watch(groupOf(q, p), marks[i]!, ms).then(
        (applied) => {
          if (applied > marks[i]!) finish();
        },
        () => undefined,
      );
    });
  });
}
