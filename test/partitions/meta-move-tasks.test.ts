import { describe, expect, it } from 'vitest';
import { type Decoded, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type MetaCommand,
  MetaStateMachine,
  TASK_MISSING_MESSAGE,
  TASK_RUNNING_MESSAGE,
  decodeMoveTaskListResult,
  decodeMoveTaskResult,
  decodePlacementResult,
  decodeQueueResult,
  encodeMetaCommand,
  encodeMetaQuery,
  parseJson,
} from '../../storage/partitions/meta.js';
import { Harness } from './memory-store.js';

class MetaHarness extends Harness<MetaStateMachine> {
  seq = 0;
  constructor() {
    super(new MetaStateMachine());
  }
  run(cmd: MetaCommand, timestampMs = 5000): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeMetaCommand(cmd) })).result;
  }
  queue(name: string): void {
    unwrap(decodeQueueResult(this.run({ type: 'createQueue', name, attributes: {}, requested: {}, tags: {}, partitions: 2, replicationFactor: 1 }), parseJson));
  }
  task(cmd: MetaCommand, timestampMs?: number) {
    return decodeMoveTaskResult(this.run(cmd, timestampMs));
  }
  async list(source?: string) {
    return unwrap(decodeMoveTaskListResult(await this.read(encodeMetaQuery({ type: 'listMoveTasks', ...(source !== undefined ? { source } : {}) }))));
  }
  async version() {
    return unwrap(decodePlacementResult(await this.read(encodeMetaQuery({ type: 'getPlacement' })))).version;
  }
}

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

function setup(): MetaHarness {
  const h = new MetaHarness();
  h.run({ type: 'registerNode', id: 1, address: 'n1:7000' });
  for (const q of ['dlq', 'dlq2', 'src']) h.queue(q);
  return h;
}

describe('meta kind: message move tasks', () => {
  it('starts a task, refuses a second while it runs, counts progress and completes it', async () => {
    const h = setup();
    const version = await h.version();
    const started = unwrap(h.task({ type: 'startMoveTask', handle: 'h1', source: 'dlq', maxPerSecond: 5, toMove: 7 }, 9000));
    expect(started).toEqual({ handle: 'h1', source: 'dlq', maxPerSecond: 5, status: 'RUNNING', moved: 0, toMove: 7, startedAtMs: 9000 });
    expect(h.task({ type: 'startMoveTask', handle: 'h2', source: 'dlq', destination: 'src', toMove: 0 })).toEqual({ ok: false, code: 'FailedPrecondition', message: TASK_RUNNING_MESSAGE });
    // Another source is independent.
    expect(unwrap(h.task({ type: 'startMoveTask', handle: 'h3', source: 'dlq2', destination: 'src', toMove: 1 })).destination).toBe('src');

    expect(unwrap(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'h1', moved: 3 })).moved).toBe(3);
    expect(unwrap(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'h1', moved: 4, status: 'COMPLETED' }))).toMatchObject({ moved: 7, status: 'COMPLETED' });
    // A count reported after the end still adds up; the outcome does not change again.
    expect(unwrap(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'h1', moved: 1, status: 'FAILED', failureReason: 'late' }))).toMatchObject({ moved: 8, status: 'COMPLETED' });
    expect(h.task({ type: 'cancelMoveTask', source: 'dlq', handle: 'h1' })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'nope', moved: 1 })).toEqual({ ok: false, code: 'NotFound', message: TASK_MISSING_MESSAGE });

    // Task changes leave the placement alone: every node polls it.
    expect(await h.version()).toBe(version);
    expect((await h.list()).map((t) => t.handle)).toEqual(['h3']);
  });

  it('cancels only a running task and records failures', async () => {
    const h = setup();
    unwrap(h.task({ type: 'startMoveTask', handle: 'a', source: 'dlq', toMove: 2 }));
    unwrap(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'a', moved: 1 }));
    expect(unwrap(h.task({ type: 'cancelMoveTask', source: 'dlq', handle: 'a' }))).toMatchObject({ status: 'CANCELLED', moved: 1 });
    expect(h.task({ type: 'cancelMoveTask', source: 'dlq', handle: 'a' })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(h.task({ type: 'cancelMoveTask', source: 'dlq', handle: 'b' })).toEqual({ ok: false, code: 'NotFound', message: TASK_MISSING_MESSAGE });

    unwrap(h.task({ type: 'startMoveTask', handle: 'b', source: 'dlq', destination: 'src', toMove: 2 }));
    const failed = unwrap(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'b', moved: 0, status: 'FAILED', failureReason: 'AWS.SimpleQueueService.NonExistentQueue' }));
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: 'AWS.SimpleQueueService.NonExistentQueue' });
    expect((await h.list('dlq')).map((t) => [t.handle, t.status])).toEqual([
      ['b', 'FAILED'],
      ['a', 'CANCELLED'],
    ]);
  });

  it('checks its input', () => {
    const h = setup();
    expect(h.task({ type: 'startMoveTask', handle: 'x', source: 'nope', toMove: 0 })).toMatchObject({ ok: false, code: 'NotFound', message: 'source queue nope does not exist' });
    expect(h.task({ type: 'startMoveTask', handle: 'x', source: 'dlq', destination: 'nope', toMove: 0 })).toMatchObject({ ok: false, code: 'NotFound', message: 'destination queue nope does not exist' });
    for (const maxPerSecond of [0, 501, 1.5]) {
      expect(h.task({ type: 'startMoveTask', handle: 'x', source: 'dlq', maxPerSecond, toMove: 0 })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    }
    expect(h.task({ type: 'startMoveTask', handle: '', source: 'dlq', toMove: 0 })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.task({ type: 'startMoveTask', handle: 'x', source: 'dlq', toMove: -1 })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    unwrap(h.task({ type: 'startMoveTask', handle: 'x', source: 'dlq', toMove: 0 }));
    expect(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'x', moved: -1 })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 'x', moved: 0, failureReason: 'no status' })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    // A malformed body is an InvalidArgument result, not a crash.
    const bad = h.apply(encodeCommand({ clientId: 'z', seq: 1, timestampMs: 0, op: 13, body: new TextEncoder().encode('{"handle":1}') }));
    expect(decodeMoveTaskResult(bad.result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
  });

  it('keeps the last ten tasks per source, survives a reload and goes with its queue', async () => {
    const h = setup();
    for (let i = 0; i < 12; i++) {
      unwrap(h.task({ type: 'startMoveTask', handle: `t${i}`, source: 'dlq', toMove: i }, 1000 + i));
      if (i < 11) unwrap(h.task({ type: 'cancelMoveTask', source: 'dlq', handle: `t${i}` }));
    }
    unwrap(h.task({ type: 'updateMoveTask', source: 'dlq', handle: 't11', moved: 2 }));
    const tasks = await h.list('dlq');
    expect(tasks.map((t) => t.handle)).toEqual(['t11', 't10', 't9', 't8', 't7', 't6', 't5', 't4', 't3', 't2']);
    expect(tasks[0]).toEqual({ handle: 't11', source: 'dlq', status: 'RUNNING', moved: 2, toMove: 11, startedAtMs: 1011 });
    // A dropped task is gone for good.
    expect(h.task({ type: 'cancelMoveTask', source: 'dlq', handle: 't0' })).toMatchObject({ ok: false, code: 'NotFound' });

    const before = { dlq: await h.read(encodeMetaQuery({ type: 'listMoveTasks', source: 'dlq' })), running: await h.read(encodeMetaQuery({ type: 'listMoveTasks' })), dump: h.store.dump() };
    await h.restart(new MetaStateMachine());
    expect(await h.read(encodeMetaQuery({ type: 'listMoveTasks', source: 'dlq' }))).toEqual(before.dlq);
    expect(await h.read(encodeMetaQuery({ type: 'listMoveTasks' }))).toEqual(before.running);
    // A reloaded replica goes on exactly as one that applied everything live.
    const live = setup();
    for (let i = 0; i < 12; i++) {
      live.task({ type: 'startMoveTask', handle: `t${i}`, source: 'dlq', toMove: i }, 1000 + i);
      if (i < 11) live.task({ type: 'cancelMoveTask', source: 'dlq', handle: `t${i}` });
    }
    live.task({ type: 'updateMoveTask', source: 'dlq', handle: 't11', moved: 2 });
    live.task({ type: 'cancelMoveTask', source: 'dlq', handle: 't0' });
    for (const x of [h, live]) x.task({ type: 'updateMoveTask', source: 'dlq', handle: 't11', moved: 3, status: 'COMPLETED' });
    expect(h.store.dump()).toEqual(live.store.dump());

    h.run({ type: 'deleteQueue', name: 'dlq' });
    expect(await h.list('dlq')).toEqual([]);
    expect(h.store.dump().some(([k]) => k.startsWith(Buffer.from('T/').toString('hex')))).toBe(false);
  });
});
