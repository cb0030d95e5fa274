// Message move tasks as part of the queue catalog in the meta group. Only the records live here:
// the leaders of the source queue's partitions do the moving (nodes/storage/move-tasks.ts) and
// report progress with UpdateMoveTask. A source keeps its last MAX_TASKS_PER_SOURCE tasks, the
// ones ListMessageMoveTasks can show, under one key: 'T/<source>' → JSON array, newest first.
// Task changes do not bump the placement version: every node polls the placement, and progress
// updates would make each poll fetch the whole catalog.
import { type KvOp } from '../engine/engine.js';
import { prefixEnd, utf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';
import {
  type MoveTaskCommand,
  type MoveTaskRecord,
  TASK_MISSING_MESSAGE,
  TASK_RUNNING_MESSAGE,
  toMoveTaskList,
  toMoveTaskRecord,
} from './meta-move-task-codec.js';

export const MAX_TASKS_PER_SOURCE = 10;
/** AWS: MaxNumberOfMessagesPerSecond is at most 500. */
export const MAX_MOVE_RATE = 500;
const MAX_HANDLE_CHARS = 1024;
const MAX_REASON_CHARS = 1024;

const TASK_PREFIX = 'T/';

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const active = (t: MoveTaskRecord): boolean => t.status === 'RUNNING' || t.status === 'CANCELLING';

export class MoveTaskTable {
  /** Source queue name → its tasks, newest first. */
  private bySource = new Map<string, MoveTaskRecord[]>();

  async load(store: PartitionStore): Promise<void> {
    const gte = utf8(TASK_PREFIX);
    const bySource = new Map<string, MoveTaskRecord[]>();
    for await (const [k, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) {
      const source = new TextDecoder().decode(k).slice(TASK_PREFIX.length);
      bySource.set(source, toMoveTaskList(JSON.parse(new TextDecoder().decode(v)) as unknown, `tasks of ${source}`));
    }
    this.bySource = bySource;
  }

  /** A source's tasks newest first, or (no source) every running task, by source name. */
  list(source?: string): MoveTaskRecord[] {
    if (source !== undefined) return [...(this.bySource.get(source) ?? [])];
    const names = [...this.bySource.keys()].sort();
    return names.flatMap((n) => (this.bySource.get(n) ?? []).filter(active));
  }

  /** A deleted queue takes its tasks along, so a queue created later under its name starts clean. */
  dropSource(source: string, ops: KvOp[]): void {
    if (this.bySource.delete(source)) ops.push({ type: 'del', key: utf8(TASK_PREFIX + source) });
  }

  apply(cmd: MoveTaskCommand, now: number, ctx: ApplyContext, queueExists: (name: string) => boolean): Uint8Array {
    if (!queueExists(cmd.source)) return errorResult('NotFound', `source queue ${cmd.source} does not exist`);
    const tasks = this.bySource.get(cmd.source) ?? [];
    if (cmd.type === 'startMoveTask') return this.start(cmd, tasks, now, ctx, queueExists);
    const i = tasks.findIndex((t) => t.handle === cmd.handle);
    const t = tasks[i];
    if (t === undefined) return errorResult('NotFound', TASK_MISSING_MESSAGE);
    if (cmd.type === 'cancelMoveTask') {
      if (t.status !== 'RUNNING') return errorResult('FailedPrecondition', `the task is ${t.status}, not RUNNING`);
      return this.replace(tasks, i, { ...t, status: 'CANCELLED' }, ctx);
    }
    if (!Number.isSafeInteger(cmd.moved) || cmd.moved < 0) return errorResult('InvalidArgument', `moved must be a non-negative integer, got ${cmd.moved}`);
    if (cmd.failureReason !== undefined && (cmd.status !== 'FAILED' || cmd.failureReason.length > MAX_REASON_CHARS)) {
      return errorResult('InvalidArgument', `failureReason goes only with status FAILED, in at most ${MAX_REASON_CHARS} characters`);
    }
    // Executors report counts after the fact: a move that finished after a cancel still counts,
    // but only a running task can end with the executor's outcome.
    const ends = cmd.status !== undefined && t.status === 'RUNNING';
    if (cmd.moved === 0 && !ends) return okResult(json(t));
    const next: MoveTaskRecord = { ...t, moved: t.moved + cmd.moved };
    if (ends) {
      next.status = cmd.status ?? t.status;
      if (cmd.failureReason !== undefined) next.failureReason = cmd.failureReason;
    }
    return this.replace(tasks, i, next, ctx);
  }

  private start(cmd: Extract<MoveTaskCommand, { type: 'startMoveTask' }>, tasks: MoveTaskRecord[], now: number, ctx: ApplyContext, queueExists: (name: string) => boolean): Uint8Array {
    if (cmd.destination !== undefined && !queueExists(cmd.destination)) return errorResult('NotFound', `destination queue ${cmd.destination} does not exist`);
    if (cmd.handle.length < 1 || cmd.handle.length > MAX_HANDLE_CHARS) return errorResult('InvalidArgument', `handle must be 1-${MAX_HANDLE_CHARS} characters`);
    if (cmd.maxPerSecond !== undefined && (!Number.isInteger(cmd.maxPerSecond) || cmd.maxPerSecond < 1 || cmd.maxPerSecond > MAX_MOVE_RATE)) {
      return errorResult('InvalidArgument', `maxPerSecond must be 1-${MAX_MOVE_RATE}, got ${cmd.maxPerSecond}`);
    }
    if (!Number.isSafeInteger(cmd.toMove) || cmd.toMove < 0) return errorResult('InvalidArgument', `toMove must be a non-negative integer, got ${cmd.toMove}`);
    if (tasks.some(active)) return errorResult('FailedPrecondition', TASK_RUNNING_MESSAGE);
    if (tasks.some((t) => t.handle === cmd.handle)) return errorResult('AlreadyExists', 'a task with this handle exists');
    const task = toMoveTaskRecord({
      handle: cmd.handle,
      source: cmd.source,
      destination: cmd.destination,
      maxPerSecond: cmd.maxPerSecond,
      status: 'RUNNING',
      moved: 0,
      toMove: cmd.toMove,
      startedAtMs: now,
    });
    // Only one task is active at a time, and it is the new one: the ten kept are the newest.
    return this.put(cmd.source, [task, ...tasks].slice(0, MAX_TASKS_PER_SOURCE), task, ctx);
  }

  private replace(tasks: MoveTaskRecord[], i: number, t: MoveTaskRecord, ctx: ApplyContext): Uint8Array {
    const next = [...tasks];
    // Rebuilt so its fields are in the stored order whatever the spread above did.
    const task = toMoveTaskRecord(t);
    next[i] = task;
    return this.put(task.source, next, task, ctx);
  }

  private put(source: string, tasks: MoveTaskRecord[], changed: MoveTaskRecord, ctx: ApplyContext): Uint8Array {
    this.bySource.set(source, tasks);
    ctx.ops.push({ type: 'put', key: utf8(TASK_PREFIX + source), value: json(tasks) });
    return okResult(json(changed));
  }
}
