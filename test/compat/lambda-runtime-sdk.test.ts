// What Lambda's Node.js runtime gives a handler beyond its own code: the AWS SDK v3 (importable
// from ESM and CommonJS handlers without bundling it) and credentials in the environment, so an
// unmodified handler calls Stratus's services, signed, through AWS_ENDPOINT_URL.
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS_ACCESS_KEY_ID } from '../../nodes/gateway/auth.js';
import { zip } from './lambda-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/any';

const ESM = `import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async (event) => {
  const r = await sqs.send(new SendMessageCommand({ QueueUrl: event.queueUrl, MessageBody: 'from a function' }));
  return { messageId: r.MessageId, keyId: process.env.AWS_ACCESS_KEY_ID };
};`;

const CJS = `const { LambdaClient, GetFunctionCommand } = require('@aws-sdk/client-lambda');
exports.handler = async () => {
  const f = await new LambdaClient({}).send(new GetFunctionCommand({ FunctionName: 'sdk-esm' }));
  return { runtime: f.Configuration.Runtime };
};`;

describe('the AWS SDK and credentials in function environments', () => {
  let target: SqsTarget;
  let lambda: LambdaClient;
  beforeAll(async () => {
    target = await startEmbedded();
    lambda = new LambdaClient({ endpoint: target.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const code = zip({ 'index.mjs': ESM, 'cjs.js': CJS });
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'sdk-esm', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: code }, Timeout: 10 }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'sdk-cjs', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'cjs.handler', Code: { ZipFile: code }, Timeout: 10 }));
  }, 30_000);
  afterAll(async () => {
    lambda?.destroy();
    await target?.stop();
  }, 30_000);

  it('lets an ESM handler import @aws-sdk/client-sqs and send a message, signed with its own credentials', async () => {
    const sqs = target.client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'from-functions' }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-esm', Payload: Buffer.from(JSON.stringify({ queueUrl: QueueUrl })) }));
    const body = JSON.parse(Buffer.from(out.Payload!).toString()) as { messageId?: string; keyId?: string; errorMessage?: string };
    expect(out.FunctionError, body.errorMessage).toBeUndefined();
    expect(body.keyId).toBe(FUNCTIONS_ACCESS_KEY_ID);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(got.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[body.messageId, 'from a function']]);
    sqs.destroy();
  }, 30_000);

  it('lets a CommonJS handler require @aws-sdk/client-lambda', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'sdk-cjs' }));
    const body = JSON.parse(Buffer.from(out.Payload!).toString()) as { runtime?: string; errorMessage?: string };
    expect(out.FunctionError, body.errorMessage).toBeUndefined();
    expect(body).toEqual({ runtime: 'nodejs20.x' });
  }, 30_000);
});
