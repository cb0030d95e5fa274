import { describe, expect, it } from 'vitest';
import { type Json } from '../../../workflows/language/json.js';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { echo, FakeHost, fail, LAMBDA, LAMBDA2, type Resource } from './host.js';

describe('engine: Parallel', () => {
  it('runs every branch and outputs their results in branch order', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } },
            { StartAt: 'Q', States: { Q: { Type: 'Pass', Result: 'sync', End: true } } },
          ],
          ResultPath: '$.out',
          End: true,
        },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: () => ({ output: 'task' }) });
    await h.start({ in: 1 });
    // The synchronous branch finished in the first step; the task branch waits.
    expect(h.state.status).toBe('RUNNING');
    await h.run();
    expect(h.state.output).toEqual({ in: 1, out: ['task', 'sync'] });
    const types = h.types();
    expect(types.slice(0, 4)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted', 'TaskStateEntered']);
    expect(types.slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
    // Each branch's first event follows ParallelStateStarted.
    const started = h.events.find((e) => e.type === 'ParallelStateStarted')?.id;
    expect(h.events.filter((e) => e.type === 'TaskStateEntered' || e.type === 'PassStateEntered').map((e) => e.previousEventId)).toEqual([started, started]);
  });

  it('a failing branch aborts the others (their tasks cancelled) and the Parallel catches it', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: LAMBDA, End: true } } },
            { StartAt: 'Bad', States: { Bad: { Type: 'Task', Resource: LAMBDA2, End: true } } },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: () => undefined, [LAMBDA2]: fail('BranchError', 'c') });
    await h.start({});
    await h.run();
    expect(h.state.output).toEqual({ Error: 'BranchError', Cause: 'c' });
    const slow = h.log.find((t) => t.resource === LAMBDA);
    expect(h.effects).toContainEqual({ type: 'cancel', id: slow?.id });
    expect(h.state.openTasks).toEqual([]);
    const types = h.types();
    expect(types).toContain('TaskStateAborted');
    expect(types.indexOf('ParallelStateFailed')).toBeGreaterThan(types.indexOf('LambdaFunctionFailed'));
    expect(types.slice(-4)).toEqual(['ParallelStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  it('an uncaught branch failure fails the execution with the branch error', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'X', Cause: 'y' } } }], End: true },
      },
    };
    const h = new FakeHost(def);
    await h.start({});
    expect(h.state).toMatchObject({ status: 'FAILED', error: 'X', cause: 'y' });
  });
});

describe('engine: Map', () => {
  const mapDef = (extra: Record<string, Json>): StateMachineDefinition => ({
    StartAt: 'M',
    States: {
      M: {
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: { 'v.$': '$$.Map.Item.Value', 'i.$': '$$.Map.Item.Index', 'k.$': '$.k' },
        ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } },
        End: true,
        ...extra,
      } as StateMachineDefinition['States'][string],
    },
  });

  it('keeps MaxConcurrency tasks open at most and outputs in item order', async () => {
    const held: string[] = [];
    const slow: Resource = (_i, t) => {
      held.push(t.id);
      return undefined;
    };
    const h = new FakeHost(mapDef({ MaxConcurrency: 2 }), { [LAMBDA]: slow });
    await h.start({ items: [10, 20, 30, 40, 50], k: 'K' });
    expect(h.state.openTasks).toHaveLength(2);
    expect(h.detail('MapStateStarted')).toEqual({ length: 5 });
    // Finish them out of order: the newest first.
    while (h.state.status === 'RUNNING') {
      const t = h.state.openTasks.at(-1);
      if (!t) break;
      await h.feed({ type: 'taskSucceeded', id: t.id, output: t.input });
    }
    expect(h.maxOpen).toBe(2);
    expect(h.state.output).toEqual([10, 20, 30, 40, 50].map((v, i) => ({ v, i, k: 'K' })));
    expect(h.types().filter((t) => t === 'MapIterationSucceeded')).toHaveLength(5);
    expect(h.types().slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
  });

  it('runs at most 40 iterations at once when MaxConcurrency is 0', async () => {
    const h = new FakeHost(mapDef({}), { [LAMBDA]: () => undefined });
    await h.start({ items: Array.from({ length: 50 }, (_, i) => i), k: 0 });
    expect(h.state.openTasks).toHaveLength(40);
  });

  it('tolerates failures up to ToleratedFailureCount, then fails with States.ExceedToleratedFailureThreshold', async () => {
    const odd: Resource = (input) => ((input as { v: number }).v % 2 ? { error: 'Odd', cause: 'odd' } : { output: 'even' });
    const a = new FakeHost(mapDef({ ToleratedFailureCount: 1 }), { [LAMBDA]: odd });
    await a.start({ items: [0, 1, 2], k: 0 });
    await a.run();
    expect(a.state.output).toEqual(['even', { Error: 'Odd', Cause: 'odd' }, 'even']);

    const b = new FakeHost(mapDef({ ToleratedFailurePercentage: 30 }), { [LAMBDA]: odd });
    await b.start({ items: [0, 1, 2, 3], k: 0 });
    await b.run();
    expect(b.state).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });

    const c = new FakeHost(mapDef({}), { [LAMBDA]: odd });
    await c.start({ items: [0, 1, 2, 3], k: 0 });
    await c.run();
    expect(c.state).toMatchObject({ status: 'FAILED', error: 'Odd' });
    expect(c.types()).toContain('MapIterationFailed');
    expect(c.types()).toContain('MapStateFailed');
  });

  it('an empty array succeeds with []', async () => {
    const h = new FakeHost(mapDef({}), { [LAMBDA]: echo() });
    await h.start({ items: [], k: 0 });
    expect(h.state).toMatchObject({ status: 'SUCCEEDED', output: [] });
  });

  it('runs synchronous iterations in one step with AWS-style previousEventIds', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'M',
      States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true } },
    };
    const h = new FakeHost(def);
    await h.start([1, 2]);
    expect(h.state.output).toEqual([1, 2]);
    const rows = h.events.map((e) => `${e.id}:${e.type}:${e.previousEventId}`);
    expect(rows).toEqual([
      '1:ExecutionStarted:0',
      '2:MapStateEntered:0',
      '3:MapStateStarted:2',
      '4:MapIterationStarted:3',
      '5:PassStateEntered:4',
      '6:PassStateExited:5',
      '7:MapIterationSucceeded:6',
      '8:MapIterationStarted:6',
      '9:PassStateEntered:8',
      '10:PassStateExited:9',
      '11:MapIterationSucceeded:10',
      '12:MapStateSucceeded:11',
      '13:MapStateExited:11',
      '14:ExecutionSucceeded:13',
    ]);
    expect(h.transitions).toBe(3);
  });
});
