// The `workflow` kind's execution side: leases, StartExecution, fenced compare-and-set
// transitions, StopExecution, task callbacks and redrives, with the inbox between them.
import { describe, expect, it } from 'vitest';
import {
  type ExecutionDescription,
  type HistoryEvent,
  type InboxItem,
  type LeaseRecord,
  type Page,
  type StartExecutionResult,
  type StopExecutionResult,
  EXECUTOR_LEASE,
  WorkflowStateMachine,
  decodeLeaseResult,
  refusalOf,
} from '../../storage/partitions/workflow.js';
import { type CommandResult, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import { DEF, WorkflowHarness, events, item, record, started, unwrap } from './workflow-harness.js';

function refusal(r: CommandResult): string {
  if (r.ok) throw new Error('expected a refusal');
  return `${r.code}/${refusalOf(r)?.code ?? ''}`;
}

async function inbox(h: WorkflowHarness, afterSeq = 0): Promise<InboxItem[]> {
  return (await h.q<Page<InboxItem>>({ type: 'inbox', afterSeq, limit: 100 })).items;
}

function encodeRaw(op: number, body: string, seq: number): Uint8Array {
  return encodeCommand({ clientId: 'gw', seq, timestampMs: 1, op, body: new TextEncoder().encode(body) });
}

/** The ok body of an encoded result, parsed. */
function bodyJson(b: Uint8Array): unknown {
  const r = decodeResult(b);
  if (!r.ok) throw new Error(r.message);
  return JSON.parse(Buffer.from(r.body).toString()) as unknown;
}

/** Ops outside the exactly-once table's keys (relative prefix 0x00). */
const ownOps = (ops: { type: string; key?: Uint8Array }[]) => ops.filter((o) => o.key === undefined || o.key[0] !== 0);

const describeExec = (h: WorkflowHarness, name: string) => h.q<ExecutionDescription>({ type: 'describeExecution', name });

describe('workflow kind: leases', () => {
  it('acquires, renews, fences and releases the executor lease like a stream lease', async () => {
    const h = new WorkflowHarness();
    const a = h.acquire('exec-a', 1000);
    expect(a).toEqual({ name: EXECUTOR_LEASE, owner: 'exec-a', token: 1, expiresAtMs: 11_000 });
    expect(refusal(h.run({ type: 'acquireLease', name: EXECUTOR_LEASE, owner: 'exec-b', ttlMs: 10_000, steal: false }, 2000))).toBe('FailedPrecondition/');
    const renewed = unwrap(decodeLeaseResult(h.send({ type: 'renewLease', name: EXECUTOR_LEASE, owner: 'exec-a', token: 1, ttlMs: 5000 }, 9000).result));
    expect(renewed.expiresAtMs).toBe(14_000);
    // Renewal needs the current token and an unexpired hold.
    expect(refusal(h.run({ type: 'renewLease', name: EXECUTOR_LEASE, owner: 'exec-a', token: 2, ttlMs: 5000 }, 9000))).toBe('FailedPrecondition/');
    expect(refusal(h.run({ type: 'renewLease', name: EXECUTOR_LEASE, owner: 'exec-a', token: 1, ttlMs: 5000 }, 14_000))).toBe('FailedPrecondition/');
    // Expired: another executor takes it with a new token; stealing also bumps it.
    expect(h.acquire('exec-b', 14_000).token).toBe(2);
    expect(h.acquire('exec-c', 15_000, 10_000, true).token).toBe(3);
    const released = unwrap(decodeLeaseResult(h.send({ type: 'releaseLease', name: EXECUTOR_LEASE, owner: 'exec-c', token: 3 }, 16_000).result));
    expect(released).toEqual({ name: EXECUTOR_LEASE, owner: '', token: 3, expiresAtMs: 0 });
    expect(await h.q<LeaseRecord[]>({ type: 'leases' })).toEqual([released]);
    await h.restart(new WorkflowStateMachine());
    expect(await h.q<LeaseRecord[]>({ type: 'leases' })).toEqual([released]);
  });
});

describe('workflow kind: StartExecution', () => {
  it('creates a RUNNING execution with its input, definition and started event', async () => {
    const h = new WorkflowHarness();
    const r = h.start('e1', 5000, { versionArn: `${'arn:v'}:1`, parent: { group: 7, name: 'p', taskId: 't3' }, traceHeader: 'Root=1' });
    expect(r.ok).toBe(true);
    const d = await describeExec(h, 'e1');
    expect(d).toMatchObject({ name: 'e1', status: 'RUNNING', startDate: 5000, input: '{"x":1}', redriveCount: 0, version: 1, eventCount: 1, versionArn: 'arn:v:1', parent: { group: 7, name: 'p', taskId: 't3' }, traceHeader: 'Root=1' });
    expect(d.stopDate).toBeUndefined();
    expect(await h.q<string>({ type: 'definition', id: 'd1' })).toBe(DEF);
    expect((await h.q<Page<HistoryEvent>>({ type: 'history', name: 'e1', reverse: false, limit: 10 })).items).toEqual([started(5000)]);
    expect(refusal(await h.qr({ type: 'definition', id: 'nope' }))).toBe('NotFound/');
    expect(refusal(await h.qr({ type: 'describeExecution', name: 'nope' }))).toBe('NotFound/');
  });

  it('answers a repeat with the same input while running, and refuses other repeats forever', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    const first = h.ok<StartExecutionResult>({ type: 'startExecution', name: 'e', record: record('e'), definition: DEF, startedEvent: started(10), maxOpen: 10 }, 10);
    expect(first).toEqual({ executionArn: record('e').executionArn, startDate: 10, existed: false });
    const again = h.send({ type: 'startExecution', name: 'e', record: record('e'), startedEvent: started(20), maxOpen: 10 }, 20);
    expect(bodyJson(again.result)).toEqual({ ...first, existed: true });
    expect(ownOps(again.ops)).toEqual([]);
    expect(refusal(h.start('e', 30, { input: '{"x":2}' }))).toBe('AlreadyExists/');
    expect(h.step([item('e', 1, events(2, 1), { close: { status: 'SUCCEEDED', output: '{}' } })], 40)).toEqual([{ type: 'ok', version: 2 }]);
    // Closed: the same name and input is refused too (names are unique for good).
    expect(refusal(h.start('e', 50))).toBe('AlreadyExists/');
  });

  it('refuses beyond maxOpen running executions, a missing definition and a bad started event', () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    expect(h.start('a', 1, {}, 2).ok).toBe(true);
    expect(h.start('b', 2, {}, 2).ok).toBe(true);
    expect(refusal(h.start('c', 3, {}, 2))).toBe('FailedPrecondition/ExecutionLimitExceeded');
    h.step([item('a', 1, [], { close: { status: 'FAILED', error: 'E', cause: 'C' } })], 4);
    expect(h.start('c', 5, {}, 2).ok).toBe(true);
    // Definition d1 is stored; d2 is not and comes without text.
    expect(refusal(h.run({ type: 'startExecution', name: 'd', record: record('d', { definitionId: 'd2' }), startedEvent: started(6), maxOpen: 10 }, 6))).toBe('FailedPrecondition/DefinitionMissing');
    expect(h.run({ type: 'startExecution', name: 'd', record: record('d'), startedEvent: started(6), maxOpen: 10 }, 6).ok).toBe(true);
    expect(refusal(h.run({ type: 'startExecution', name: 'e', record: record('e'), definition: DEF, startedEvent: { ...started(7), id: 2 }, maxOpen: 10 }, 7))).toBe('InvalidArgument/');
    // The definition is written once.
    const defPuts = h.send({ type: 'startExecution', name: 'f', record: record('f'), definition: DEF, startedEvent: started(8), maxOpen: 10 }, 8).ops.filter((o) => o.type === 'put' && o.key[0] === 0x44);
    expect(defPuts).toEqual([]);
  });

  it('refuses malformed commands and queries with InvalidArgument', async () => {
    const h = new WorkflowHarness();
    const bad = (op: number, body: string) => h.apply(encodeRaw(op, body, ++h.seq));
    for (const [op, body] of [[35, 'not json'], [35, '{"name":""}'], [36, '{"owner":"a","token":1,"items":[{"name":"e"}]}'], [99, '{}'], [38, '{"name":"e","taskId":"t","kind":"nope"}']] as const) {
      expect(refusal(decodeResult(bad(op, body).result))).toBe('InvalidArgument/');
    }
    expect(refusal(await h.qr({ type: 'listExecutions', limit: 0 }))).toBe('InvalidArgument/');
    expect(refusal(await h.qr({ type: 'listExecutions', limit: 5, after: 'x' }))).toBe('InvalidArgument/');
  });
});

describe('workflow kind: transitions', () => {
  it('are fenced by an unexpired executor lease', () => {
    const h = new WorkflowHarness();
    h.start('e', 1);
    const owner = { type: 'transitions' as const, items: [item('e', 1, events(2, 1))] };
    expect(refusal(h.run({ ...owner, owner: 'x', token: 1 }, 2))).toBe('FailedPrecondition/LeaseLost');
    h.acquire('x', 10, 100);
    expect(refusal(h.run({ ...owner, owner: 'x', token: 2 }, 20))).toBe('FailedPrecondition/LeaseLost');
    expect(refusal(h.run({ ...owner, owner: 'y', token: 1 }, 20))).toBe('FailedPrecondition/LeaseLost');
    expect(refusal(h.run({ ...owner, owner: 'x', token: 1 }, 110))).toBe('FailedPrecondition/LeaseLost');
    expect(h.ok<unknown>({ ...owner, owner: 'x', token: 1 }, 109)).toEqual([{ type: 'ok', version: 2 }]);
  });

  it('compare-and-set each item on its version, append events and keep the state', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('a', 1);
    h.start('b', 2);
    const out = h.step(
      [
        item('a', 1, events(2, 2), { openTokens: ['t1', 't2'] }),
        item('b', 7, events(2, 1)),
        item('nope', 1, []),
        item('b', 1, events(3, 1)),
        item('a', 2, events(4, 1)),
      ],
      10,
    );
    expect(out).toEqual([
      { type: 'ok', version: 2 },
      { type: 'conflict', status: 'RUNNING', version: 1 },
      { type: 'notFound' },
      { type: 'invalid', message: 'event 0 has id 3, expected 2' },
      { type: 'ok', version: 3 },
    ]);
    const a = await describeExec(h, 'a');
    expect([a.version, a.eventCount, a.openTokens]).toEqual([3, 4, []]);
    const runnable = await h.q<Page<{ record: { name: string; version: number }; state?: string; input: string }>>({ type: 'runnable', limit: 10 });
    expect(runnable.items.map((r) => [r.record.name, r.record.version, r.state, r.input])).toEqual([
      ['a', 3, '{"v":1,"version":2}', '{"x":1}'],
      ['b', 1, undefined, '{"x":1}'],
    ]);
  });

  it('close an execution: status, stopDate, result, no open tokens, pending inbox items dropped', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.step([item('e', 1, events(2, 1), { openTokens: ['t1', 't2'] })], 2);
    h.ok({ type: 'taskCallback', name: 'e', taskId: 't1', kind: 'heartbeat' }, 3);
    h.ok({ type: 'taskCallback', name: 'e', taskId: 't2', kind: 'success', output: '"ok"' }, 4);
    expect((await inbox(h)).map((i) => [i.seq, i.kind, i.taskId])).toEqual([[1, 'heartbeat', 't1'], [2, 'success', 't2']]);
    expect(h.step([item('e', 2, events(3, 2), { consumeInbox: [2], close: { status: 'FAILED', error: 'States.TaskFailed', cause: 'boom' } })], 50)).toEqual([{ type: 'ok', version: 3 }]);
    expect(await describeExec(h, 'e')).toMatchObject({ status: 'FAILED', stopDate: 50, error: 'States.TaskFailed', cause: 'boom', openTokens: [], eventCount: 4 });
    expect(await inbox(h)).toEqual([]);
    // Callbacks after the close are refused; further transitions conflict.
    expect(refusal(h.run({ type: 'taskCallback', name: 'e', taskId: 't1', kind: 'success' }, 60))).toBe('FailedPrecondition/TaskDoesNotExist');
    expect(h.step([item('e', 3, events(5, 1))], 61)).toEqual([{ type: 'conflict', status: 'FAILED', version: 3 }]);
    expect((await h.q<Page<unknown>>({ type: 'runnable', limit: 10 })).items).toEqual([]);
  });
});

describe('workflow kind: StopExecution', () => {
  it('aborts a running execution, appends the event, and wins over a racing transition', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.step([item('e', 1, events(2, 2), { openTokens: ['t1'] })], 2);
    h.ok({ type: 'taskCallback', name: 'e', taskId: 't1', kind: 'heartbeat' }, 3);
    expect(refusal(h.run({ type: 'stopExecution', name: 'nope' }, 4))).toBe('NotFound/');
    expect(h.ok<StopExecutionResult>({ type: 'stopExecution', name: 'e', error: 'Err', cause: 'why' }, 100)).toEqual({ stopDate: 100, stopped: true, status: 'ABORTED' });
    const d = await describeExec(h, 'e');
    expect(d).toMatchObject({ status: 'ABORTED', stopDate: 100, error: 'Err', cause: 'why', openTokens: [], version: 3, eventCount: 4 });
    const hist = await h.q<Page<HistoryEvent>>({ type: 'history', name: 'e', reverse: true, limit: 1 });
    expect(hist.items).toEqual([{ id: 4, previousEventId: 3, timestamp: 100, type: 'ExecutionAborted', details: { key: 'executionAbortedEventDetails', value: { error: 'Err', cause: 'why' } } }]);
    // The heartbeat went with the stop; the executor is told with a 'stopped' item.
    const items = await inbox(h);
    expect(items.map((i) => [i.seq, i.kind, i.name, i.atMs])).toEqual([[2, 'stopped', 'e', 100]]);
    // The executor's step computed before the stop conflicts, and consumes what it named.
    expect(h.step([item('e', 2, events(4, 1), { consumeInbox: [2] })], 101)).toEqual([{ type: 'conflict', status: 'ABORTED', version: 3 }]);
    expect(await inbox(h)).toEqual([]);
    expect(refusal(h.run({ type: 'taskCallback', name: 'e', taskId: 't1', kind: 'heartbeat' }, 102))).toBe('FailedPrecondition/TaskDoesNotExist');
    // Stopping a closed execution changes nothing and answers its stop date.
    const again = h.send({ type: 'stopExecution', name: 'e' }, 200);
    expect(ownOps(again.ops)).toEqual([]);
    expect(bodyJson(again.result)).toEqual({ stopDate: 100, stopped: false, status: 'ABORTED' });
  });

  it('lets the executor acknowledge inbox items under its lease', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.ok({ type: 'stopExecution', name: 'e' }, 2);
    expect(refusal(h.run({ type: 'ackInbox', owner: 'y', token: 1, seqs: [1] }, 3))).toBe('FailedPrecondition/LeaseLost');
    expect(h.ok({ type: 'ackInbox', owner: 'x', token: 1, seqs: [1, 1, 9] }, 3)).toEqual({ deleted: 1 });
    expect(await inbox(h)).toEqual([]);
  });
});

describe('workflow kind: task callbacks', () => {
  it('queue success, failure, heartbeat and started for open tasks only, once per outcome', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.step([item('e', 1, [], { openTokens: ['a', 'b', 'c'] })], 2);
    expect(refusal(h.run({ type: 'taskCallback', name: 'zz', taskId: 'a', kind: 'success' }, 3))).toBe('NotFound/');
    expect(refusal(h.run({ type: 'taskCallback', name: 'e', taskId: 'q', kind: 'success' }, 3))).toBe('FailedPrecondition/TaskDoesNotExist');
    expect(h.ok({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'started', workerName: 'w1' }, 4)).toEqual({ seq: 1 });
    expect(h.ok({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'heartbeat' }, 5)).toEqual({ seq: 2 });
    expect(h.ok({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'success', output: '{"r":1}' }, 6)).toEqual({ seq: 3 });
    expect(refusal(h.run({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'failure' }, 7))).toBe('FailedPrecondition/TaskDoesNotExist');
    expect(h.ok({ type: 'taskCallback', name: 'e', taskId: 'b', kind: 'failure', error: 'E', cause: 'C' }, 8)).toEqual({ seq: 4 });
    expect((await describeExec(h, 'e')).openTokens).toEqual(['c']);
    expect(await inbox(h, 1)).toEqual([
      { seq: 2, name: 'e', kind: 'heartbeat', atMs: 5, taskId: 'a' },
      { seq: 3, name: 'e', kind: 'success', atMs: 6, taskId: 'a', output: '{"r":1}' },
      { seq: 4, name: 'e', kind: 'failure', atMs: 8, taskId: 'b', error: 'E', cause: 'C' },
    ]);
    expect((await inbox(h))[0]).toEqual({ seq: 1, name: 'e', kind: 'started', atMs: 4, taskId: 'a', workerName: 'w1' });
    const page = await h.q<Page<InboxItem>>({ type: 'inbox', afterSeq: 0, limit: 3 });
    expect([page.items.length, page.next]).toEqual([3, '3']);
  });

  it('keep consecutive inbox seqs across consumption and a reload from the store', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.step([item('e', 1, [], { openTokens: ['a'] })], 2);
    h.ok({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'heartbeat' }, 3);
    h.ok({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'heartbeat' }, 4);
    h.step([item('e', 2, [], { consumeInbox: [1, 2], openTokens: ['a'] })], 5);
    expect(await inbox(h)).toEqual([]);
    await h.restart(new WorkflowStateMachine());
    expect(h.ok({ type: 'taskCallback', name: 'e', taskId: 'a', kind: 'success' }, 6)).toEqual({ seq: 3 });
    await h.restart(new WorkflowStateMachine());
    // The reloaded inbox still knows seq 3 belongs to e: a transition consumes it.
    h.step([item('e', 3, [], { consumeInbox: [3] })], 7);
    expect(await inbox(h)).toEqual([]);
  });
});

describe('workflow kind: RedriveExecution', () => {
  it('refuses running, succeeded, too old and too often redriven executions', () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('run', 1);
    h.start('ok', 1);
    h.start('old', 1);
    h.step([item('ok', 1, [], { close: { status: 'SUCCEEDED' } }), item('old', 1, [], { close: { status: 'TIMED_OUT' } })], 10);
    const why = (r: CommandResult) => (r.ok ? 'ok' : refusalOf(r)?.detail.split(':')[0]);
    expect(refusal(h.run({ type: 'redriveExecution', name: 'nope' }, 20))).toBe('NotFound/');
    expect(why(h.run({ type: 'redriveExecution', name: 'run' }, 20))).toBe('running');
    expect(why(h.run({ type: 'redriveExecution', name: 'ok' }, 20))).toBe('succeeded');
    expect(why(h.run({ type: 'redriveExecution', name: 'old', windowMs: 100 }, 111))).toBe('expired');
    expect(why(h.run({ type: 'redriveExecution', name: 'old', windowMs: 100, maxRedrives: 0 }, 110))).toBe('limit');
    expect(why(h.run({ type: 'redriveExecution', name: 'old', windowMs: 100 }, 110))).toBe('ok');
    expect(refusal(h.run({ type: 'redriveExecution', name: 'old' }, 120))).toBe('FailedPrecondition/ExecutionNotRedrivable');
  });

  it('runs a stopped execution again: new version, count and date, a redrive inbox item', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.ok({ type: 'stopExecution', name: 'e', error: 'E' }, 10);
    expect(h.ok({ type: 'redriveExecution', name: 'e' }, 20)).toEqual({ redriveCount: 1, redriveDate: 20 });
    const d = await describeExec(h, 'e');
    expect(d).toMatchObject({ status: 'RUNNING', redriveCount: 1, redriveDate: 20, version: 3 });
    expect(d.stopDate).toBeUndefined();
    expect(d.error).toBeUndefined();
    // The stale 'stopped' item went; the executor sees only the redrive.
    expect((await inbox(h)).map((i) => [i.seq, i.kind])).toEqual([[2, 'redrive']]);
    // A step computed before the stop cannot land on the redriven execution.
    expect(h.step([item('e', 1, events(3, 1))], 21)).toEqual([{ type: 'conflict', status: 'RUNNING', version: 3 }]);
    expect(h.step([item('e', 3, events(3, 1), { consumeInbox: [2], close: { status: 'SUCCEEDED', output: '1' } })], 22)).toEqual([{ type: 'ok', version: 4 }]);
    expect(await describeExec(h, 'e')).toMatchObject({ status: 'SUCCEEDED', output: '1', redriveCount: 1, stopDate: 22 });
  });
});


describe('workflow kind: a start that carries the first step', () => {
  const closing = { status: 'SUCCEEDED' as const, output: '{"done":true}' };

  it('commits the first step with the start: an execution that needs nothing more closes in one command', async () => {
    const h = new WorkflowHarness();
    const r = h.ok<StartExecutionResult>({ type: 'startExecution', name: 'quick', record: record('quick'), definition: DEF, startedEvent: started(100), maxOpen: 10, first: item('ignored', 99, events(2, 3, 100), { close: closing, consumeInbox: [7] }) }, 100);
    expect(r.existed).toBe(false);
    const d = await describeExec(h, 'quick');
    expect([d.status, d.output, d.eventCount, d.version, d.stopDate]).toEqual(['SUCCEEDED', '{"done":true}', 4, 2, 100]);
    const runnable = await h.q<Page<unknown>>({ type: 'runnable', limit: 10 });
    expect(runnable.items).toEqual([]);
    const history = await h.q<Page<HistoryEvent>>({ type: 'history', name: 'quick', reverse: false, limit: 10 });
    expect(history.items.map((e) => e.id)).toEqual([1, 2, 3, 4]);
  });

  it('leaves a stepped execution running for the executor, with the step state and open tokens', async () => {
    const h = new WorkflowHarness();
    h.ok<StartExecutionResult>({ type: 'startExecution', name: 'waits', record: record('waits'), definition: DEF, startedEvent: started(100), maxOpen: 10, first: item('waits', 1, events(2, 2, 100), { state: '{"s":1}', openTokens: ['t1'] }) }, 100);
    const page = await h.q<Page<{ record: { status: string; version: number; openTokens: string[] }; state?: string }>>({ type: 'runnable', limit: 10 });
    expect(page.items.map((x) => [x.record.status, x.record.version, x.record.openTokens, x.state])).toEqual([['RUNNING', 2, ['t1'], '{"s":1}']]);
  });

  it('starts the execution unstepped when the first step does not follow ExecutionStarted', async () => {
    const h = new WorkflowHarness();
    h.ok<StartExecutionResult>({ type: 'startExecution', name: 'odd', record: record('odd'), definition: DEF, startedEvent: started(100), maxOpen: 10, first: item('odd', 1, events(5, 1, 100), { close: closing }) }, 100);
    const d = await describeExec(h, 'odd');
    expect([d.status, d.eventCount, d.version]).toEqual(['RUNNING', 1, 1]);
  });
});
