// The restJson1 protocol end to end: a toy service whose actions mirror a few Lambda routes, behind
// the real HTTP front, driven by an unmodified LambdaClient (signed; the SigV4 scope picks the
// service) and by raw HTTP (unsigned; the path picks it). Results, header-bound and status-code
// members, payloads, and errors must come out of the SDK as its own typed values and exceptions.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateAliasCommand,
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyServiceSpec, type RestServiceSpec, type ServiceSpec, actionMap, defineAction, eraseService } from '../../nodes/gateway/action.js';
import { AwsError } from '../../nodes/gateway/errors.js';
import { type Authenticate, httpFront } from '../../nodes/gateway/http.js';
import { verifySigV4 } from '../../nodes/gateway/protocols/sigv4.js';
import { t } from '../../nodes/gateway/shapes.js';

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const ACCOUNT = '123456789012';
const arn = (name: string, qualifier?: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

interface Toy {
  /** Concurrency settings by function name, as the toy's state. */
  concurrency: Map<string, number>;
}
const action = defineAction<Toy>();
const functionName = t.string({ required: true, location: 'uri', locationName: 'FunctionName', min: 1, max: 140 });
const qualifier = t.string({ location: 'querystring', locationName: 'Qualifier' });

/** Names that make the toy fail as Lambda would. */
function lookup(name: string): string {
  if (name === 'missing') throw new AwsError('ResourceNotFoundException', `Function not found: ${arn(name)}`);
  if (name === 'throttled') {
    throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', { fields: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' }, headers: { 'Retry-After': '1' } });
  }
  if (name === 'crash') throw new Error('a bug, not an AWS error');
  return name;
}

const getFunctionConfiguration = action({
  name: 'GetFunctionConfiguration',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
  input: t.struct({ FunctionName: functionName, Qualifier: qualifier }),
  output: t.struct({ FunctionName: t.string(), FunctionArn: t.string(), MemorySize: t.integer(), Version: t.string(), LastModified: t.string() }),
  async handler(input) {
    const name = lookup(input.FunctionName);
    return { FunctionName: name, FunctionArn: arn(name, input.Qualifier), MemorySize: 128, Version: input.Qualifier ?? '$LATEST', LastModified: '2024-05-17T10:30:00.000+0000' };
  },
});

const invoke = action({
  name: 'Invoke',
  http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/invocations', maxBodyBytes: 64 * 1024 },
  input: t.struct({
    FunctionName: functionName,
    InvocationType: t.string({ location: 'header', locationName: 'X-Amz-Invocation-Type', enum: ['Event', 'RequestResponse', 'DryRun'] }),
    LogType: t.string({ location: 'header', locationName: 'X-Amz-Log-Type' }),
    ClientContext: t.string({ location: 'header', locationName: 'X-Amz-Client-Context' }),
    Payload: t.blob({ location: 'payload' }),
    Qualifier: qualifier,
  }),
  output: t.struct({
    StatusCode: t.integer({ location: 'statusCode' }),
    FunctionError: t.string({ location: 'header', locationName: 'X-Amz-Function-Error' }),
    LogResult: t.string({ location: 'header', locationName: 'X-Amz-Log-Result' }),
    // Lambda answers the function's JSON as application/json.
    Payload: t.blob({ location: 'payload', mediaType: 'application/json' }),
    ExecutedVersion: t.string({ location: 'header', locationName: 'X-Amz-Executed-Version' }),
  }),
  async handler(input) {
    lookup(input.FunctionName);
    if (input.InvocationType === 'Event') return { StatusCode: 202 };
    if (input.InvocationType === 'DryRun') return { StatusCode: 204 };
    const event = input.Payload ? Buffer.from(input.Payload).toString('utf8') : '{}';
    const failed = event.includes('"fail":true');
    const context = input.ClientContext ? Buffer.from(input.ClientContext, 'base64').toString('utf8') : null;
    const result = failed ? { errorMessage: 'boom', errorType: 'Error' } : { echo: JSON.parse(event) as unknown, context };
    return {
      StatusCode: 200,
      ...(failed ? { FunctionError: 'Unhandled' } : {}),
      ...(input.LogType === 'Tail' ? { LogResult: Buffer.from('START\nhello from the log\nEND\n').toString('base64') } : {}),
      Payload: new Uint8Array(Buffer.from(JSON.stringify(result))),
      ExecutedVersion: input.Qualifier ?? '$LATEST',
    };
  },
});

const putFunctionConcurrency = action({
  name: 'PutFunctionConcurrency',
  http: { method: 'PUT', uri: '/2017-10-31/functions/{FunctionName}/concurrency' },
  input: t.struct({ FunctionName: functionName, ReservedConcurrentExecutions: t.integer({ required: true, min: 0 }) }),
  output: t.struct({ ReservedConcurrentExecutions: t.integer() }),
  async handler(input, _ctx, toy) {
    toy.concurrency.set(lookup(input.FunctionName), input.ReservedConcurrentExecutions);
    return { ReservedConcurrentExecutions: input.ReservedConcurrentExecutions };
  },
});

const deleteFunctionConcurrency = action({
  name: 'DeleteFunctionConcurrency',
  http: { method: 'DELETE', uri: '/2017-10-31/functions/{FunctionName}/concurrency', code: 204 },
  input: t.struct({ FunctionName: functionName }),
  output: t.struct({}),
  async handler(input, _ctx, toy) {
    toy.concurrency.delete(lookup(input.FunctionName));
    return {};
  },
});

const createAlias = action({
  name: 'CreateAlias',
  http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/aliases', code: 201 },
  input: t.struct({
    FunctionName: functionName,
    Name: t.string({ required: true }),
    FunctionVersion: t.string({ required: true }),
    Description: t.string(),
    RoutingConfig: t.struct({ AdditionalVersionWeights: t.map(t.double({ min: 0, max: 1 })) }),
  }),
  output: t.struct({ AliasArn: t.string(), Name: t.string(), FunctionVersion: t.string(), Description: t.string(), RoutingConfig: t.struct({ AdditionalVersionWeights: t.map(t.double()) }) }),
  async handler(input) {
    const name = lookup(input.FunctionName);
    return { AliasArn: arn(name, input.Name), Name: input.Name, FunctionVersion: input.FunctionVersion, Description: input.Description ?? '', ...(input.RoutingConfig ? { RoutingConfig: input.RoutingConfig } : {}) };
  },
});

const listTags = action({
  name: 'ListTags',
  http: { method: 'GET', uri: '/2017-03-31/tags/{Resource}' },
  input: t.struct({ Resource: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({ Tags: t.map(t.string()) }),
  async handler(input) {
    return { Tags: { resource: input.Resource } };
  },
});

const listFunctions = action({
  name: 'ListFunctions',
  http: { method: 'GET', uri: '/2015-03-31/functions' },
  input: t.struct({ MaxItems: t.integer({ location: 'querystring', min: 1, max: 10_000 }), Marker: t.string({ location: 'querystring' }), FunctionVersion: t.string({ location: 'querystring', enum: ['ALL'] }) }),
  output: t.struct({ Functions: t.list(t.struct({ FunctionName: t.string() })), NextMarker: t.string() }),
  async handler(input) {
    const all = ['a', 'b', 'c'].map((n) => ({ FunctionName: n }));
    const from = Number(input.Marker ?? 0);
    const to = from + (input.MaxItems ?? 50);
    return { Functions: all.slice(from, to), ...(to < all.length ? { NextMarker: String(to) } : {}) };
  },
});

const getProvisioned = action({
  name: 'GetProvisionedConcurrencyConfig',
  http: { method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/provisioned-concurrency' },
  input: t.struct({ FunctionName: functionName, Qualifier: t.string({ required: true, location: 'querystring' }) }),
  output: t.struct({ Status: t.string(), RequestedProvisionedConcurrentExecutions: t.integer() }),
  async handler() {
    return { Status: 'READY', RequestedProvisionedConcurrentExecutions: 1 };
  },
});

const listProvisioned = action({
  name: 'ListProvisionedConcurrencyConfigs',
  http: { method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL' },
  input: t.struct({ FunctionName: functionName, MaxItems: t.integer({ location: 'querystring', min: 1, max: 50 }) }),
  output: t.struct({ ProvisionedConcurrencyConfigs: t.list(t.struct({ FunctionArn: t.string() })) }),
  async handler(input) {
    return { ProvisionedConcurrencyConfigs: [{ FunctionArn: arn(input.FunctionName, '1') }] };
  },
});

function toyLambda(toy: Toy): RestServiceSpec {
  return eraseService<Toy>({
    protocol: 'rest-json',
    signingName: 'lambda',
    maxBodyBytes: 16 * 1024,
    errorAliases: {
      InvalidParameterValue: 'InvalidParameterValueException',
      MissingParameter: 'InvalidParameterValueException',
      SerializationException: 'InvalidRequestContentException',
      RequestEntityTooLarge: 'RequestTooLargeException',
      InternalFailure: 'ServiceException',
    },
    actions: actionMap([getFunctionConfiguration, invoke, putFunctionConcurrency, deleteFunctionConcurrency, createAlias, listTags, listFunctions, getProvisioned, listProvisioned]),
    deps: toy,
  });
}

/** A JSON/Query service beside the REST one: its dispatch must not change. */
const ping = defineAction<unknown>()({
  name: 'Ping',
  input: t.struct({ Word: t.string() }),
  output: t.struct({ Echo: t.string() }),
  async handler(input) {
    return { Echo: input.Word ?? 'pong' };
  },
});
const toyRpc: ServiceSpec = {
  signingName: 'toy',
  targetPrefix: 'Toy',
  jsonVersion: '1.0',
  queryCompatible: false,
  queryVersion: '2020-01-01',
  xmlNamespace: 'urn:toy',
  actions: actionMap([ping]),
  deps: undefined,
};

interface Front {
  endpoint: string;
  server: Server;
}

async function startFront(services: AnyServiceSpec[], authenticate: Authenticate): Promise<Front> {
  const server = createServer(httpFront({ services, authenticate, region: 'us-east-1', accountId: ACCOUNT, maxBodyBytes: 1024, log: () => undefined }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function raw(endpoint: string, method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Raw> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = (r: Raw): unknown => JSON.parse(r.body.toString('utf8'));

describe('restJson1 through LambdaClient (signed; the scope picks the service)', () => {
  const toy: Toy = { concurrency: new Map() };
  let front: Front;
  let lambda: LambdaClient;

  beforeAll(async () => {
    const authenticate: Authenticate = (req) => verifySigV4(req, async (id) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined), Date.now());
    front = await startFront([toyRpc, toyLambda(toy)], authenticate);
    // One attempt: throttling and 5xx answers are asserted, not retried.
    lambda = new LambdaClient({ endpoint: front.endpoint, region: 'us-east-1', credentials: KEY, maxAttempts: 1 });
  });
  afterAll(async () => {
    lambda.destroy();
    await new Promise<void>((r) => front.server.close(() => r()));
  });

  it('reads labels and query parameters, and parses the JSON body', async () => {
    const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'my-fn', Qualifier: '3' }));
    expect(out).toMatchObject({ FunctionName: 'my-fn', FunctionArn: arn('my-fn', '3'), MemorySize: 128, Version: '3' });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('invokes: raw payload in and out, headers and the status code as members', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'echo', Qualifier: 'live', LogType: 'Tail', ClientContext: Buffer.from('{"custom":{"a":1}}').toString('base64'), Payload: Buffer.from('{"hello":"wörld"}') }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('live');
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).toContain('hello from the log');
    expect(JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8'))).toEqual({ echo: { hello: 'wörld' }, context: '{"custom":{"a":1}}' });

    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"fail":true}') }));
    expect([failed.StatusCode, failed.FunctionError, failed.ExecutedVersion, failed.LogResult]).toEqual([200, 'Unhandled', '$LATEST', undefined]);
    expect(JSON.parse(Buffer.from(failed.Payload ?? []).toString('utf8'))).toEqual({ errorMessage: 'boom', errorType: 'Error' });

    const event = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.from('{}') }));
    expect(event.StatusCode).toBe(202);
    expect(event.$metadata.httpStatusCode).toBe(202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
  });

  it('answers 201 and 204, and sends JSON bodies with doubles and maps', async () => {
    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'f', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.25 } } }));
    expect(alias.$metadata.httpStatusCode).toBe(201);
    expect(alias).toMatchObject({ AliasArn: arn('f', 'live'), Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '3': 0.25 } } });

    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: 7 }));
    expect(put.ReservedConcurrentExecutions).toBe(7);
    expect(toy.concurrency.get('f')).toBe(7);
    const del = await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'f' }));
    expect(del.$metadata.httpStatusCode).toBe(204);
    expect(toy.concurrency.has('f')).toBe(false);
  });

  it('routes an ARN label (colons encoded) and literal-query routes', async () => {
    const resource = arn('tagged');
    expect((await lambda.send(new ListTagsCommand({ Resource: resource }))).Tags).toEqual({ resource });
    const list = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'f' }));
    expect(list.ProvisionedConcurrencyConfigs).toEqual([{ FunctionArn: arn('f', '1') }]);
    const get = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'f', Qualifier: '1' }));
    expect(get).toMatchObject({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 1 });
    const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect([page.Functions?.map((f) => f.FunctionName), page.NextMarker]).toEqual([['a', 'b'], '2']);
  });

  it('surfaces ResourceNotFoundException as the typed exception, with its message', async () => {
    const err = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'missing' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    const e = err as ResourceNotFoundException;
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.message).toBe(`Function not found: ${arn('missing')}`);
    // Sent as `Message`, the model's member (as AWS does); this SDK reports it as `message` only.
    expect(e.Type).toBe('User');
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(404);
  });

  it('surfaces TooManyRequestsException with its Reason and Retry-After', async () => {
    const err = await lambda.send(new InvokeCommand({ FunctionName: 'throttled' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    const e = err as TooManyRequestsException;
    expect([e.name, e.message, e.Reason, e.retryAfterSeconds, e.$metadata.httpStatusCode]).toEqual([
      'TooManyRequestsException',
      'Rate Exceeded.',
      'ReservedFunctionConcurrentInvocationLimitExceeded',
      '1',
      429,
    ]);
  });

  it('maps validation failures and crashes to the service’s own exceptions', async () => {
    const invalid = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'f', ReservedConcurrentExecutions: -1 })).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
    expect((invalid as Error).message).toMatch(/ReservedConcurrentExecutions/);
    const bad = await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Sometimes' as 'Event' })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'InvalidParameterValueException', Type: 'User' });
    const crash = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'crash' })).catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(ServiceException);
    expect(crash).toMatchObject({ name: 'ServiceException', Type: 'Service', $fault: 'server', $metadata: { httpStatusCode: 500 } });
  });

  it('answers a signed request no route matches with 404 UnknownOperationException', async () => {
    // A route the toy does not implement: the SDK reports the error by its header, as its base exception.
    const unknown = await lambda.send(new GetAccountSettingsCommand({})).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(LambdaServiceException);
    expect(unknown).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 404 } });
  });

  it('still refuses a bad signature, as a restJson1 error', async () => {
    const forged = new LambdaClient({ endpoint: front.endpoint, region: 'us-east-1', credentials: { ...KEY, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    const err = await forged.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' })).catch((e: unknown) => e);
    forged.destroy();
    expect(err).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
  });
});

describe('restJson1 as raw HTTP (unsigned; the path picks the service)', () => {
  let both: Front;
  let restOnly: Front;

  beforeAll(async () => {
    both = await startFront([toyRpc, toyLambda({ concurrency: new Map() })], undefined);
    restOnly = await startFront([toyLambda({ concurrency: new Map() })], undefined);
  });
  afterAll(async () => {
    for (const f of [both, restOnly]) await new Promise<void>((r) => f.server.close(() => r()));
  });

  it('dispatches by route beside the JSON and Query protocols', async () => {
    const r = await raw(both.endpoint, 'GET', '/2015-03-31/functions/my-fn/configuration?Qualifier=%24LATEST');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(json(r)).toMatchObject({ FunctionName: 'my-fn', Version: '$LATEST' });

    const target = await raw(both.endpoint, 'POST', '/', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'Toy.Ping' }, '{"Word":"hi"}');
    expect([target.status, json(target)]).toEqual([200, { Echo: 'hi' }]);
    const form = await raw(both.endpoint, 'POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=Ping&Version=2020-01-01&Word=yo');
    expect(form.status).toBe(200);
    expect(form.body.toString()).toContain('<Echo>yo</Echo>');
    // No route matches: the Query protocol answers, as it did before REST services existed.
    const other = await raw(both.endpoint, 'GET', '/2015-03-31/nothing-here');
    expect([other.status, other.headers['content-type']]).toEqual([400, 'text/xml']);
    expect(other.body.toString()).toContain('<Code>MissingAction</Code>');
  });

  it('answers 404 UnknownOperationException when only REST services could take the request', async () => {
    for (const [method, path] of [
      ['GET', '/2015-03-31/nothing-here'],
      ['GET', '/2015-03-31/functions/f/invocations'],
      ['POST', '/'],
    ] as const) {
      const r = await raw(restOnly.endpoint, method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.headers['x-amzn-errortype']).toBe('UnknownOperationException');
      expect(json(r)).toMatchObject({ Type: 'User' });
    }
  });

  it('sends a blob payload raw with its media type, and 204 with no body', async () => {
    const r = await raw(restOnly.endpoint, 'POST', '/2015-03-31/functions/f/invocations', { 'content-type': 'application/octet-stream', 'x-amz-log-type': 'Tail' }, '{"n":1}');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-amz-executed-version']).toBe('$LATEST');
    expect(r.headers['x-amz-log-result']).toBeTruthy();
    expect(json(r)).toEqual({ echo: { n: 1 }, context: null });
    const del = await raw(restOnly.endpoint, 'DELETE', '/2017-10-31/functions/f/concurrency');
    expect([del.status, del.headers['content-length'], del.headers['content-type'], del.body.length]).toEqual([204, '0', undefined, 0]);
  });

  it('maps malformed input to the service’s codes', async () => {
    const badJson = await raw(restOnly.endpoint, 'PUT', '/2017-10-31/functions/f/concurrency', { 'content-type': 'application/json' }, '{"ReservedConcurrentExecutions":');
    expect([badJson.status, badJson.headers['x-amzn-errortype']]).toEqual([400, 'InvalidRequestContentException']);
    const missing = await raw(restOnly.endpoint, 'PUT', '/2017-10-31/functions/f/concurrency', { 'content-type': 'application/json' }, '{}');
    expect([missing.status, missing.headers['x-amzn-errortype']]).toEqual([400, 'InvalidParameterValueException']);
    expect(json(missing)).toEqual({ Type: 'User', message: 'The request must contain the parameter ReservedConcurrentExecutions.' });
    const badInt = await raw(restOnly.endpoint, 'GET', '/2015-03-31/functions?MaxItems=many');
    expect([badInt.status, badInt.headers['x-amzn-errortype']]).toEqual([400, 'InvalidParameterValueException']);
    expect(json(badInt)).toMatchObject({ message: 'Value many for parameter MaxItems is invalid. Reason: Must be an integer.' });
    const badEscape = await raw(restOnly.endpoint, 'GET', '/2015-03-31/functions?Marker=%ZZ');
    expect([badEscape.status, badEscape.headers['x-amzn-errortype']]).toEqual([400, 'InvalidQueryParameter']);
  });

  it('applies the action’s and the service’s body limits instead of the front’s', async () => {
    // The front allows 1 KiB; the service 16 KiB; Invoke 64 KiB.
    const padded = JSON.stringify({ ReservedConcurrentExecutions: 3, Padding: 'x'.repeat(8 * 1024) });
    expect((await raw(restOnly.endpoint, 'PUT', '/2017-10-31/functions/f/concurrency', { 'content-type': 'application/json' }, padded)).status).toBe(200);
    const big = JSON.stringify({ blob: 'y'.repeat(32 * 1024) });
    expect((await raw(restOnly.endpoint, 'POST', '/2015-03-31/functions/f/invocations', {}, big)).status).toBe(200);
    const tooBig = await raw(restOnly.endpoint, 'POST', '/2015-03-31/functions/f/invocations', {}, 'z'.repeat(65 * 1024));
    expect([tooBig.status, tooBig.headers['x-amzn-errortype'], tooBig.headers.connection]).toEqual([413, 'RequestTooLargeException', 'close']);
    expect(json(tooBig)).toMatchObject({ Type: 'User', message: 'Request body is larger than the 65536 bytes allowed.' });
  });
});
