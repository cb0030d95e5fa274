import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/sfn';

describe('smoke', () => {
  let target: SqsTarget;
  let sfn: SFNClient;
  beforeAll(async () => {
    target = await startEmbedded();
    sfn = new SFNClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, disableHostPrefix: true });
  }, 30_000);
  afterAll(async () => {
    sfn?.destroy();
    await target?.stop();
  }, 30_000);

  it('runs a standard pass chain', async () => {
    const def = { StartAt: 'A', States: { A: { Type: 'Pass', Result: { x: 1 }, ResultPath: '$.a', Next: 'W' }, W: { Type: 'Wait', Seconds: 1, Next: 'B' }, B: { Type: 'Pass', End: true } } };
    const m = await sfn.send(new CreateStateMachineCommand({ name: 'smoke', definition: JSON.stringify(def), roleArn: ROLE }));
    const s = await sfn.send(new StartExecutionCommand({ stateMachineArn: m.stateMachineArn, input: '{"in":true}' }));
    let d;
    for (let i = 0; i < 100; i++) {
      d = await sfn.send(new DescribeExecutionCommand({ executionArn: s.executionArn }));
      if (d.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(d);
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: s.executionArn }));
    console.log(JSON.stringify(h.events, null, 1).slice(0, 3000));
    expect(d?.status).toBe('SUCCEEDED');
    expect(JSON.parse(d!.output!)).toEqual({ in: true, a: { x: 1 } });
  });

  it('runs an express machine synchronously', async () => {
    const def = { StartAt: 'A', States: { A: { Type: 'Pass', Parameters: { 'v.$': 'States.Format(\'hi {}\', $.n)' }, End: true } } };
    const m = await sfn.send(new CreateStateMachineCommand({ name: 'smoke-x', type: 'EXPRESS', definition: JSON.stringify(def), roleArn: ROLE }));
    const r = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: m.stateMachineArn, input: '{"n":"there"}' }));
    expect(r.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.output!)).toEqual({ v: 'hi there' });
  });
});
