// The `workflow` kind's listings (ListExecutions, history, the executor's runnable list) and an
// activity's task queue.
import { describe, expect, it } from 'vitest';
import {
  type ActivityTask,
  type ExecutionListItem,
  type HistoryEvent,
  type Page,
  type RunnableExecution,
  WorkflowStateMachine,
} from '../../storage/partitions/workflow.js';
import { WorkflowHarness, events, item } from './workflow-harness.js';

const V1 = 'arn:sm:1';
const A = 'arn:sm:alias';

/** Ten executions e0..e9: e0-e4 of version 1, even ones via the alias; e1, e3 closed. */
function tenExecutions(): WorkflowHarness {
  const h = new WorkflowHarness();
  h.acquire('x', 0, 1e9);
  for (let i = 0; i < 10; i++) {
    const extra = { ...(i < 5 ? { versionArn: V1 } : {}), ...(i % 2 === 0 ? { aliasArn: A } : {}) };
    // Same timestamp for several: the order is still the start order.
    expect(h.start(`e${i}`, 100 + Math.floor(i / 3), extra).ok).toBe(true);
  }
  h.step([item('e1', 1, [], { close: { status: 'SUCCEEDED' } }), item('e3', 1, [], { close: { status: 'FAILED' } })], 500);
  return h;
}

async function listAll(h: WorkflowHarness, q: { status?: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; versionArn?: string; aliasArn?: string }, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const p = await h.q<Page<ExecutionListItem>>({ type: 'listExecutions', limit, ...q, ...(after !== undefined ? { after } : {}) });
    pages.push(p.items.map((x) => x.name));
    if (p.next === undefined) return pages;
    after = p.next;
  }
}

describe('workflow kind: ListExecutions', () => {
  it('lists newest start first, in stable pages', async () => {
    const h = tenExecutions();
    expect(await listAll(h, {}, 4)).toEqual([['e9', 'e8', 'e7', 'e6'], ['e5', 'e4', 'e3', 'e2'], ['e1', 'e0']]);
    expect(await listAll(h, {}, 5)).toEqual([['e9', 'e8', 'e7', 'e6', 'e5'], ['e4', 'e3', 'e2', 'e1', 'e0']]);
    const first = await h.q<Page<ExecutionListItem>>({ type: 'listExecutions', limit: 10 });
    expect(first.next).toBeUndefined();
    expect(first.items.find((x) => x.name === 'e1')).toEqual({ name: 'e1', executionArn: expect.stringContaining(':e1') as unknown, stateMachineArn: expect.any(String) as unknown, versionArn: V1, status: 'SUCCEEDED', startDate: 100, stopDate: 500, redriveCount: 0 });
    // New executions do not shift a reader's later pages.
    const p1 = await h.q<Page<ExecutionListItem>>({ type: 'listExecutions', limit: 3 });
    h.start('late', 600);
    const p2 = await h.q<Page<ExecutionListItem>>({ type: 'listExecutions', limit: 3, after: p1.next as string });
    expect(p2.items.map((x) => x.name)).toEqual(['e6', 'e5', 'e4']);
  });

  it('filters by status, version and alias', async () => {
    const h = tenExecutions();
    expect(await listAll(h, { status: 'RUNNING' }, 3)).toEqual([['e9', 'e8', 'e7'], ['e6', 'e5', 'e4'], ['e2', 'e0']]);
    expect(await listAll(h, { status: 'FAILED' }, 3)).toEqual([['e3']]);
    expect(await listAll(h, { versionArn: V1 }, 2)).toEqual([['e4', 'e3'], ['e2', 'e1'], ['e0']]);
    expect(await listAll(h, { aliasArn: A, versionArn: V1 }, 10)).toEqual([['e4', 'e2', 'e0']]);
    expect(await listAll(h, { aliasArn: A, status: 'SUCCEEDED' }, 10)).toEqual([[]]);
    // The same after a reload from the store.
    await h.restart(new WorkflowStateMachine());
    expect(await listAll(h, { status: 'RUNNING' }, 3)).toEqual([['e9', 'e8', 'e7'], ['e6', 'e5', 'e4'], ['e2', 'e0']]);
  });
});

describe('workflow kind: history and runnable', () => {
  it('pages history forwards and backwards by event id', async () => {
    const h = new WorkflowHarness();
    h.acquire('x', 0, 1e9);
    h.start('e', 1);
    h.start('e2', 1);
    h.step([item('e', 1, events(2, 11))], 2);
    h.step([item('e2', 1, events(2, 1))], 2);
    const ids = async (reverse: boolean, limit: number): Promise<number[][]> => {
      const out: number[][] = [];
      let afterId: number | undefined;
      for (;;) {
        const p = await h.q<Page<HistoryEvent>>({ type: 'history', name: 'e', reverse, limit, ...(afterId !== undefined ? { afterId } : {}) });
        out.push(p.items.map((x) => x.id));
        if (p.next === undefined) return out;
        afterId = Number(p.next);
      }
    };
    expect(await ids(false, 5)).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]]);
    expect(await ids(true, 4)).toEqual([[12, 11, 10, 9], [8, 7, 6, 5], [4, 3, 2, 1]]);
    expect((await h.q<Page<HistoryEvent>>({ type: 'history', name: 'e2', reverse: false, limit: 100 })).items.map((x) => x.id)).toEqual([1, 2]);
  });

  it('lists RUNNING executions in start order with their state, in pages', async () => {
    const h = tenExecutions();
    h.step([item('e0', 1, [], { state: '{"s":0}' })], 600);
    const pages: string[][] = [];
    let after: string | undefined;
    let e0: RunnableExecution | undefined;
    for (;;) {
      const p = await h.q<Page<RunnableExecution>>({ type: 'runnable', limit: 3, ...(after !== undefined ? { after } : {}) });
      pages.push(p.items.map((x) => x.record.name));
      e0 ??= p.items.find((x) => x.record.name === 'e0');
      if (p.next === undefined) break;
      after = p.next;
    }
    expect(pages).toEqual([['e0', 'e2', 'e4'], ['e5', 'e6', 'e7'], ['e8', 'e9']]);
    expect(e0).toMatchObject({ state: '{"s":0}', input: '{"x":1}', record: { version: 2, definitionId: 'd1', status: 'RUNNING' } });
  });
});

describe('workflow kind: activity task queue', () => {
  it('hands out the oldest task once, keeps taken tasks until dropped, and survives a reload', async () => {
    const h = new WorkflowHarness();
    expect(h.ok({ type: 'enqueueActivityTask', token: 't1', input: '{"n":1}', heartbeatSeconds: 30 }, 10)).toEqual({ queued: true });
    expect(h.ok({ type: 'enqueueActivityTask', token: 't2', input: '{"n":2}' }, 11)).toEqual({ queued: true });
    expect(h.ok({ type: 'enqueueActivityTask', token: 't1', input: '{"n":1}' }, 12)).toEqual({ queued: false });
    expect(await h.q({ type: 'activityQueueLength' })).toEqual({ queued: 2, taken: 0 });
    const t1 = h.ok<ActivityTask | null>({ type: 'takeActivityTask', workerName: 'w' }, 20);
    expect(t1).toEqual({ seq: 1, token: 't1', heartbeatSeconds: 30, enqueuedAtMs: 10, takenBy: 'w', takenAtMs: 20 });
    expect(await h.q({ type: 'activityTask', token: 't1' })).toEqual({ task: t1, input: '{"n":1}' });
    // A taken task re-enqueued (an executor recovering) is not queued again.
    expect(h.ok({ type: 'enqueueActivityTask', token: 't1', input: '{"n":1}' }, 21)).toEqual({ queued: false });
    h.ok({ type: 'enqueueActivityTask', token: 't3', input: '3' }, 22);
    await h.restart(new WorkflowStateMachine());
    expect(await h.q({ type: 'activityQueueLength' })).toEqual({ queued: 2, taken: 1 });
    expect(h.ok<ActivityTask | null>({ type: 'takeActivityTask', workerName: 'w2' }, 30)?.token).toBe('t2');
    expect(h.ok({ type: 'dropActivityTask', token: 't3' }, 31)).toEqual({ dropped: true });
    expect(h.ok({ type: 'dropActivityTask', token: 't3' }, 32)).toEqual({ dropped: false });
    expect(h.ok<ActivityTask | null>({ type: 'takeActivityTask', workerName: 'w3' }, 33)).toBeNull();
    h.ok({ type: 'dropActivityTask', token: 't1' }, 34);
    h.ok({ type: 'dropActivityTask', token: 't2' }, 35);
    expect(await h.q({ type: 'activityQueueLength' })).toEqual({ queued: 0, taken: 0 });
    const r = await h.qr({ type: 'activityTask', token: 't1' });
    expect(r.ok ? 'ok' : r.code).toBe('NotFound');
    // Seqs keep growing after the queue emptied and the group reloaded.
    await h.restart(new WorkflowStateMachine());
    h.ok({ type: 'enqueueActivityTask', token: 't4', input: '4' }, 40);
    expect(h.ok<ActivityTask | null>({ type: 'takeActivityTask', workerName: 'w' }, 41)?.seq).toBe(4);
    // Only the dedup table, the counter and t4 remain.
    expect(h.store.dump().filter(([k]) => !k.startsWith('00')).map(([k]) => Buffer.from(k, 'hex').toString('latin1')[0])).toEqual(['A', 'P', 'k']);
  });
});
