// REST API (v1) data plane, second part: AWS integrations (Step Functions StartExecution, SQS by
// path URI, Lambda non-proxy with error selection), binary bodies and multi-value headers through
// AWS_PROXY, a function error (502), request validation (parameters, body), customised gateway
// responses, unknown APIs, and the ids AWS puts on every answer.
import { request as httpRequest } from 'node:http';
import {
  APIGatewayClient,
  CreateDeploymentCommand,
  CreateModelCommand,
  CreateRequestValidatorCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutGatewayResponseCommand,
  PutIntegrationCommand,
  type PutIntegrationCommandInput,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  type PutMethodCommandInput,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILING, zip } from './lambda-fixtures.js';
import { signedSend } from './raw-http.js';
import { drain, snsClient, topicQueue } from './sns-fixtures.js';
import { machine, sfnClient } from './sfn-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';
const invocations = (arn: string): string => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`;

describe('REST API data plane: integrations, binary, validation, gateway responses', () => {
  let target: SqsTarget;
  let apigw: APIGatewayClient;
  let lambda: LambdaClient;
  let sfn: SFNClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    target = await startEmbedded();
    const creds = { endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 };
    apigw = new APIGatewayClient(creds);
    lambda = new LambdaClient(creds);
    sqs = new SQSClient(creds);
    sfn = sfnClient(target.endpoint);
  }, 30_000);
  afterAll(async () => {
    for (const c of [apigw, lambda, sqs, sfn]) c?.destroy();
    await target?.stop();
  }, 30_000);

  type Integration = Omit<PutIntegrationCommandInput, 'restApiId' | 'resourceId' | 'httpMethod'>;
  type Method = Omit<PutMethodCommandInput, 'restApiId' | 'resourceId' | 'httpMethod' | 'authorizationType'>;

  /** An API with one method on `path` (created under the root); `deploy` deploys it to `prod`. */
  async function api(path: string, httpMethod: string, integration: Integration, o: { method?: Method; binaryMediaTypes?: string[]; statuses?: string[] } = {}) {
    const a = await apigw.send(new CreateRestApiCommand({ name: `p-${path}`, ...(o.binaryMediaTypes ? { binaryMediaTypes: o.binaryMediaTypes } : {}) }));
    let resourceId = a.rootResourceId!;
    for (const part of path.split('/').filter(Boolean)) resourceId = (await apigw.send(new CreateResourceCommand({ restApiId: a.id, parentId: resourceId, pathPart: part }))).id!;
    await apigw.send(new PutMethodCommand({ restApiId: a.id, resourceId, httpMethod, authorizationType: 'NONE', ...o.method }));
    await apigw.send(new PutIntegrationCommand({ restApiId: a.id, resourceId, httpMethod, ...integration }));
    for (const statusCode of o.statuses ?? ['200']) await apigw.send(new PutMethodResponseCommand({ restApiId: a.id, resourceId, httpMethod, statusCode }));
    const id = a.id!;
    return {
      id,
      resourceId,
      respond: (statusCode: string, responseTemplates: Record<string, string>, selectionPattern?: string) =>
        apigw.send(new PutIntegrationResponseCommand({ restApiId: id, resourceId, httpMethod, statusCode, responseTemplates, ...(selectionPattern !== undefined ? { selectionPattern } : {}) })),
      deploy: (variables: Record<string, string> = {}) => apigw.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'prod', variables })),
    };
  }

  const url = (id: string, path: string): string => `${target.endpoint}/_api/${id}/prod${path}`;

  /** A raw request (repeated headers stay separate lines, bodies are bytes). */
  function raw(u: string, o: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(u, { method: o.method ?? 'GET', headers: o.headers ?? {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(o.body);
    });
  }

  it('AWS integration: Step Functions StartExecution from a request template, the state machine named by a stage variable', async () => {
    const sm = await machine(sfn, 'apigw-start', { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const a = await api('runs', 'POST', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:states:action/StartExecution',
      requestTemplates: { 'application/json': '{"stateMachineArn": "$stageVariables.machine", "name": "$input.params(\'run\')", "input": "$util.escapeJavaScript($input.body)"}' },
    });
    await a.respond('200', { 'application/json': '{"arn": $input.json(\'$.executionArn\')}' });
    await a.deploy({ machine: sm });
    const r = await fetch(url(a.id, '/runs?run=first'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    expect(r.status).toBe(200);
    const { arn } = (await r.json()) as { arn: string };
    expect(arn).toBe(`${sm.replace(':stateMachine:', ':execution:')}:first`);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(JSON.parse(d.input!)).toEqual({ n: 1 });
  });

  it('AWS integration: SQS by path URI with a form template; a service error selects by status', async () => {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'apigw-path' }));
    const a = await api('q', 'POST', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/apigw-path',
      requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)&DelaySeconds=$input.params(\'delay\')' },
    }, { statuses: ['200', '400'] });
    await a.respond('200', { 'application/json': '{"id": $input.json(\'$.SendMessageResponse.SendMessageResult.MessageId\')}' });
    await a.respond('400', { 'application/json': '{"failed": $input.json(\'$.Error.Code\')}' }, '4\\d\\d');
    await a.deploy();
    const r = await fetch(url(a.id, '/q?delay=0'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":"y & z"}' });
    expect(r.status).toBe(200);
    const { id } = (await r.json()) as { id: string };
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.[0]).toMatchObject({ MessageId: id, Body: '{"x":"y & z"}' });
    // DelaySeconds past SQS's limit: the queue's error, mapped by the 4xx integration response.
    const bad = await fetch(url(a.id, '/q?delay=9999'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ failed: 'InvalidParameterValue' });
  });

  it('AWS integration: SNS Publish (form template, JSON answer) reaches a subscribed queue', async () => {
    const sns = snsClient(target.endpoint);
    const topic = await sns.send(new CreateTopicCommand({ Name: 'apigw-topic' }));
    const q = await topicQueue(sqs, 'apigw-topic-q', [topic.TopicArn!]);
    await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const a = await api('notify', 'POST', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:sns:action/Publish',
      requestParameters: { 'integration.request.querystring.TopicArn': `'${topic.TopicArn}'` },
      requestTemplates: { 'application/json': 'Message=$util.urlEncode($input.body)' },
    });
    await a.respond('200', { 'application/json': '{"id": $input.json(\'$.PublishResponse.PublishResult.MessageId\')}' });
    await a.deploy();
    const r = await fetch(url(a.id, '/notify'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hello":"sns"}' });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { id: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    const got = await drain(sqs, q.url, 1, 10_000);
    expect(got[0]?.Body).toBe('{"hello":"sns"}');
    sns.destroy();
  });

  it('AWS integration: Kinesis PutRecord from a JSON template (blob data as base64)', async () => {
    const k = new KinesisClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    await k.send(new CreateStreamCommand({ StreamName: 'apigw-k', ShardCount: 1 }));
    const a = await api('rec', 'PUT', {
      type: 'AWS',
      integrationHttpMethod: 'POST',
      uri: 'arn:aws:apigateway:us-east-1:kinesis:action/PutRecord',
      requestTemplates: { 'application/json': '{"StreamName": "apigw-k", "PartitionKey": "$input.params(\'key\')", "Data": "$util.base64Encode($input.body)"}' },
    });
    await a.respond('200', { 'application/json': '{"shard": $input.json(\'$.ShardId\'), "seq": $input.json(\'$.SequenceNumber\')}' });
    await a.deploy();
    const r = await fetch(url(a.id, '/rec?key=p1'), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"reading":42}' });
    expect(r.status).toBe(200);
    const out = (await r.json()) as { shard: string; seq: string };
    const it = await k.send(new GetShardIteratorCommand({ StreamName: 'apigw-k', ShardId: out.shard, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: out.seq }));
    const got = await k.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    expect(got.Records?.[0]).toMatchObject({ PartitionKey: 'p1', SequenceNumber: out.seq });
    expect(Buffer.from(got.Records![0]!.Data!).toString()).toBe('{"reading":42}');
    k.destroy();
  });

  it('AWS integration to Lambda (non-proxy): the error message selects the integration response', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'apigw-failing', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: FAILING } }));
    // The function is named by a stage variable, as AWS allows in Lambda integration URIs.
    const a = await api('calc', 'POST', { type: 'AWS', integrationHttpMethod: 'POST', uri: invocations('arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}') }, { statuses: ['200', '400'] });
    await a.respond('200', { 'application/json': '{"result": $input.json(\'$\')}' });
    await a.respond('400', { 'application/json': '{"error": "$input.path(\'$.errorMessage\')"}' }, 'bad input.*');
    await a.deploy({ fn: 'apigw-failing' });
    const ok = await fetch(url(a.id, '/calc'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ result: 'fine' });
    const bad = await fetch(url(a.id, '/calc'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":7}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'bad input: 7' });
  });

  it('AWS_PROXY: binary bodies travel base64, repeated headers as multiValueHeaders; a function error is a 502', async () => {
    const code = zip({
      'index.mjs': `export const handler = async (event) => {
        if (event.path.endsWith('/boom')) throw new Error('boom');
        const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body ?? '');
        return {
          statusCode: 200,
          headers: { 'content-type': event.queryStringParameters?.ct ?? 'application/octet-stream', 'x-b64': String(event.isBase64Encoded) },
          multiValueHeaders: { 'x-multi': event.multiValueHeaders['x-multi'] ?? [] },
          body: Buffer.from(bytes).reverse().toString('base64'),
          isBase64Encoded: true,
        };
      };`,
    });
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'apigw-binary', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: code } }));
    const a = await api('bin/{any+}', 'ANY', { type: 'AWS_PROXY', integrationHttpMethod: 'POST', uri: invocations(fn.FunctionArn!) }, { binaryMediaTypes: ['application/octet-stream'], statuses: [] });
    await a.deploy();
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const r = await raw(url(a.id, '/bin/x'), { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-multi': ['one', 'two'] }, body: bytes });
    expect(r.status).toBe(200);
    expect(r.headers['x-b64']).toBe('true');
    expect(r.headers['x-multi']).toBe('one, two');
    // The answer's Content-Type is a binary media type: decoded to bytes.
    expect([...r.body]).toEqual([...bytes].reverse());
    // Neither the Accept nor the answer's type is binary: AWS returns the base64 text as is.
    const text = await raw(url(a.id, '/bin/x?ct=text/plain'), { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'text/plain' }, body: Buffer.from('abc') });
    expect(text.body.toString()).toBe(Buffer.from('cba').toString('base64'));
    const boom = await fetch(url(a.id, '/bin/boom'));
    expect(boom.status).toBe(502);
    expect(await boom.json()).toEqual({ message: 'Internal server error' });
  });

  it('request validation: missing parameters and an invalid body are 400s; a customised gateway response renders', async () => {
    const a = await apigw.send(new CreateRestApiCommand({ name: 'validated' }));
    const v = await apigw.send(new CreateRequestValidatorCommand({ restApiId: a.id, name: 'all', validateRequestBody: true, validateRequestParameters: true }));
    await apigw.send(new CreateModelCommand({ restApiId: a.id, name: 'Pet', contentType: 'application/json', schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['name'], properties: { name: { type: 'string' } } }) }));
    const res = await apigw.send(new CreateResourceCommand({ restApiId: a.id, parentId: a.rootResourceId, pathPart: 'pets' }));
    await apigw.send(new PutMethodCommand({ restApiId: a.id, resourceId: res.id, httpMethod: 'POST', authorizationType: 'NONE', requestValidatorId: v.id, requestParameters: { 'method.request.querystring.q': true, 'method.request.header.x-need': true }, requestModels: { 'application/json': 'Pet' } }));
    await apigw.send(new PutIntegrationCommand({ restApiId: a.id, resourceId: res.id, httpMethod: 'POST', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await apigw.send(new PutMethodResponseCommand({ restApiId: a.id, resourceId: res.id, httpMethod: 'POST', statusCode: '200' }));
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: a.id, resourceId: res.id, httpMethod: 'POST', statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod' }));
    const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(url(a.id!, path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

    const missing = await post('/pets', '{"name":"rex"}');
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await missing.json()).toEqual({ message: 'Missing required request parameters: [q, x-need]' });
    const invalid = await post('/pets?q=1', '{"name": 5}', { 'x-need': 'y' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ message: 'Invalid request body' });
    const fine = await post('/pets?q=1', '{"name":"rex"}', { 'x-need': 'y' });
    expect(fine.status).toBe(200);
    expect(await fine.json()).toEqual({ ok: true });

    await apigw.send(
      new PutGatewayResponseCommand({
        restApiId: a.id,
        responseType: 'BAD_REQUEST_PARAMETERS',
        statusCode: '422',
        responseParameters: { 'gatewayresponse.header.x-why': "'validation'", 'gatewayresponse.header.x-q': 'method.request.querystring.q' },
        responseTemplates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType"}' },
      }),
    );
    await apigw.send(
      new PutGatewayResponseCommand({ restApiId: a.id, responseType: 'BAD_REQUEST_BODY', responseTemplates: { 'application/json': '{"invalid": "$context.error.validationErrorString"}' } }),
    );
    // Not deployed yet: AWS's default still answers.
    expect((await post('/pets?q=2', '{}')).status).toBe(400);
    await apigw.send(new CreateDeploymentCommand({ restApiId: a.id, stageName: 'prod' }));
    const custom = await post('/pets?q=2', '{}');
    expect(custom.status).toBe(422);
    expect(custom.headers.get('x-why')).toBe('validation');
    expect(custom.headers.get('x-q')).toBe('2');
    expect(await custom.json()).toEqual({ error: 'Missing required request parameters: [x-need]', type: 'BAD_REQUEST_PARAMETERS' });
    // AWS's wording (its quotes are not escaped in the template's output, as on AWS).
    const wrongType = await post('/pets?q=1', '[]', { 'x-need': 'y' });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.text()).toBe('{"invalid": "[instance type (array) does not match any allowed primitive type (allowed: ["object"])]"}');
    expect(await (await post('/pets?q=1', '{}', { 'x-need': 'y' })).text()).toBe('{"invalid": "[object has missing required properties (["name"])]"}');
  });

  it('answers carry AWS ids; unknown APIs are 403 Forbidden; a missing method is Missing Authentication Token', async () => {
    const a = await api('ids', 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
    await a.respond('200', { 'application/json': '{"requestId": "$context.requestId", "extended": "$context.extendedRequestId"}' });
    await a.deploy();
    const r = await fetch(url(a.id, '/ids'));
    const ids = (await r.json()) as { requestId: string; extended: string };
    expect(r.headers.get('x-amzn-requestid')).toBe(ids.requestId);
    expect(r.headers.get('x-amz-apigw-id')).toBe(ids.extended);
    // The method exists for GET only.
    const post = await fetch(url(a.id, '/ids'), { method: 'POST' });
    expect(post.status).toBe(403);
    expect(await post.json()).toEqual({ message: 'Missing Authentication Token' });
    const unknown = await fetch(`${target.endpoint}/_api/nosuchapi/prod/ids`);
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ message: 'Forbidden' });
  });

  it('the stage cache serves repeats; Cache-Control: max-age=0 from an unsigned caller is refused (FAIL_WITH_403) or ignored with a warning, a signed caller invalidates', async () => {
    /** A cached MOCK method on a stage whose stage-wide settings use `strategy`. */
    const cached = async (name: string, strategy: string) => {
      const a = await api(name, 'GET', { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } });
      await a.respond('200', { 'application/json': '{"id": "$context.requestId"}' });
      await a.deploy();
      const patch = (path: string, value: string) => ({ op: 'replace' as const, path, value });
      await apigw.send(
        new UpdateStageCommand({
          restApiId: a.id,
          stageName: 'prod',
          patchOperations: [patch('/cacheClusterEnabled', 'true'), patch('/*/*/caching/enabled', 'true'), patch('/*/*/caching/unauthorizedCacheControlHeaderStrategy', strategy)],
        }),
      );
      return a.id;
    };
    const strict = await cached('strict', 'FAIL_WITH_403');
    const lenient = await cached('lenient', 'SUCCEED_WITH_RESPONSE_HEADER');
    const invalidate = { 'cache-control': 'max-age=0' };
    // Stage changes reach the data plane within the catalog's refresh (about a second).
    const deadline = Date.now() + 5_000;
    let refused: Response;
    for (;;) {
      refused = await fetch(url(strict, '/strict'), { headers: invalidate });
      if (refused.status === 403 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/not authorized/);
    // Cached: the second answer is the first one's (its request id).
    const first = await (await fetch(url(strict, '/strict'))).json();
    expect(await (await fetch(url(strict, '/strict'))).json()).toEqual(first);
    let warned: Response;
    for (;;) {
      warned = await fetch(url(lenient, '/lenient'), { headers: invalidate });
      if (warned.headers.get('warning') !== null || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(warned.status).toBe(200);
    expect(warned.headers.get('warning')).toMatch(/^199 /);
    // A SigV4-signed caller is allowed to invalidate: no refusal, no warning.
    const signed = await signedSend(target.endpoint, { method: 'GET', path: `/_api/${strict}/prod/strict`, headers: invalidate }, { service: 'execute-api' });
    expect(signed.status).toBe(200);
    expect(signed.headers.warning).toBeUndefined();
    // The invalidation fetched a fresh answer and stored it.
    const fresh = JSON.parse(signed.body) as unknown;
    expect(fresh).not.toEqual(first);
    expect(await (await fetch(url(strict, '/strict'))).json()).toEqual(fresh);
  });
});
