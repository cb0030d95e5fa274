import { describe, expect, it } from 'vitest';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { newExecution } from '../../../workflows/engine/index.js';
import { echo, FakeHost, LAMBDA, ok, SNS, SQS_CALLBACK, START_MS } from './host.js';

describe('engine: simple states', () => {
  it('runs a Pass chain with AWS event ids, previousEventIds and details', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.a', Next: 'B' },
        B: { Type: 'Pass', InputPath: '$.a', Parameters: { 'y.$': '$.x', 'n.$': '$$.Execution.Name' }, End: true },
      },
    };
    const h = new FakeHost(def);
    expect(newExecution().nextEventId).toBe(2);
    await h.start({ in: true });
    expect(h.state.status).toBe('SUCCEEDED');
    expect(h.state.output).toEqual({ y: 1, n: 'exec1' });
    expect(h.types()).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
    expect(h.events.map((e) => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 0], [3, 2], [4, 3], [5, 4], [6, 5]]);
    expect(h.events[1]?.details).toEqual({ key: 'stateEnteredEventDetails', value: { name: 'A', input: '{"in":true}', inputDetails: { truncated: false } } });
    expect(h.detail('PassStateExited')).toEqual({ name: 'A', output: '{"in":true,"a":{"x":1}}', outputDetails: { truncated: false } });
    expect(h.detail('ExecutionSucceeded')).toEqual({ output: '{"y":1,"n":"exec1"}', outputDetails: { truncated: false } });
    expect(h.transitions).toBe(2);
    expect(h.state.openTasks).toEqual([]);
  });

  it('Choice picks the first matching rule, else Default, else States.NoChoiceMatched', async () => {
    const def = (withDefault: boolean): StateMachineDefinition => ({
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' },
            { Variable: '$.n', NumericEquals: 5, Next: 'Five' },
          ],
          ...(withDefault ? { Default: 'Other' } : {}),
        },
        Big: { Type: 'Pass', Result: 'big', End: true },
        Five: { Type: 'Pass', Result: 'five', End: true },
        Other: { Type: 'Succeed' },
      },
    });
    for (const [n, out] of [[20, 'big'], [5, 'five'], [1, { n: 1 }]] as const) {
      const h = new FakeHost(def(true));
      await h.start({ n });
      expect(h.state.output).toEqual(out);
    }
    const h = new FakeHost(def(false));
    await h.start({ n: 1 });
    expect(h.state.status).toBe('FAILED');
    expect(h.state.error).toBe('States.NoChoiceMatched');
    expect(h.types().at(-1)).toBe('ExecutionFailed');
  });

  it('Wait arms a timer at the right instant and a past Timestamp goes on at once', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'W1',
      States: {
        W1: { Type: 'Wait', SecondsPath: '$.s', Next: 'W2' },
        W2: { Type: 'Wait', Timestamp: '2000-01-01T00:00:00Z', Next: 'W3' },
        W3: { Type: 'Wait', TimestampPath: '$.at', End: true },
      },
    };
    const h = new FakeHost(def);
    const at = new Date(START_MS + 60_000).toISOString();
    await h.start({ s: 7, at });
    expect(h.effects).toEqual([{ type: 'timer', id: expect.any(String), atMs: START_MS + 7000 }]);
    expect(h.state.openTimers).toHaveLength(1);
    await h.run();
    expect(h.state.status).toBe('SUCCEEDED');
    expect(h.now).toBe(START_MS + 60_000);
    expect(h.types()).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('Fail ends the execution with Error/Cause (and their Path forms)', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'F',
      States: { F: { Type: 'Fail', ErrorPath: '$.e', CausePath: "States.Format('bad {}', $.c)" } },
    };
    const h = new FakeHost(def);
    await h.start({ e: 'MyError', c: 'input' });
    expect(h.state).toMatchObject({ status: 'FAILED', error: 'MyError', cause: 'bad input' });
    expect(h.types()).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(h.detail('ExecutionFailed')).toEqual({ error: 'MyError', cause: 'bad input' });
    expect(h.events.at(-1)?.previousEventId).toBe(2);
  });

  it('an InputPath that matches nothing is States.Runtime, which no catcher takes', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: LAMBDA, InputPath: '$.missing', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'X' }], End: true }, X: { Type: 'Succeed' } },
    };
    const h = new FakeHost(def, { [LAMBDA]: ok(1) });
    await h.start({});
    expect(h.state.status).toBe('FAILED');
    expect(h.state.error).toBe('States.Runtime');
  });
});

describe('engine: Task', () => {
  it('a Lambda task writes the LambdaFunction* family and processes its result', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Parameters: { 'v.$': '$.v', 'token.$': '$$.Task.Token' },
          ResultSelector: { 'r.$': '$.v' },
          ResultPath: '$.res',
          OutputPath: '$.res',
          TimeoutSeconds: 30,
          End: true,
        },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: echo() });
    await h.start({ v: 3 });
    const task = h.log[0];
    expect(task).toMatchObject({ type: 'task', resource: LAMBDA, state: 'T', timeoutSeconds: 30 });
    expect(task?.input).toEqual({ v: 3, token: `tok:exec1:${task?.id}` });
    // Plain Lambda invocations carry no callback token.
    expect(task?.token).toBeUndefined();
    await h.run();
    expect(h.state.output).toEqual({ r: 3 });
    expect(h.types()).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(h.detail('LambdaFunctionScheduled')).toEqual({
      resource: LAMBDA,
      input: JSON.stringify(task?.input),
      inputDetails: { truncated: false },
      timeoutInSeconds: 30,
    });
    expect(h.events.map((e) => e.previousEventId)).toEqual([0, 0, 2, 3, 4, 5, 6]);
    // The timeout timer was cancelled when the task finished.
    expect(h.effects.filter((e) => e.type === 'cancel')).toHaveLength(1);
    expect(h.state.openTimers).toEqual([]);
  });

  it('a service integration writes TaskScheduled/Started/Succeeded with resourceType and region', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: SNS, Parameters: { Message: 'hi' }, End: true } },
    };
    const h = new FakeHost(def, { [SNS]: ok({ MessageId: 'm' }) });
    await h.start({});
    await h.run();
    expect(h.types().slice(1, -1)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited']);
    expect(h.detail('TaskScheduled')).toEqual({ resourceType: 'sns', resource: 'publish', region: 'us-east-1', parameters: '{"Message":"hi"}' });
    expect(h.detail('TaskSucceeded')).toEqual({ resourceType: 'sns', resource: 'publish', output: '{"MessageId":"m"}', outputDetails: { truncated: false } });
  });

  it('a callback task gets a token, TaskSubmitted on taskStarted, and finishes on the callback', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: SQS_CALLBACK, Parameters: { 'MessageBody.$': '$$.Task.Token' }, End: true } },
    };
    const h = new FakeHost(def, { [SQS_CALLBACK]: () => undefined });
    await h.start({});
    const t = h.log[0];
    expect(t?.token).toBe(`tok:exec1:${t?.id}`);
    expect(t?.input).toEqual({ MessageBody: t?.token });
    await h.feed({ type: 'taskStarted', id: t?.id as string });
    expect(h.types().at(-1)).toBe('TaskSubmitted');
    // A second taskStarted changes nothing.
    expect(await h.feed({ type: 'taskStarted', id: t?.id as string })).toEqual([]);
    await h.feed({ type: 'taskSucceeded', id: t?.id as string, output: { done: 1 } });
    expect(h.state).toMatchObject({ status: 'SUCCEEDED', output: { done: 1 } });
  });
});
