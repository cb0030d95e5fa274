// Standard executions through the SDK v3 Step Functions client against the embedded server:
// StartExecution (idempotency by name and input), DescribeExecution, ListExecutions (status
// filter, pages, version and alias ARNs), GetExecutionHistory (ids, order, pages, data left out),
// StopExecution, RedriveExecution's refusals, DescribeStateMachineForExecution and map runs, with
// AWS's error names and messages. Express executions and TestState: sfn-express.test.ts;
// integrations: sfn-integrations.test.ts; callbacks and activities: sfn-callbacks.test.ts.
import {
  CreateStateMachineAliasCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  PublishStateMachineVersionCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqsTarget, startEmbedded } from './targets.js';
import { executionArn, failure, history, historyWith, machine, machineArn, PREFIX, settled, sfnClient, shape } from './sfn-fixtures.js';

const pass = (result: unknown) => ({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });
const WAIT_LONG = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } };

describe('Step Functions executions (SDK v3)', () => {
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

  const start = async (stateMachineArn: string, name?: string, input?: string): Promise<string> =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input }))).executionArn!;

  it('starts an execution and describes it while running, closed, and without its data', async () => {
    const arn = await machine(sfn, 'describe', { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, End: true } } });
    const before = Date.now();
    const s = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'first', input: '{"n":21}', traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793' }));
    expect(s.executionArn).toBe(executionArn('describe', 'first'));
    expect(s.startDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const d = await settled(sfn, s.executionArn!);
    expect(d).toMatchObject({
      executionArn: s.executionArn,
      stateMachineArn: arn,
      name: 'first',
      status: 'SUCCEEDED',
      input: '{"n":21}',
      inputDetails: { included: true },
      outputDetails: { included: true },
      traceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793',
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(JSON.parse(d.output!)).toEqual({ doubled: 42 });
    expect(d.startDate!.getTime()).toBe(s.startDate!.getTime());
    expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime());
    expect(d.error).toBeUndefined();
    expect(d.stateMachineVersionArn).toBeUndefined();

    // METADATA_ONLY leaves the input and output out and says so.
    const meta = await sfn.send(new DescribeExecutionCommand({ executionArn: s.executionArn, includedData: 'METADATA_ONLY' }));
    expect(meta.input).toBeUndefined();
    expect(meta.output).toBeUndefined();
    expect(meta.inputDetails).toEqual({ included: false });
    expect(meta.outputDetails).toEqual({ included: false });

    // Without a name the execution gets a UUID; without input it gets {}.
    const anon = await start(arn);
    expect(anon).toMatch(new RegExp(`^${PREFIX}:execution:describe:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`));
    const anonRun = await settled(sfn, anon);
    expect(anonRun.input).toBe('{}');
  });

  it('is idempotent for the same name and input while the execution runs, and refuses anything else', async () => {
    const arn = await machine(sfn, 'idem', WAIT_LONG);
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"k":1}' }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"k":1}' }));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate!.getTime()).toBe(first.startDate!.getTime());
    expect(await failure(start(arn, 'once', '{"k":2}'))).toEqual({ name: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${first.executionArn}'`, status: 400 });
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    // Once closed, the name is taken whatever the input.
    expect(await failure(start(arn, 'once', '{"k":1}'))).toMatchObject({ name: 'ExecutionAlreadyExists' });
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(listed.executions!.map((e) => e.name)).toEqual(['once']);
  });

  it('answers AWS errors for bad starts and unknown executions', async () => {
    const arn = await machine(sfn, 'errs', pass('x'));
    expect(await failure(start(arn, 'bad name'))).toEqual({ name: 'InvalidName', message: "Invalid Name: 'bad name'", status: 400 });
    expect(await failure(start(arn, 'a:b'))).toMatchObject({ name: 'InvalidName' });
    const badInput = await failure(start(arn, 'ok', '{not json'));
    expect(badInput.name).toBe('InvalidExecutionInput');
    expect(badInput.message).toMatch(/^Invalid State Machine Execution Input: '.+'$/);
    const tooLong = await failure(start(arn, 'x'.repeat(81)));
    expect(tooLong.name).toBe('ValidationException');
    expect(tooLong.message).toMatch(/^1 validation error detected: .*'name'.*length less than or equal to 80/);
    const missing = machineArn('no-such-machine');
    expect(await failure(start(missing))).toEqual({ name: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${missing}'`, status: 400 });
    expect(await failure(start('not-an-arn'))).toEqual({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'", status: 400 });
    expect(await failure(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: arn })))).toEqual({
      name: 'StateMachineTypeNotSupported',
      message: 'This operation is not supported by this type of state machine',
      status: 400,
    });

    const gone = executionArn('errs', 'never');
    const notFound = { name: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${gone}'`, status: 400 };
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: gone })))).toEqual(notFound);
    expect(await failure(sfn.send(new GetExecutionHistoryCommand({ executionArn: gone })))).toEqual(notFound);
    expect(await failure(sfn.send(new StopExecutionCommand({ executionArn: gone })))).toEqual(notFound);
    expect(await failure(sfn.send(new RedriveExecutionCommand({ executionArn: gone })))).toEqual(notFound);
    expect(await failure(sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: gone })))).toEqual(notFound);
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: arn })))).toEqual({ name: 'InvalidArn', message: "Invalid Arn: 'Resource type not valid in this context: stateMachine'", status: 400 });
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: gone, includedData: 'SOME' as 'ALL_DATA' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(sfn.send(new ListExecutionsCommand({})))).toMatchObject({ name: 'ValidationException', message: 'Must provide a StateMachine ARN or MapRun ARN' });
    expect(await failure(sfn.send(new ListExecutionsCommand({ stateMachineArn: missing })))).toMatchObject({ name: 'StateMachineDoesNotExist' });
    expect(await failure(sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1001 })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(sfn.send(new GetExecutionHistoryCommand({ executionArn: gone, maxResults: -1 })))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('lists executions newest first, by status, in pages', async () => {
    const def = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.go', StringEquals: 'fail', Next: 'F' }, { Variable: '$.go', StringEquals: 'wait', Next: 'W' }], Default: 'P' },
        F: { Type: 'Fail', Error: 'Nope', Cause: 'asked to' },
        W: { Type: 'Wait', Seconds: 60, End: true },
        P: { Type: 'Pass', End: true },
      },
    };
    const arn = await machine(sfn, 'listing', def);
    const plan = ['ok', 'fail', 'ok', 'wait', 'fail', 'ok'];
    const arns: string[] = [];
    for (const [i, go] of plan.entries()) arns.push(await start(arn, `e${i}`, JSON.stringify({ go })));
    for (const [i, a] of arns.entries()) await settled(sfn, a, [plan[i] === 'ok' ? 'SUCCEEDED' : plan[i] === 'fail' ? 'FAILED' : 'RUNNING']);

    const names = async (statusFilter?: 'SUCCEEDED' | 'FAILED' | 'RUNNING' | 'ABORTED'): Promise<string[]> =>
      ((await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter }))).executions ?? []).map((e) => e.name!);
    expect(await names()).toEqual(['e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
    expect(await names('SUCCEEDED')).toEqual(['e5', 'e2', 'e0']);
    expect(await names('FAILED')).toEqual(['e4', 'e1']);
    expect(await names('RUNNING')).toEqual(['e3']);

    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'FAILED' }));
    expect(all.executions![0]).toMatchObject({ executionArn: arns[4], stateMachineArn: arn, name: 'e4', status: 'FAILED', redriveCount: 0 });
    expect(all.executions![0]!.stopDate).toBeInstanceOf(Date);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const r = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 4, nextToken }));
      pages.push(r.executions!.map((e) => e.name!));
      nextToken = r.nextToken;
    } while (nextToken);
    expect(pages).toEqual([['e5', 'e4', 'e3', 'e2'], ['e1', 'e0']]);
    expect(await failure(sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, nextToken: 'garbage!' })))).toMatchObject({ name: 'InvalidToken', status: 400 });

    await sfn.send(new StopExecutionCommand({ executionArn: arns[3] }));
    expect(await names('ABORTED')).toEqual(['e3']);
    expect(await names('RUNNING')).toEqual([]);
  });

  it('pages a history forwards and backwards, with ids, previous ids and optional data', async () => {
    const def = { StartAt: 'A', States: { A: { Type: 'Pass', Result: 1, ResultPath: '$.a', Next: 'B' }, B: { Type: 'Pass', Result: 2, ResultPath: '$.b', Next: 'S' }, S: { Type: 'Succeed' } } };
    const arn = await machine(sfn, 'hist', def);
    const ex = await start(arn, 'h', '{"in":0}');
    await settled(sfn, ex);
    const all = await history(sfn, ex);
    expect(shape(all)).toEqual([
      ['ExecutionStarted', 1, 0],
      ['PassStateEntered', 2, 0],
      ['PassStateExited', 3, 2],
      ['PassStateEntered', 4, 3],
      ['PassStateExited', 5, 4],
      ['SucceedStateEntered', 6, 5],
      ['SucceedStateExited', 7, 6],
      ['ExecutionSucceeded', 8, 7],
    ]);
    expect(all[0]!.executionStartedEventDetails).toMatchObject({ input: '{"in":0}', inputDetails: { truncated: false }, roleArn: expect.stringMatching(/:role\/sfn-role$/) as unknown });
    expect(all[1]!.stateEnteredEventDetails).toEqual({ name: 'A', input: '{"in":0}', inputDetails: { truncated: false } });
    expect(all[4]!.stateExitedEventDetails).toEqual({ name: 'B', output: '{"in":0,"a":1,"b":2}', outputDetails: { truncated: false } });
    expect(all[7]!.executionSucceededEventDetails).toEqual({ output: '{"in":0,"a":1,"b":2}', outputDetails: { truncated: false } });
    for (const e of all) expect(e.timestamp).toBeInstanceOf(Date);

    const ids = async (reverseOrder: boolean): Promise<number[][]> => {
      const pages: number[][] = [];
      let nextToken: string | undefined;
      do {
        const r = await sfn.send(new GetExecutionHistoryCommand({ executionArn: ex, maxResults: 3, reverseOrder, nextToken }));
        pages.push(r.events!.map((e) => e.id!));
        nextToken = r.nextToken;
      } while (nextToken);
      return pages;
    };
    expect(await ids(false)).toEqual([[1, 2, 3], [4, 5, 6], [7, 8]]);
    expect(await ids(true)).toEqual([[8, 7, 6], [5, 4, 3], [2, 1]]);

    const bare = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: ex, includeExecutionData: false }))).events!;
    expect(bare[0]!.executionStartedEventDetails).toEqual({ roleArn: expect.stringMatching(/:role\/sfn-role$/) as unknown });
    expect(bare[1]!.stateEnteredEventDetails).toEqual({ name: 'A' });
    expect(bare[7]!.executionSucceededEventDetails).toEqual({});
    expect(await failure(sfn.send(new GetExecutionHistoryCommand({ executionArn: ex, nextToken: 'nope' })))).toMatchObject({ name: 'InvalidToken', status: 400 });
  });

  it('stops a waiting execution: ABORTED with its error and cause, and an ExecutionAborted event', async () => {
    const arn = await machine(sfn, 'stopper', { StartAt: 'Before', States: { Before: { Type: 'Pass', Next: 'W' }, W: { Type: 'Wait', Seconds: 60, Next: 'After' }, After: { Type: 'Pass', End: true } } });
    const ex = await start(arn, 'stop-me');
    await historyWith(sfn, ex, 'WaitStateEntered');
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: ex, error: 'Operator.Stop', cause: 'no longer needed' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: ex }));
    expect(d).toMatchObject({ status: 'ABORTED', error: 'Operator.Stop', cause: 'no longer needed', redriveStatus: 'REDRIVABLE' });
    expect(d.stopDate!.getTime()).toBe(stopped.stopDate!.getTime());
    expect(d.output).toBeUndefined();
    const h = await history(sfn, ex);
    const last = h[h.length - 1]!;
    expect(last.type).toBe('ExecutionAborted');
    expect(last.executionAbortedEventDetails).toEqual({ error: 'Operator.Stop', cause: 'no longer needed' });
    expect(h.map((e) => e.type)).not.toContain('WaitStateExited');
    expect(h.filter((e) => e.stateEnteredEventDetails?.name === 'After')).toEqual([]);

    // Stopping without error or cause leaves both out.
    const bare = await start(arn, 'stop-bare');
    await sfn.send(new StopExecutionCommand({ executionArn: bare }));
    const b = await sfn.send(new DescribeExecutionCommand({ executionArn: bare }));
    expect(b.status).toBe('ABORTED');
    expect(b.error).toBeUndefined();
    expect(b.cause).toBeUndefined();
  });

  it('refuses to redrive a succeeded or running execution', async () => {
    const arn = await machine(sfn, 'no-redrive', pass('ok'));
    const ex = await start(arn, 'done');
    await settled(sfn, ex);
    const r = await failure(sfn.send(new RedriveExecutionCommand({ executionArn: ex })));
    expect(r).toMatchObject({ name: 'ExecutionNotRedrivable', status: 400 });
    expect(r.message).toContain(ex);
    expect(r.message).toContain('SUCCEEDED');
    const waiting = await start(await machine(sfn, 'no-redrive-wait', WAIT_LONG), 'running');
    expect(await failure(sfn.send(new RedriveExecutionCommand({ executionArn: waiting })))).toMatchObject({ name: 'ExecutionNotRedrivable' });
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: waiting }));
    expect(d).toMatchObject({ status: 'RUNNING', redriveStatus: 'NOT_REDRIVABLE' });
    await sfn.send(new StopExecutionCommand({ executionArn: waiting }));
  });

  it('runs versions and aliases, lists by them, and describes the definition an execution ran', async () => {
    const arn = await machine(sfn, 'versioned', pass('v1'), { publish: true, versionDescription: 'first' });
    const v1 = `${arn}:1`;
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: JSON.stringify(pass('v2')) }));
    const v2 = (await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }))).stateMachineVersionArn!;
    expect(v2).toBe(`${arn}:2`);
    const alias = (await sfn.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: v2, weight: 100 }] }))).stateMachineAliasArn!;

    const byVersion = await start(v1, 'by-version');
    const byAlias = await start(alias, 'by-alias');
    const plain = await start(arn, 'plain');
    // Executions of a version or alias are named under the state machine.
    expect(byVersion).toBe(executionArn('versioned', 'by-version'));
    const dv = await settled(sfn, byVersion);
    expect(dv).toMatchObject({ stateMachineArn: arn, stateMachineVersionArn: v1, output: '"v1"' });
    expect(dv.stateMachineAliasArn).toBeUndefined();
    expect(await settled(sfn, byAlias)).toMatchObject({ stateMachineVersionArn: v2, stateMachineAliasArn: alias, output: '"v2"' });
    const dp = await settled(sfn, plain);
    expect(dp.output).toBe('"v2"');
    expect(dp.stateMachineVersionArn).toBeUndefined();
    const started = (await history(sfn, byAlias))[0]!.executionStartedEventDetails!;
    expect(started).toMatchObject({ stateMachineVersionArn: v2, stateMachineAliasArn: alias });

    const listed = async (stateMachineArn: string): Promise<string[]> => (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions!.map((e) => e.name!);
    expect(await listed(v1)).toEqual(['by-version']);
    expect(await listed(alias)).toEqual(['by-alias']);
    expect(await listed(arn)).toEqual(['plain', 'by-alias', 'by-version']);
    const item = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: alias }))).executions![0]!;
    expect(item).toMatchObject({ stateMachineVersionArn: v2, stateMachineAliasArn: alias });

    // The machine changes; each execution still reports the definition it ran.
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: JSON.stringify(pass('v3')) }));
    const forPlain = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: plain }));
    expect(forPlain).toMatchObject({ stateMachineArn: arn, name: 'versioned', roleArn: expect.stringMatching(/:role\/sfn-role$/) as unknown });
    expect(JSON.parse(forPlain.definition!)).toEqual(pass('v2'));
    expect(forPlain.updateDate).toBeInstanceOf(Date);
    expect(forPlain.revisionId).toEqual(expect.any(String));
    const forVersion = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: byVersion }));
    expect(forVersion.stateMachineArn).toBe(v1);
    expect(JSON.parse(forVersion.definition!)).toEqual(pass('v1'));
    const after = await start(arn, 'after-update');
    expect((await settled(sfn, after)).output).toBe('"v3"');
  });

  it('has no map runs: ListMapRuns is empty and a map run ARN names nothing', async () => {
    const arn = await machine(sfn, 'mapper', { StartAt: 'M', States: { M: { Type: 'Map', ItemsPath: '$.items', Iterator: { StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } } });
    const ex = await start(arn, 'm', '{"items":[1,2,3]}');
    expect((await settled(sfn, ex)).output).toBe('[1,2,3]');
    expect((await sfn.send(new ListMapRunsCommand({ executionArn: ex }))).mapRuns).toEqual([]);
    const run = `${PREFIX}:mapRun:mapper/m:00000000-0000-0000-0000-000000000000`;
    expect(await failure(sfn.send(new DescribeMapRunCommand({ mapRunArn: run })))).toEqual({ name: 'ResourceNotFound', message: `Resource not found: '${run}'`, status: 404 });
  });
});
