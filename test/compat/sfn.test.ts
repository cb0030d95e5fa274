// The AWS SDK v3 Step Functions client (JSON 1.0) against the embedded server: every management
// operation (state machines, versions, aliases, tags, activities, definition validation) and its
// error cases, with AWS's error names, statuses and typed members. Executions are covered elsewhere.
import {
  CreateActivityCommand,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeActivityCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListActivitiesCommand,
  ListStateMachineAliasesCommand,
  ListStateMachineVersionsCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  PublishStateMachineVersionCommand,
  SFNClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ACCOUNT = '000000000000';
const PREFIX = `arn:aws:states:us-east-1:${ACCOUNT}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/sfn-role`;
const machineArn = (name: string): string => `${PREFIX}:stateMachine:${name}`;
const pass = (result = 'a'): string => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: result, End: true } } });

interface Failure {
  name: string;
  message: string;
  status: number | undefined;
  reason?: string;
  resourceName?: string;
}

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    const err = e as Failure & { $metadata?: { httpStatusCode?: number } };
    return {
      name: err.name,
      message: err.message,
      status: err.$metadata?.httpStatusCode,
      ...(err.reason !== undefined ? { reason: err.reason } : {}),
      ...(err.resourceName !== undefined ? { resourceName: err.resourceName } : {}),
    };
  }
  throw new Error('expected the call to fail');
}

describe('Step Functions management API (SDK v3, JSON 1.0)', () => {
  let target: SqsTarget;
  let sfn: SFNClient;
  beforeAll(async () => {
    target = await startEmbedded();
    sfn = new SFNClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  }, 30_000);
  afterAll(async () => {
    sfn?.destroy();
    await target?.stop();
  }, 30_000);

  const create = (name: string, more: Partial<ConstructorParameters<typeof CreateStateMachineCommand>[0]> = {}) =>
    sfn.send(new CreateStateMachineCommand({ name, definition: pass(), roleArn: ROLE, ...more }));

  it('creates, describes and lists state machines, idempotently by configuration', async () => {
    const before = Date.now();
    const a = await create('orders', { tags: [{ key: 'team', value: 'a' }] });
    expect(a.stateMachineArn).toBe(machineArn('orders'));
    expect(a.creationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(a.stateMachineVersionArn).toBeUndefined();
    // The same request again (AWS ignores the role and tags) answers the existing machine.
    const again = await create('orders', { roleArn: `arn:aws:iam::${ACCOUNT}:role/other` });
    expect([again.stateMachineArn, again.creationDate!.getTime()]).toEqual([a.stateMachineArn, a.creationDate!.getTime()]);
    expect(await failure(create('orders', { definition: pass('b') }))).toMatchObject({ name: 'StateMachineAlreadyExists', status: 400, message: `State Machine Already Exists: '${machineArn('orders')}'` });
    expect((await failure(create('orders', { type: 'EXPRESS' }))).name).toBe('StateMachineAlreadyExists');

    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: a.stateMachineArn }));
    expect(d).toMatchObject({
      stateMachineArn: a.stateMachineArn,
      name: 'orders',
      status: 'ACTIVE',
      definition: pass(),
      roleArn: ROLE,
      type: 'STANDARD',
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    });
    expect(d.revisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.creationDate!.getTime()).toBe(a.creationDate!.getTime());
    const meta = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: a.stateMachineArn, includedData: 'METADATA_ONLY' }));
    expect(meta.definition).toBeUndefined();

    const logGroup = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:sfn-logs:*`;
    await create('express-one', {
      type: 'EXPRESS',
      loggingConfiguration: { level: 'ALL', includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroup } }] },
      tracingConfiguration: { enabled: true },
    });
    const e = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('express-one') }));
    expect(e).toMatchObject({ type: 'EXPRESS', loggingConfiguration: { level: 'ALL', includeExecutionData: true, destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: logGroup } }] }, tracingConfiguration: { enabled: true } });

    const listed = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines!;
    expect(listed.map((m) => [m.name, m.type, m.stateMachineArn])).toEqual([
      ['express-one', 'EXPRESS', machineArn('express-one')],
      ['orders', 'STANDARD', machineArn('orders')],
    ]);
  });

  it('refuses bad names, roles, definitions and configurations with AWS errors', async () => {
    expect(await failure(create('bad name'))).toMatchObject({ name: 'InvalidName', status: 400, message: "Invalid Name: 'bad name'" });
    expect((await failure(create('a:b'))).name).toBe('InvalidName');
    const long = await failure(create('x'.repeat(81)));
    expect(long).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(long.message).toContain("at 'name' failed to satisfy constraint: Member must have length less than or equal to 80");
    expect(await failure(create('r1', { roleArn: 'not-an-arn' }))).toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'" });
    expect((await failure(create('r2', { roleArn: `arn:aws:iam::${ACCOUNT}:user/bob` }))).name).toBe('InvalidArn');
    const bad = await failure(create('d1', { definition: '{"StartAt":"Nope","States":{}}' }));
    expect(bad.name).toBe('InvalidDefinition');
    expect(bad.message).toMatch(/^Invalid State Machine Definition: /);
    expect((await failure(create('d2', { definition: 'not json' }))).name).toBe('InvalidDefinition');
    expect(await failure(create('l1', { loggingConfiguration: { level: 'ALL' } }))).toMatchObject({ name: 'InvalidLoggingConfiguration', message: 'Invalid Logging Configuration: Must specify exactly one Log Destination.' });
    expect((await failure(create('l2', { loggingConfiguration: { level: 'BAD' as 'ALL' } }))).name).toBe('ValidationException');
    expect((await failure(create('k1', { encryptionConfiguration: { type: 'CUSTOMER_MANAGED_KMS_KEY' } }))).name).toBe('InvalidEncryptionConfiguration');
    const desc = await failure(create('v1', { versionDescription: 'x' }));
    expect(desc).toMatchObject({ name: 'ValidationException' });
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(await failure(create('t1', { tags: many }))).toMatchObject({ name: 'TooManyTags', resourceName: machineArn('t1') });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines!.map((m) => m.name)).not.toContain('t1');
  });

  it('updates a state machine, with new revisions and optional publishing', async () => {
    const arn = (await create('upd')).stateMachineArn!;
    const r0 = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).revisionId!;
    const u1 = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass('b') }));
    expect(u1.revisionId).not.toBe(r0);
    expect(u1.stateMachineVersionArn).toBeUndefined();
    const d1 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
    expect([d1.definition, d1.revisionId]).toEqual([pass('b'), u1.revisionId]);
    const u2 = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, roleArn: `arn:aws:iam::${ACCOUNT}:role/r2`, publish: true, versionDescription: 'first' }));
    expect(u2.stateMachineVersionArn).toBe(`${arn}:1`);
    const v1 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:1` }));
    expect(v1).toMatchObject({ stateMachineArn: `${arn}:1`, name: 'upd', description: 'first', roleArn: `arn:aws:iam::${ACCOUNT}:role/r2`, revisionId: u2.revisionId, definition: pass('b') });

    expect(await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn })))).toMatchObject({ name: 'MissingRequiredParameter', status: 400 });
    expect((await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: '{}' })))).name).toBe('InvalidDefinition');
    expect((await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass(), versionDescription: 'x' })))).name).toBe('ValidationException');
    expect(await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: machineArn('none'), definition: pass() })))).toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${machineArn('none')}'`,
    });
    expect((await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: `${arn}:1`, definition: pass() })))).name).toBe('ValidationException');
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'arn:aws:sns:us-east-1:000000000000:x' })))).name).toBe('InvalidArn');
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${PREFIX}:activity:x` })))).name).toBe('InvalidArn');
  });

  it('publishes, lists and deletes versions, never reusing a number', async () => {
    const arn = (await create('ver', { publish: true, versionDescription: 'v1' })).stateMachineArn!;
    const first = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }));
    // The current revision already has version 1: publishing again answers it.
    expect(first.stateMachineVersionArn).toBe(`${arn}:1`);
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass('2') }));
    const rev = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).revisionId!;
    expect(await failure(sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn, revisionId: 'stale' })))).toMatchObject({ name: 'ConflictException', status: 409 });
    const v2 = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn, revisionId: rev, description: 'two' }));
    expect(v2.stateMachineVersionArn).toBe(`${arn}:2`);
    const list = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }));
    expect(list.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:2`, `${arn}:1`]);
    const paged = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn, maxResults: 1 }));
    expect(paged.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${arn}:2`]);
    const rest = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn, maxResults: 1, nextToken: paged.nextToken }));
    expect([rest.stateMachineVersions!.map((v) => v.stateMachineVersionArn), rest.nextToken]).toEqual([[`${arn}:1`], undefined]);

    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` }));
    // Deleting a missing version succeeds, as AWS does.
    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` }));
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:2` })))).name).toBe('StateMachineDoesNotExist');
    const v3 = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }));
    expect(v3.stateMachineVersionArn).toBe(`${arn}:3`);
    expect((await failure(sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: arn })))).name).toBe('ValidationException');
    expect((await failure(sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: machineArn('nope') })))).name).toBe('StateMachineDoesNotExist');
    expect((await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn('nope') }))).stateMachineVersions).toEqual([]);
    expect((await failure(sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn, nextToken: 'garbage' })))).name).toBe('InvalidToken');
  });

  it('creates, describes, updates, lists and deletes aliases with routing rules', async () => {
    const arn = (await create('ali', { publish: true })).stateMachineArn!;
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: pass('2'), publish: true }));
    const routes = [
      { stateMachineVersionArn: `${arn}:1`, weight: 90 },
      { stateMachineVersionArn: `${arn}:2`, weight: 10 },
    ];
    const created = await sfn.send(new CreateStateMachineAliasCommand({ name: 'PROD', description: 'prod', routingConfiguration: routes }));
    expect(created.stateMachineAliasArn).toBe(`${arn}:PROD`);
    const same = await sfn.send(new CreateStateMachineAliasCommand({ name: 'PROD', description: 'prod', routingConfiguration: routes }));
    expect(same.creationDate!.getTime()).toBe(created.creationDate!.getTime());
    expect(await failure(sfn.send(new CreateStateMachineAliasCommand({ name: 'PROD', routingConfiguration: routes })))).toMatchObject({ name: 'ConflictException', status: 409 });

    const d = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: created.stateMachineAliasArn }));
    expect(d).toMatchObject({ stateMachineAliasArn: `${arn}:PROD`, name: 'PROD', description: 'prod', routingConfiguration: routes });
    // An alias ARN describes the version it routes most traffic to.
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:PROD` }))).stateMachineArn).toBe(`${arn}:1`);

    const bad = (r: { stateMachineVersionArn: string; weight: number }[]) => failure(sfn.send(new CreateStateMachineAliasCommand({ name: 'X', routingConfiguration: r })));
    expect(await bad([{ stateMachineVersionArn: `${arn}:1`, weight: 50 }])).toMatchObject({ name: 'ValidationException', reason: 'INVALID_ROUTING_CONFIGURATION' });
    expect(await bad([{ stateMachineVersionArn: arn, weight: 100 }])).toMatchObject({ name: 'ValidationException', reason: 'INVALID_ROUTING_CONFIGURATION' });
    expect(await bad([{ stateMachineVersionArn: `${arn}:9`, weight: 100 }])).toMatchObject({ name: 'ResourceNotFound', status: 404, resourceName: `${arn}:9` });
    expect((await bad([routes[0]!, routes[0]!, routes[1]!])).name).toBe('ValidationException');
    expect((await failure(sfn.send(new CreateStateMachineAliasCommand({ name: '123', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] })))).name).toBe('InvalidName');

    const upd = await sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:PROD`, routingConfiguration: [{ stateMachineVersionArn: `${arn}:2`, weight: 100 }] }));
    expect(upd.updateDate!.getTime()).toBeGreaterThanOrEqual(created.creationDate!.getTime());
    expect((await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:PROD` }))).routingConfiguration).toEqual([{ stateMachineVersionArn: `${arn}:2`, weight: 100 }]);
    expect(await failure(sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:PROD` })))).toMatchObject({ name: 'ValidationException', reason: 'MISSING_REQUIRED_PARAMETER' });
    expect((await failure(sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:NONE`, description: 'x' })))).name).toBe('ResourceNotFound');

    // A version an alias routes to cannot be deleted.
    expect(await failure(sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` })))).toMatchObject({ name: 'ConflictException', status: 409 });
    await sfn.send(new CreateStateMachineAliasCommand({ name: 'BETA', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] }));
    const all = await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: arn }));
    expect(all.stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([`${arn}:BETA`, `${arn}:PROD`]);
    const ofV1 = await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: `${arn}:1` }));
    expect(ofV1.stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([`${arn}:BETA`]);
    expect((await failure(sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: machineArn('none') })))).name).toBe('StateMachineDoesNotExist');

    await sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:PROD` }));
    expect((await failure(sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:PROD` })))).name).toBe('ResourceNotFound');
    expect((await failure(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:PROD` })))).name).toBe('ResourceNotFound');
    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` }));
  });

  it('tags state machines and activities', async () => {
    const arn = (await create('tagged', { tags: [{ key: 'a', value: '1' }] })).stateMachineArn!;
    await sfn.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: 'new' }] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([
      { key: 'a', value: 'new' },
      { key: 'b', value: '2' },
    ]);
    await sfn.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['a', 'absent'] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual([{ key: 'b', value: '2' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(await failure(sfn.send(new TagResourceCommand({ resourceArn: arn, tags: many })))).toMatchObject({ name: 'TooManyTags', resourceName: arn });
    expect(await failure(sfn.send(new ListTagsForResourceCommand({ resourceArn: machineArn('none') })))).toMatchObject({ name: 'ResourceNotFound', status: 404, resourceName: machineArn('none') });
    expect((await failure(sfn.send(new TagResourceCommand({ resourceArn: 'bad', tags: [] })))).name).toBe('InvalidArn');

    const act = (await sfn.send(new CreateActivityCommand({ name: 'worker', tags: [{ key: 'x', value: 'y' }] }))).activityArn!;
    await sfn.send(new TagResourceCommand({ resourceArn: act, tags: [{ key: 'z', value: '1' }] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: act }))).tags).toEqual([
      { key: 'x', value: 'y' },
      { key: 'z', value: '1' },
    ]);
    await sfn.send(new UntagResourceCommand({ resourceArn: act, tagKeys: ['x'] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: act }))).tags).toEqual([{ key: 'z', value: '1' }]);
  });

  it('creates, describes, lists and deletes activities', async () => {
    const a = await sfn.send(new CreateActivityCommand({ name: 'act-1' }));
    expect(a.activityArn).toBe(`${PREFIX}:activity:act-1`);
    const again = await sfn.send(new CreateActivityCommand({ name: 'act-1', tags: [{ key: 'ignored', value: 'x' }] }));
    expect(again.creationDate!.getTime()).toBe(a.creationDate!.getTime());
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: a.activityArn }))).tags).toEqual([]);
    const d = await sfn.send(new DescribeActivityCommand({ activityArn: a.activityArn }));
    expect(d).toMatchObject({ activityArn: a.activityArn, name: 'act-1' });
    await sfn.send(new CreateActivityCommand({ name: 'act-2' }));
    const page1 = await sfn.send(new ListActivitiesCommand({ maxResults: 1 }));
    expect(page1.activities!.map((x) => x.name)).toEqual(['act-1']);
    const page2 = await sfn.send(new ListActivitiesCommand({ maxResults: 1, nextToken: page1.nextToken }));
    expect(page2.activities!.map((x) => x.name)).toEqual(['act-2']);
    expect((await failure(sfn.send(new CreateActivityCommand({ name: 'bad/name' })))).name).toBe('InvalidName');
    await sfn.send(new DeleteActivityCommand({ activityArn: a.activityArn }));
    await sfn.send(new DeleteActivityCommand({ activityArn: a.activityArn }));
    expect(await failure(sfn.send(new DescribeActivityCommand({ activityArn: a.activityArn })))).toMatchObject({
      name: 'ActivityDoesNotExist',
      message: `Activity Does Not Exist: '${a.activityArn}'`,
    });
    expect((await failure(sfn.send(new DescribeActivityCommand({ activityArn: machineArn('x') })))).name).toBe('InvalidArn');
    expect((await failure(sfn.send(new ListActivitiesCommand({ nextToken: 'nope' })))).name).toBe('InvalidToken');
  });

  it('deletes state machines with their versions and aliases; a missing one deletes fine', async () => {
    const arn = (await create('gone', { publish: true })).stateMachineArn!;
    await sfn.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }] }));
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn })))).name).toBe('StateMachineDoesNotExist');
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:1` })))).name).toBe('StateMachineDoesNotExist');
    expect((await failure(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${arn}:live` })))).name).toBe('ResourceNotFound');
    expect((await failure(sfn.send(new DeleteStateMachineCommand({ stateMachineArn: `${arn}:1` })))).name).toBe('ValidationException');
    // The name is free again, starting over at version 1.
    const fresh = await create('gone', { publish: true });
    expect(fresh.stateMachineVersionArn).toBe(`${arn}:1`);
  });

  it('validates definitions without creating anything', async () => {
    const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: pass() }));
    expect(ok).toMatchObject({ result: 'OK', diagnostics: [], truncated: false });
    const bad = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: '{"StartAt":"X","States":{}}' }));
    expect(bad.result).toBe('FAIL');
    expect(bad.diagnostics!.length).toBeGreaterThan(0);
    expect(bad.diagnostics!.every((x) => x.severity === 'ERROR' && typeof x.code === 'string' && typeof x.message === 'string')).toBe(true);
    const one = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: 'not json', maxResults: 1 }));
    expect([one.result, one.diagnostics!.length]).toEqual(['FAIL', 1]);
    expect((await failure(sfn.send(new ValidateStateMachineDefinitionCommand({ definition: pass(), maxResults: 101 })))).name).toBe('ValidationException');
  });
});
