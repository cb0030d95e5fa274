// One activity's task queue as the `workflow` kind holds it. The executor of the execution that
// reached the activity's Task state enqueues a task under its callback token; GetActivityTask
// takes the oldest; the executor drops it once the task finished, timed out or was cancelled.
// A taken task stays (marked taken) until dropped, so an executor re-enqueuing its open tasks
// after a crash does not hand a task to a second worker.
import { type KvOp } from '../engine/engine.js';
import { fromUtf8, utf8 } from './codec.js';
import { okResult } from './envelope.js';
import { type PartitionStore } from './kind.js';
import { TASK_COUNTER_KEY, TASK_PREFIX, range, taskInputKey, taskKey } from './workflow-keys.js';
import { type ActivityTask, type WorkflowCommand } from './workflow-types.js';

type Cmd<T extends WorkflowCommand['type']> = Extract<WorkflowCommand, { type: T }>;

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

/** A copy in a fixed member order, so live and reloaded replicas write and answer identical bytes. */
export function canonicalTask(t: ActivityTask): ActivityTask {
  const o: ActivityTask = { seq: t.seq, token: t.token, enqueuedAtMs: t.enqueuedAtMs };
  if (t.heartbeatSeconds !== undefined) o.heartbeatSeconds = t.heartbeatSeconds;
  if (t.takenBy !== undefined) o.takenBy = t.takenBy;
  if (t.takenAtMs !== undefined) o.takenAtMs = t.takenAtMs;
  return o;
}

const taskJson = (t: ActivityTask): Uint8Array => json(canonicalTask(t));

export class ActivityQueue {
  /** Every task, queued or taken, by token. */
  readonly tasks = new Map<string, ActivityTask>();
  /** Queued (not taken) tasks: seq → token, oldest first (seqs only grow, so insertion order is seq order). */
  readonly queued = new Map<number, string>();
  nextSeq = 1;

  static async load(store: PartitionStore): Promise<ActivityQueue> {
    const q = new ActivityQueue();
    const counter = await store.get(TASK_COUNTER_KEY);
    if (counter !== undefined) q.nextSeq = (JSON.parse(fromUtf8(counter)) as { taskSeq: number }).taskSeq;
    // The scan is in seq order (u64 big-endian keys), which is the order the live queue holds.
    for await (const [, v] of store.scan(range(TASK_PREFIX))) {
      const t = JSON.parse(fromUtf8(v)) as ActivityTask;
      q.tasks.set(t.token, t);
      if (t.takenBy === undefined) q.queued.set(t.seq, t.token);
    }
    return q;
  }

  get takenCount(): number {
    return this.tasks.size - this.queued.size;
  }

  enqueue(c: Cmd<'enqueueActivityTask'>, now: number, ops: KvOp[]): Uint8Array {
    if (this.tasks.has(c.token)) return okResult(json({ queued: false }));
    const t: ActivityTask = { seq: this.nextSeq++, token: c.token, enqueuedAtMs: now };
    if (c.heartbeatSeconds !== undefined) t.heartbeatSeconds = c.heartbeatSeconds;
    this.tasks.set(t.token, t);
    this.queued.set(t.seq, t.token);
    ops.push({ type: 'put', key: taskKey(t.seq), value: taskJson(t) });
    ops.push({ type: 'put', key: taskInputKey(t.seq), value: utf8(c.input) });
    ops.push({ type: 'put', key: TASK_COUNTER_KEY, value: json({ taskSeq: this.nextSeq }) });
    return okResult(json({ queued: true }));
  }

  /** The oldest queued task, now taken by the worker; null when none is queued. */
  take(c: Cmd<'takeActivityTask'>, now: number, ops: KvOp[]): Uint8Array {
    const first = this.queued.entries().next();
    if (first.done === true) return okResult(json(null));
    const [seq, token] = first.value;
    this.queued.delete(seq);
    const t = this.tasks.get(token) as ActivityTask;
    t.takenBy = c.workerName;
    t.takenAtMs = now;
    ops.push({ type: 'put', key: taskKey(seq), value: taskJson(t) });
    return okResult(taskJson(t));
  }

  drop(c: Cmd<'dropActivityTask'>, ops: KvOp[]): Uint8Array {
    const t = this.tasks.get(c.token);
    if (t === undefined) return okResult(json({ dropped: false }));
    this.tasks.delete(c.token);
    this.queued.delete(t.seq);
    ops.push({ type: 'del', key: taskKey(t.seq) }, { type: 'del', key: taskInputKey(t.seq) });
    return okResult(json({ dropped: true }));
  }
}
