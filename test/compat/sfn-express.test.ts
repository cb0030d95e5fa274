// Express executions and TestState through the SDK v3 Step Functions client against the embedded
// server: StartExecution of an Express machine (an `express:` ARN, no history kept),
// StartSyncExecution's answer (output, error and cause, billing), and TestState for single
// states (inspection data at DEBUG, mocked Task results, a Choice's next state, bad definitions).
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient, StartExecutionCommand, StartSyncExecutionCommand, TestStateCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, startEmbedded } from './targets.js';
import { failure, machine, PREFIX, ROLE, sfnClient } from './sfn-fixtures.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describe('Step Functions Express executions and TestState (SDK v3)', () => {
  let target: SqsTarget;
  let sfn: SFNClient;
  beforeAll(async () => {
    target = await startEmbedded();
    sfn = sfnClient(target.endpoint);
  }, 30_000);
  afterAll(async () => {
    sfn?.destroy();
    await target?.stop();
  }, 30_000);

  it('starts an Express execution asynchronously under an express ARN; it has no history to list', async () => {
    const arn = await machine(sfn, 'fast', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, { type: 'EXPRESS' });
    const r = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'quick', input: '{"a":1}' }));
    expect(r.executionArn).toMatch(new RegExp(`^${PREFIX}:express:fast:quick:${UUID}$`));
    expect(r.startDate).toBeInstanceOf(Date);
    // Express executions are not idempotent by name: each start is a new execution.
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'quick', input: '{"a":2}' }));
    expect(again.executionArn).not.toBe(r.executionArn);
    expect(await failure(sfn.send(new ListExecutionsCommand({ stateMachineArn: arn })))).toEqual({
      name: 'StateMachineTypeNotSupported',
      message: 'This operation is not supported by this type of state machine',
      status: 400,
    });
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: r.executionArn })))).toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('answers StartSyncExecution with the output, or the error and cause, and billing details', async () => {
    const def = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'F' }], Default: 'P' },
        P: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hello {}', $.who)" }, End: true },
        F: { Type: 'Fail', Error: 'Custom.Failure', Cause: 'the input asked for it' },
      },
    };
    const arn = await machine(sfn, 'sync', def, { type: 'EXPRESS' });
    const ok = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, name: 'hello', input: '{"who":"world","fail":false}' }));
    expect(ok).toMatchObject({
      stateMachineArn: arn,
      name: 'hello',
      status: 'SUCCEEDED',
      input: '{"who":"world","fail":false}',
      inputDetails: { included: true },
      outputDetails: { included: true },
      billingDetails: { billedMemoryUsedInMB: 64 },
    });
    expect(ok.executionArn).toMatch(new RegExp(`^${PREFIX}:express:sync:hello:${UUID}$`));
    expect(JSON.parse(ok.output!)).toEqual({ greeting: 'hello world' });
    expect(ok.billingDetails!.billedDurationInMilliseconds! % 100).toBe(0);
    expect(ok.billingDetails!.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
    expect(ok.stopDate!.getTime()).toBeGreaterThanOrEqual(ok.startDate!.getTime());
    expect(ok.error).toBeUndefined();

    const bad = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"fail":true}' }));
    expect(bad).toMatchObject({ status: 'FAILED', error: 'Custom.Failure', cause: 'the input asked for it' });
    expect(bad.output).toBeUndefined();
    expect(bad.name).toMatch(new RegExp(`^${UUID}$`));

    const meta = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"who":"x","fail":false}', includedData: 'METADATA_ONLY' }));
    expect(meta.status).toBe('SUCCEEDED');
    expect(meta.input).toBeUndefined();
    expect(meta.output).toBeUndefined();
    expect(meta.inputDetails).toEqual({ included: false });

    const badInput = await failure(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '[' })));
    expect(badInput.name).toBe('InvalidExecutionInput');
    expect(await failure(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn, name: 'has space' })))).toMatchObject({ name: 'InvalidName', message: "Invalid Name: 'has space'" });
    expect(await failure(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: `${PREFIX}:stateMachine:nothing` })))).toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('tests a Pass state at DEBUG: every processing stage and the next state', async () => {
    const state = { Type: 'Pass', InputPath: '$.order', Parameters: { 'item.$': '$.item', 'qty.$': '$.qty' }, ResultPath: '$.picked', OutputPath: '$.picked', Next: 'Ship' };
    const r = await sfn.send(new TestStateCommand({ definition: JSON.stringify(state), roleArn: ROLE, input: '{"order":{"item":"book","qty":2},"id":7}', inspectionLevel: 'DEBUG' }));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.nextState).toBe('Ship');
    expect(JSON.parse(r.output!)).toEqual({ item: 'book', qty: 2 });
    const i = r.inspectionData!;
    expect(JSON.parse(i.input!)).toEqual({ order: { item: 'book', qty: 2 }, id: 7 });
    expect(JSON.parse(i.afterInputPath!)).toEqual({ item: 'book', qty: 2 });
    expect(JSON.parse(i.afterParameters!)).toEqual({ item: 'book', qty: 2 });
    // AWS reports the ResultSelector and ResultPath stages of a Pass state too (a Pass without Result
    // has no `result`); recorded against AWS in LocalStack's TestState snapshots (IO_PASS_STATE).
    expect(i.result).toBeUndefined();
    expect(JSON.parse(i.afterResultSelector ?? 'null')).toEqual({ item: 'book', qty: 2 });
    expect(JSON.parse(i.afterResultPath ?? 'null')).toEqual({ order: { item: 'book', qty: 2 }, id: 7, picked: { item: 'book', qty: 2 } });

    // INFO (the default) reports no inspection data.
    const info = await sfn.send(new TestStateCommand({ definition: JSON.stringify(state), input: '{"order":{"item":"pen","qty":1}}' }));
    expect(info.inspectionData).toBeUndefined();
    expect(JSON.parse(info.output!)).toEqual({ item: 'pen', qty: 1 });
  });

  it('tests a Task with a mocked result or error, and a Choice', async () => {
    const task = {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: `arn:aws:lambda:us-east-1:000000000000:function:not-called`, 'Payload.$': '$' },
      ResultSelector: { 'answer.$': '$.Payload.answer' },
      ResultPath: '$.result',
      Catch: [{ ErrorEquals: ['Oops'], Next: 'Handle' }],
      End: true,
    };
    const mocked = await sfn.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{"q":1}', inspectionLevel: 'DEBUG', mock: { result: '{"Payload":{"answer":42},"StatusCode":200}' } }));
    expect(mocked.status).toBe('SUCCEEDED');
    expect(JSON.parse(mocked.output!)).toEqual({ q: 1, result: { answer: 42 } });
    expect(JSON.parse(mocked.inspectionData!.afterResultSelector!)).toEqual({ answer: 42 });
    expect(mocked.nextState).toBeUndefined();

    const caught = await sfn.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{}', mock: { errorOutput: { error: 'Oops', cause: 'mocked failure' } } }));
    expect(caught).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'Handle', error: 'Oops', cause: 'mocked failure' });
    const uncaught = await sfn.send(new TestStateCommand({ definition: JSON.stringify(task), input: '{}', mock: { errorOutput: { error: 'Other', cause: 'not caught' } } }));
    expect(uncaught).toMatchObject({ status: 'FAILED', error: 'Other', cause: 'not caught' });

    const choice = { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' };
    const big = await sfn.send(new TestStateCommand({ definition: JSON.stringify(choice), input: '{"n":20}' }));
    expect(big).toMatchObject({ status: 'SUCCEEDED', nextState: 'Big', output: '{"n":20}' });
    expect((await sfn.send(new TestStateCommand({ definition: JSON.stringify(choice), input: '{"n":3}' }))).nextState).toBe('Small');
  });

  it('refuses an invalid state definition and bad input', async () => {
    const r = await failure(sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', Bogus: true, End: true }) })));
    expect(r.name).toBe('InvalidDefinition');
    expect(r.message).toMatch(/SCHEMA_VALIDATION_FAILED/);
    expect(await failure(sfn.send(new TestStateCommand({ definition: '{not json' })))).toMatchObject({ name: 'InvalidDefinition' });
    expect(await failure(sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', End: true }), input: '{' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(sfn.send(new TestStateCommand({ definition: JSON.stringify({ Type: 'Pass', End: true }), roleArn: 'arn:aws:iam::000000000000:user/bob' })))).toEqual({
      name: 'InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: user'",
      status: 400,
    });
  });
});
