import { describe, expect, it } from 'vitest';
import { type StateMachineDefinition, type State } from '../../../workflows/language/definition.js';
import { testState } from '../../../workflows/engine/index.js';
import { echo, FakeHost, LAMBDA, seeded, START_MS } from './host.js';

describe('engine: variables and JSONata', () => {
  it('JSONPath Assign: visible to later states, not within the same state; Map iterations read outer variables', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: { n: 2 }, Assign: { 'x.$': '$.n', y: 'lit' }, Next: 'T' },
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Parameters: { 'x.$': '$x', 'y.$': '$y' },
          ResultSelector: { 'got.$': '$.x', 'list.$': '$.list' },
          Assign: { 'fromResult.$': '$.got' },
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemsPath: '$.list',
          ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Pass', Parameters: { 'item.$': '$', 'x.$': '$x' }, End: true } } },
          Next: 'Out',
        },
        Out: { Type: 'Pass', Parameters: { 'all.$': '$', 'r.$': '$fromResult' }, End: true },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: (input) => ({ output: { ...(input as object), list: [7, 8] } }) });
    await h.start({});
    await h.run();
    expect(h.state.output).toEqual({ all: [{ item: 7, x: 2 }, { item: 8, x: 2 }], r: 2 });
    expect(h.detail('PassStateExited')).toMatchObject({ assignedVariables: { x: '2', y: '"lit"' }, assignedVariablesDetails: { truncated: false } });
  });

  it('JSONata: Arguments, Output, Assign with $states, Choice Condition and Map Items/ItemSelector', async () => {
    const def: StateMachineDefinition = {
      QueryLanguage: 'JSONata',
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Arguments: { sum: '{% $states.input.a + $states.input.b %}' },
          Output: { s: '{% $states.result.sum %}' },
          Assign: { seen: '{% $states.result.sum * 10 %}' },
          TimeoutSeconds: '{% 5 + 5 %}',
          Next: 'C',
        },
        C: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $seen > 20 %}', Next: 'M', Output: { big: '{% $states.input.s %}' } }],
          Default: 'Small',
        },
        Small: { Type: 'Fail', Error: 'Small' },
        M: {
          Type: 'Map',
          Items: '{% [1, 2, $states.input.big] %}',
          ItemSelector: { v: '{% $states.context.Map.Item.Value %}', i: '{% $states.context.Map.Item.Index %}' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', Output: '{% $states.input.v * $states.input.i + $seen %}', End: true } } },
          End: true,
        },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: echo() });
    await h.start({ a: 1, b: 2 });
    expect(h.log[0]).toMatchObject({ input: { sum: 3 }, timeoutSeconds: 10 });
    await h.run();
    expect(h.state).toMatchObject({ status: 'SUCCEEDED', output: [30, 32, 36] });
  });

  it('JSONata Catch Output reads $states.errorOutput; a failing expression is States.QueryEvaluationError', async () => {
    const def: StateMachineDefinition = {
      QueryLanguage: 'JSONata',
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Output: '{% $states.result.nope.deeper %}',
          Catch: [{ ErrorEquals: ['States.QueryEvaluationError'], Output: { e: '{% $states.errorOutput.Error %}' }, Next: 'Done' }],
          End: true,
        },
        Done: { Type: 'Succeed' },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: echo() });
    await h.start({});
    await h.run();
    expect(h.state.output).toEqual({ e: 'States.QueryEvaluationError' });
  });

  it('the context object carries execution, state and retry data', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Parameters: { 'ctx.$': '$$' },
          Retry: [{ ErrorEquals: ['E'], MaxAttempts: 1 }],
          End: true,
        },
      },
    };
    let calls = 0;
    const h = new FakeHost(def, { [LAMBDA]: (input) => (++calls === 1 ? { error: 'E' } : { output: input }) });
    await h.start({ hello: 1 });
    await h.run();
    const ctx = (h.state.output as { ctx: Record<string, Record<string, unknown>> }).ctx;
    expect(ctx.Execution).toMatchObject({ Id: h.info.id, Name: 'exec1', Input: { hello: 1 }, StartTime: new Date(START_MS).toISOString(), RedriveCount: 0 });
    expect(ctx.State).toMatchObject({ Name: 'T', RetryCount: 1, EnteredTime: new Date(START_MS).toISOString() });
    expect(ctx.StateMachine).toEqual({ Id: h.info.stateMachineId, Name: 'sm' });
    expect(ctx.Task?.Token).toBe(`tok:exec1:${h.log[1]?.id}`);
  });
});

describe('testState', () => {
  const env = { nowMs: START_MS, random: seeded(3) };

  it('reports each processing stage at DEBUG and the next state', async () => {
    const state: State = { Type: 'Pass', InputPath: '$.a', Parameters: { 'b.$': '$.b' }, ResultPath: '$.r', Next: 'N' };
    const r = await testState(state, { a: { b: 1 } }, { inspectionLevel: 'DEBUG' }, env);
    expect(r).toMatchObject({ status: 'SUCCEEDED', nextState: 'N', output: '{"a":{"b":1},"r":{"b":1}}' });
    expect(r.inspectionData).toMatchObject({ input: '{"a":{"b":1}}', afterInputPath: '{"b":1}', afterParameters: '{"b":1}' });
  });

  it('a Task with a mock result, a retriable mock error, and a caught one', async () => {
    const task: State = {
      Type: 'Task',
      Resource: LAMBDA,
      ResultSelector: { 'v.$': '$.v' },
      Retry: [{ ErrorEquals: ['Again'], MaxAttempts: 2, IntervalSeconds: 3 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.err', Next: 'Handler' }],
      End: true,
    };
    const ok = await testState(task, { in: 1 }, { inspectionLevel: 'DEBUG', mockResult: { v: 5, junk: 1 } }, env);
    expect(ok).toMatchObject({ status: 'SUCCEEDED', output: '{"v":5}' });
    expect(ok.inspectionData).toMatchObject({ result: '{"v":5,"junk":1}', afterResultSelector: '{"v":5}', afterResultPath: '{"v":5}' });
    const retry = await testState(task, {}, { mockError: { error: 'Again', cause: 'c' } }, env);
    expect(retry).toMatchObject({ status: 'RETRIABLE', error: 'Again', inspectionData: { errorDetails: { retryIndex: 0, retryBackoffIntervalSeconds: 3 } } });
    const caught = await testState(task, { in: 1 }, { mockError: { error: 'Other', cause: 'c' } }, env);
    expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Handler', output: '{"in":1,"err":{"Error":"Other","Cause":"c"}}' });
    const invoked = await testState(task, { v: 9 }, { invoke: async (_r, input) => input }, env);
    expect(invoked).toMatchObject({ status: 'SUCCEEDED', output: '{"v":9}' });
  });

  it('a Fail state fails; a Wait does not wait; a Map runs through invoke', async () => {
    expect(await testState({ Type: 'Fail', Error: 'E', Cause: 'C' }, {}, {}, env)).toEqual({ status: 'FAILED', error: 'E', cause: 'C' });
    expect(await testState({ Type: 'Wait', Seconds: 1000, Next: 'X' }, 1, {}, env)).toMatchObject({ status: 'SUCCEEDED', nextState: 'X', output: '1' });
    const map: State = { Type: 'Map', ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } }, End: true };
    const r = await testState(map, [1, 2], { invoke: async (_r, input) => (input as number) * 2 }, env);
    expect(r).toMatchObject({ status: 'SUCCEEDED', output: '[2,4]' });
  });
});
