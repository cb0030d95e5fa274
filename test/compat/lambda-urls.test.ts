// Resource-based policies and function URLs against the embedded server: the management API
// through the AWS SDK v3 Lambda client, and the URLs themselves over plain HTTP in both forms
// (path form with fetch, Host form with node:http).
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  RemovePermissionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING, zip } from './lambda-fixtures.js';
import { call, signedCall, urlIdOf } from './lambda-url-http.js';
import { ROOT, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function';

/** Echoes the event and the version that ran. */
const URL_ECHO = zip({ 'index.mjs': `export const handler = async (event, context) => ({ event, version: context.functionVersion });\n` });

/** Answers in Lambda's response format: status, headers, cookies, base64 bodies, or a bare string. */
const HTTP_RESPONSE = zip({
  'index.mjs': `export const handler = async (event) => {
  if (event.rawPath === '/binary') return { statusCode: 200, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
  if (event.rawPath === '/text') return 'plain words';
  return { statusCode: 201, headers: { 'Content-Type': 'text/plain', 'X-Custom': 'yes' }, body: 'created ' + event.requestContext.http.method, cookies: ['a=1; Path=/', 'b=2'] };
};
`,
});

const PUBLIC = { StatementId: 'FunctionURLAllowPublicAccess', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' } as const;

describe('Lambda resource policies and function URLs on the embedded server', () => {
  let endpoint: string;
  let lambda: LambdaClient;
  let stop: () => Promise<void>;
  const create = (name: string, zipFile: Uint8Array, more: Partial<CreateFunctionCommandInput> = {}) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: zipFile }, ...more }));
  /** A function with a URL (and, for NONE, the public permission): its url id. */
  const withUrl = async (name: string, zipFile: Uint8Array, authType: 'NONE' | 'AWS_IAM', extra: { public?: boolean; Cors?: Record<string, unknown> } = {}): Promise<string> => {
    await create(name, zipFile);
    const u = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: authType, ...(extra.Cors ? { Cors: extra.Cors } : {}) }));
    if (extra.public !== false && authType === 'NONE') await lambda.send(new AddPermissionCommand({ FunctionName: name, ...PUBLIC }));
    return urlIdOf(u.FunctionUrl);
  };
  const pathForm = (id: string, rest = '/'): string => `${endpoint}/_lambda-url/${id}${rest}`;
  const hostForm = (id: string): string => `${id}.lambda-url.us-east-1.localhost:${new URL(endpoint).port}`;

  beforeAll(async () => {
    const t = await startEmbedded();
    endpoint = t.endpoint;
    stop = () => t.stop();
    lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
  });
  afterAll(async () => {
    lambda?.destroy();
    await stop?.();
  });

  it('adds, lists and removes permissions, per qualifier', async () => {
    await create('perm', URL_ECHO);
    const s3 = await lambda.send(new AddPermissionCommand({ FunctionName: 'perm', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::bucket', SourceAccount: '000000000000' }));
    expect(JSON.parse(s3.Statement!)).toEqual({
      Sid: 's3',
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: `${ARN}:perm`,
      Condition: { StringEquals: { 'AWS:SourceAccount': '000000000000' }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' } },
    });
    const acct = await lambda.send(new AddPermissionCommand({ FunctionName: 'perm', StatementId: 'acct', Action: 'lambda:GetFunction', Principal: '111122223333' }));
    expect(JSON.parse(acct.Statement!)).toMatchObject({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } });

    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'perm' }));
    const doc = JSON.parse(policy.Policy!) as { Version: string; Id: string; Statement: { Sid: string }[] };
    expect(doc).toMatchObject({ Version: '2012-10-17', Id: 'default' });
    expect(doc.Statement.map((s) => s.Sid)).toEqual(['s3', 'acct']);
    // A policy change is a change of the function: its RevisionId is the policy's.
    expect(policy.RevisionId).toBe((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'perm' }))).RevisionId);

    const again = new AddPermissionCommand({ FunctionName: 'perm', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' });
    await expect(lambda.send(again)).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: 'The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.',
    });
    const add = (more: Record<string, unknown>) => lambda.send(new AddPermissionCommand({ FunctionName: 'perm', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: '*', ...more }));
    await expect(add({ Action: 'lambda:Invoke-Function' })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'action' failed to satisfy constraint") });
    await expect(add({ StatementId: 'bad.id' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(add({ Principal: 'example.com' })).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'The provided principal was invalid. Please check the principal and try again.' });
    await expect(add({ FunctionUrlAuthType: 'OPEN' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(add({ RevisionId: 'stale' })).rejects.toMatchObject({ name: 'PreconditionFailedException' });
    await expect(add({ Qualifier: '$LATEST' })).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: 'We currently do not support adding policies for $LATEST.' });
    await expect(add({ Qualifier: 'nope' })).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: `Cannot find alias arn: ${ARN}:perm:nope` });
    await expect(add({ Qualifier: '9' })).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: `Function not found: ${ARN}:perm:9` });
    await expect(lambda.send(new AddPermissionCommand({ FunctionName: 'ghost', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: '*' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Function not found: ${ARN}:ghost`,
    });

    // An alias has its own policy: the same statement id may be used there.
    await lambda.send(new PublishVersionCommand({ FunctionName: 'perm' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'perm', Name: 'live', FunctionVersion: '1' }));
    const live = await add({ StatementId: 's3', Qualifier: 'live' });
    expect(JSON.parse(live.Statement!)).toMatchObject({ Resource: `${ARN}:perm:live`, Principal: '*' });
    const livePolicy = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: 'perm', Qualifier: 'live' }))).Policy!) as { Statement: unknown[] };
    expect(livePolicy.Statement).toHaveLength(1);

    const remove = (sid: string, qualifier?: string) => lambda.send(new RemovePermissionCommand({ FunctionName: 'perm', StatementId: sid, ...(qualifier ? { Qualifier: qualifier } : {}) }));
    await expect(remove('nope')).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Statement nope is not found in resource policy.' });
    await remove('s3');
    await remove('acct');
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'perm' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
    await expect(remove('s3')).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'No policy is associated with the given resource.' });
    await remove('s3', 'live');
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: 'ghost' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' });
    await expect(lambda.send(new RemovePermissionCommand({ FunctionName: 'ghost', StatementId: 'x' }))).rejects.toMatchObject({ message: `No policy found for: ${ARN}:ghost` });
  });

  it('refuses a policy above 20 KB', async () => {
    await create('bigpolicy', URL_ECHO);
    const sourceArn = `arn:aws:s3:::${'b'.repeat(1000)}`;
    let error: unknown;
    for (let i = 0; i < 40 && error === undefined; i++) {
      await lambda.send(new AddPermissionCommand({ FunctionName: 'bigpolicy', StatementId: `s${i}`, Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: sourceArn })).catch((e: unknown) => {
        error = e;
      });
    }
    expect(error).toMatchObject({ name: 'PolicyLengthExceededException', message: expect.stringMatching(/^The final policy size \(\d+\) is bigger than the limit \(20480\)\.$/) });
  });

  it('creates, reads, updates, lists and deletes URL configs', async () => {
    await create('urlcfg', URL_ECHO);
    await lambda.send(new PublishVersionCommand({ FunctionName: 'urlcfg' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'urlcfg', Name: 'live', FunctionVersion: '1' }));
    const c = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcfg', AuthType: 'NONE' }));
    expect(c.$metadata.httpStatusCode).toBe(201);
    expect(c.FunctionUrl).toMatch(new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${new URL(endpoint).port}/$`));
    expect(c).toMatchObject({ FunctionArn: `${ARN}:urlcfg`, AuthType: 'NONE' });
    expect(c.InvokeMode).toBeUndefined();
    expect(Date.parse(c.CreationTime!)).not.toBeNaN();

    const createUrl = (more: Record<string, unknown>) => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcfg', AuthType: 'NONE', ...more }));
    await expect(createUrl({})).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: `Failed to create function url config for [functionArn = ${ARN}:urlcfg]. Error message:  FunctionUrlConfig exists for this Lambda function`,
    });
    await expect(createUrl({ Qualifier: '1' })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("Value '1' at 'qualifier'") });
    await expect(createUrl({ Qualifier: '$LATEST' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(createUrl({ Qualifier: 'nope' })).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function does not exist' });
    await expect(createUrl({ Qualifier: 'live', InvokeMode: 'RESPONSE_STREAM' })).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('RESPONSE_STREAM is not supported') });
    await expect(createUrl({ Qualifier: 'live', InvokeMode: 'SOMETIMES' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(createUrl({ Qualifier: 'live', AuthType: 'OPEN' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(createUrl({ Qualifier: 'live', Cors: { MaxAge: 100_000 } })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'ghost', AuthType: 'NONE' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function does not exist' });

    const cors = { AllowOrigins: ['https://app.example'], AllowMethods: ['GET'], MaxAge: 60 };
    const aliased = await createUrl({ Qualifier: 'live', AuthType: 'AWS_IAM', Cors: cors, InvokeMode: 'BUFFERED' });
    expect(aliased).toMatchObject({ FunctionArn: `${ARN}:urlcfg:live`, AuthType: 'AWS_IAM', Cors: cors, InvokeMode: 'BUFFERED' });
    expect(urlIdOf(aliased.FunctionUrl)).not.toBe(urlIdOf(c.FunctionUrl));

    const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'urlcfg' }));
    expect(got).toMatchObject({ FunctionUrl: c.FunctionUrl, AuthType: 'NONE', InvokeMode: 'BUFFERED', CreationTime: c.CreationTime });
    const upd = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'urlcfg', AuthType: 'AWS_IAM', Cors: { AllowOrigins: ['*'] } }));
    expect(upd).toMatchObject({ FunctionUrl: c.FunctionUrl, AuthType: 'AWS_IAM', Cors: { AllowOrigins: ['*'] } });
    expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'urlcfg' }))).AuthType).toBe('AWS_IAM');

    const all = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlcfg' }));
    expect(all.FunctionUrlConfigs?.map((u) => u.FunctionArn)).toEqual([`${ARN}:urlcfg`, `${ARN}:urlcfg:live`]);
    const first = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlcfg', MaxItems: 1 }));
    expect(first.FunctionUrlConfigs).toHaveLength(1);
    const second = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlcfg', MaxItems: 1, Marker: first.NextMarker }));
    expect(second.FunctionUrlConfigs?.[0]?.FunctionArn).toBe(`${ARN}:urlcfg:live`);
    expect(second.NextMarker).toBeUndefined();
    await expect(lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'ghost' }))).rejects.toMatchObject({ message: 'Function does not exist' });

    const del = await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'urlcfg', Qualifier: 'live' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    const missing = { name: 'ResourceNotFoundException', message: 'The resource you requested does not exist.' };
    await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'urlcfg', Qualifier: 'live' }))).rejects.toMatchObject(missing);
    await expect(lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'urlcfg', Qualifier: 'live' }))).rejects.toMatchObject(missing);
    await expect(lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'urlcfg', Qualifier: 'live', AuthType: 'NONE' }))).rejects.toMatchObject(missing);
    await expect(lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'ghost' }))).rejects.toMatchObject(missing);
  });

  it('refuses an AuthType NONE URL until the policy allows everyone, and unknown URLs', async () => {
    const id = await withUrl('closed', URL_ECHO, 'NONE', { public: false });
    const denied = await fetch(pathForm(id));
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(((await denied.json()) as { Message: string }).Message).toMatch(/^Forbidden/);
    // A permission for another action or a conditioned principal does not open the URL.
    await lambda.send(new AddPermissionCommand({ FunctionName: 'closed', StatementId: 'other', Action: 'lambda:InvokeFunction', Principal: '*', SourceAccount: '000000000000' }));
    expect((await fetch(pathForm(id))).status).toBe(403);
    await lambda.send(new AddPermissionCommand({ FunctionName: 'closed', ...PUBLIC }));
    expect((await fetch(pathForm(id))).status).toBe(200);
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'closed', StatementId: PUBLIC.StatementId }));
    expect((await fetch(pathForm(id))).status).toBe(403);

    const unknown = await fetch(pathForm('0123456789abcdefghijklmnopqrstuv'));
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toBe('{"Message":null}');
    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'closed' }));
    expect((await fetch(pathForm(id))).status).toBe(403);
  });

  it('sends the payload format 2.0 event (path form, with fetch)', async () => {
    const id = await withUrl('web', URL_ECHO, 'NONE');
    const r = await fetch(pathForm(id, '/some/path?a=1&a=2&b=x%20y'), { method: 'POST', headers: { 'content-type': 'application/json', 'X-Test': 'hello' }, body: '{"hi":1}' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json');
    const { event, version } = (await r.json()) as { event: Record<string, unknown> & { headers: Record<string, string>; requestContext: Record<string, unknown> }; version: string };
    expect(version).toBe('$LATEST');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/some/path',
      rawQueryString: 'a=1&a=2&b=x%20y',
      queryStringParameters: { a: '1,2', b: 'x y' },
      body: '{"hi":1}',
      isBase64Encoded: false,
      requestContext: { accountId: 'anonymous', apiId: id, domainPrefix: id, domainName: `${id}.lambda-url.us-east-1.localhost`, routeKey: '$default', stage: '$default', http: { method: 'POST', path: '/some/path', protocol: 'HTTP/1.1' } },
    });
    expect(event.headers).toMatchObject({ 'content-type': 'application/json', 'x-test': 'hello', 'x-forwarded-proto': 'http' });
    expect(event.requestContext.timeEpoch).toEqual(expect.any(Number));
    expect(r.headers.get('x-amzn-requestid')).toBe(event.requestContext.requestId);
    // A request without a body has no body member.
    const bare = (await (await fetch(pathForm(id))).json()) as { event: Record<string, unknown> };
    expect(bare.event).toMatchObject({ rawPath: '/', rawQueryString: '', isBase64Encoded: false });
    expect(bare.event).not.toHaveProperty('body');
    expect(bare.event).not.toHaveProperty('queryStringParameters');
  });

  it('answers on the Host form, with binary bodies, cookies and repeated headers', async () => {
    const id = await withUrl('hosted', URL_ECHO, 'NONE');
    const bytes = Buffer.from([0, 1, 2, 200, 255]);
    const r = await call(endpoint, { method: 'PUT', path: '/hosted/x?k=v', headers: { 'content-type': 'application/octet-stream', cookie: 'a=1; b=2', 'x-multi': ['1', '2'] }, body: bytes }, hostForm(id));
    expect(r.status).toBe(200);
    const { event } = JSON.parse(r.text) as { event: Record<string, unknown> & { headers: Record<string, string> } };
    expect(event).toMatchObject({ rawPath: '/hosted/x', rawQueryString: 'k=v', isBase64Encoded: true, body: bytes.toString('base64'), cookies: ['a=1', 'b=2'], requestContext: { domainName: `${id}.lambda-url.us-east-1.localhost`, http: { method: 'PUT' } } });
    expect(event.headers['x-multi']).toBe('1,2');
    expect(event.headers).not.toHaveProperty('cookie');
  });

  it('maps responses, function errors and unknown URLs as Lambda does', async () => {
    const id = await withUrl('http', HTTP_RESPONSE, 'NONE');
    const r = await call(endpoint, { path: '/anything' }, hostForm(id));
    expect(r.status).toBe(201);
    expect(r.text).toBe('created GET');
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['x-custom']).toBe('yes');
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2']);
    const bin = await fetch(pathForm(id, '/binary'));
    expect(Buffer.from(await bin.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
    const text = await fetch(pathForm(id, '/text'));
    expect(text.headers.get('content-type')).toBe('application/json');
    expect(await text.text()).toBe('plain words');

    const failing = await withUrl('urlfail', FAILING, 'NONE');
    const f = await fetch(pathForm(failing));
    expect(f.status).toBe(502);
    expect(await f.text()).toBe('Internal Server Error');
  });

  it('answers throttling with 429 and an event over 6 MB with 413', async () => {
    const id = await withUrl('urlbusy', URL_ECHO, 'NONE');
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'urlbusy', ReservedConcurrentExecutions: 0 }));
    const busy = await fetch(pathForm(id));
    expect(busy.status).toBe(429);
    expect(busy.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    // 5 MB of binary is read (under the 6 MB body limit) but grows past 6 MB as base64 in the event.
    const big = await call(endpoint, { method: 'POST', path: `/_lambda-url/${id}/`, headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(5 * 1024 * 1024, 7) });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text)).toEqual({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
  });

  it('requires a SigV4 signature for AWS_IAM URLs', async () => {
    const id = await withUrl('iam', URL_ECHO, 'AWS_IAM');
    expect((await fetch(pathForm(id))).status).toBe(403);
    expect((await call(endpoint, { path: '/' }, hostForm(id))).status).toBe(403);
    const bad = await signedCall(endpoint, { path: '/p' }, hostForm(id), 'not-the-secret');
    expect(bad.status).toBe(403);
    const ok = await signedCall(endpoint, { method: 'POST', path: '/signed?q=1', headers: { 'content-type': 'text/plain' }, body: 'signed body' }, hostForm(id));
    expect(ok.status).toBe(200);
    const { event } = JSON.parse(ok.text) as { event: { body: string; requestContext: { accountId: string; authorizer: { iam: { accessKey: string } } } } };
    expect(event.body).toBe('signed body');
    expect(event.requestContext.accountId).toBe('000000000000');
    expect(event.requestContext.authorizer.iam.accessKey).toBe(ROOT.accessKeyId);
  });

  it('serves an alias URL with the alias and its own policy', async () => {
    await create('aliased', URL_ECHO);
    await lambda.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1' }));
    const u = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'aliased', Qualifier: 'live', AuthType: 'NONE' }));
    const id = urlIdOf(u.FunctionUrl);
    // The unqualified function's policy does not cover the alias's URL.
    await lambda.send(new AddPermissionCommand({ FunctionName: 'aliased', ...PUBLIC }));
    expect((await fetch(pathForm(id))).status).toBe(403);
    await lambda.send(new AddPermissionCommand({ FunctionName: 'aliased', Qualifier: 'live', ...PUBLIC }));
    const r = await fetch(pathForm(id));
    expect(r.status).toBe(200);
    expect(((await r.json()) as { version: string }).version).toBe('1');
  });

  it('answers CORS preflights from the configuration and marks allowed origins', async () => {
    const cors = { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['x-custom'], ExposeHeaders: ['x-custom'], MaxAge: 300, AllowCredentials: true };
    const id = await withUrl('cors', URL_ECHO, 'NONE', { Cors: cors, public: false });
    // Preflights are answered before authorization: this URL has no public permission yet.
    const pre = await fetch(pathForm(id), { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(200);
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'x-custom',
      'access-control-max-age': '300',
      'access-control-allow-credentials': 'true',
    });
    const foreign = await fetch(pathForm(id), { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    await lambda.send(new AddPermissionCommand({ FunctionName: 'cors', ...PUBLIC }));
    const r = await fetch(pathForm(id), { headers: { origin: 'https://app.example' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(r.headers.get('access-control-expose-headers')).toBe('x-custom');
    const other = await fetch(pathForm(id), { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('Function URLs on a node running with --auth off', () => {
  it('lets unsigned requests through an AWS_IAM URL', async () => {
    const t = await startEmbedded(['--auth', 'off']);
    const lambda = new LambdaClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'open', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: URL_ECHO } }));
      const u = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'open', AuthType: 'AWS_IAM' }));
      const r = await fetch(`${t.endpoint}/_lambda-url/${urlIdOf(u.FunctionUrl)}/`);
      expect(r.status).toBe(200);
      expect(((await r.json()) as { event: { requestContext: Record<string, unknown> } }).event.requestContext).not.toHaveProperty('authorizer');
    } finally {
      lambda.destroy();
      await t.stop();
    }
  });
});
