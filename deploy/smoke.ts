// Smoke and failover checks of a Stratus deployment, through its published AWS endpoint, with the
// AWS SDK v3. deploy/compose-test.sh drives it; each command also runs by hand
// against any cluster:
//
//   npx tsx deploy/smoke.ts wait-ready [--timeout 300]        GET /ready (or /health) until 200
//   npx tsx deploy/smoke.ts basic                             SQS + Lambda + API Gateway round trip
//   npx tsx deploy/smoke.ts writer --queue Q --acks FILE      send numbered messages until SIGTERM,
//                                                             one line per acknowledged send
//   npx tsx deploy/smoke.ts wait-acks --acks FILE --after MS [--count 20] [--timeout 60] [--event TEXT]
//                                                             wait for acks after a moment (a kill)
//   npx tsx deploy/smoke.ts verify --queue Q --acks FILE [--kill-at MS --restart-at MS]
//                                 [--windows NAME:FROM_MS:TO_MS,...]
//                                                             read the queue back: every ack present?
//                                                             (and the longest gap between acks
//                                                             in each window: a join, a drain)
//
// Environment: STRATUS_ENDPOINT (default http://127.0.0.1:4566), STRATUS_ROOT_ACCESS_KEY_ID and
// STRATUS_ROOT_SECRET_ACCESS_KEY (defaults: the public development values of
// deploy/docker-compose.yml), AWS region us-east-1. Exit status 1 on any failed check.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { ApiGatewayV2Client, CreateApiCommand, DeleteApiCommand } from '@aws-sdk/client-apigatewayv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { strToU8, zipSync } from 'fflate';

const ENDPOINT = (process.env.STRATUS_ENDPOINT ?? 'http://127.0.0.1:4566').replace(/\/+$/, '');
const REGION = 'us-east-1';
const CREDENTIALS = {
  accessKeyId: process.env.STRATUS_ROOT_ACCESS_KEY_ID || 'AKIASTRATUSDEVROOT01',
  secretAccessKey: process.env.STRATUS_ROOT_SECRET_ACCESS_KEY || 'stratus-dev-secret-change-me',
};
const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

class CheckFailed extends Error {}

function check(cond: unknown, what: string): asserts cond {
  if (!cond) throw new CheckFailed(what);
}

const t0 = Date.now();
function say(line: string): void {
  process.stdout.write(`[smoke +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function args(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new CheckFailed(`unexpected argument '${a}'`);
    const v = argv[i + 1];
    if (v === undefined) throw new CheckFailed(`${a} needs a value`);
    out.set(a.slice(2), v);
    i++;
  }
  return out;
}

function num(a: Map<string, string>, name: string, dflt?: number): number {
  const v = a.get(name);
  if (v === undefined) {
    if (dflt === undefined) throw new CheckFailed(`--${name} is required`);
    return dflt;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CheckFailed(`--${name}: not a number: ${v}`);
  return n;
}

function str(a: Map<string, string>, name: string): string {
  const v = a.get(name);
  if (v === undefined) throw new CheckFailed(`--${name} is required`);
  return v;
}

function sqsClient(opts: { maxAttempts?: number; requestTimeout?: number } = {}): SQSClient {
  return new SQSClient({
    endpoint: ENDPOINT,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: opts.maxAttempts ?? 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: opts.requestTimeout ?? 30_000 }),
  });
}

function lambdaClient(): LambdaClient {
  return new LambdaClient({
    endpoint: ENDPOINT,
    region: REGION,
    credentials: CREDENTIALS,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 60_000 }),
  });
}

/** Retries `fn` while the cluster settles (leaders elected, root key settled), up to `ms`. */
async function settle<T>(what: string, ms: number, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  let attempt = 0;
  for (;;) {
    try {
      const r = await fn();
      if (attempt > 0) say(`${what}: succeeded after ${((Date.now() - start) / 1000).toFixed(1)}s of retries`);
      return r;
    } catch (err) {
      attempt++;
      if (Date.now() - start > ms) throw new CheckFailed(`${what}: still failing after ${ms / 1000}s: ${errText(err)}`);
      if (attempt === 1 || attempt % 10 === 0) say(`${what}: ${errText(err)} (retrying)`);
      await sleep(Math.min(2_000, 200 * attempt));
    }
  }
}

// ---- wait-ready ---------------------------------------------------------------------------------

async function status(url: string): Promise<number | string> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    await r.arrayBuffer();
    return r.status;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? errText(err);
  }
}

async function waitReady(a: Map<string, string>): Promise<void> {
  const timeoutMs = num(a, 'timeout', 300) * 1000;
  const start = Date.now();
  let last: string | undefined;
  for (;;) {
    const ready = await status(`${ENDPOINT}/ready`);
    let seen = `/ready ${ready}`;
    if (ready === 200) break;
    if (ready === 404 || ready === 400) {
      // /ready is new: a build without it (404, or 400 from the AWS dispatch) counts /health.
      const health = await status(`${ENDPOINT}/health`);
      seen += `, /health ${health}`;
      if (health === 200) {
        say(`gateway has no /ready (${ready}); /health answers 200: taking that as ready`);
        break;
      }
    }
    if (seen !== last) say(`waiting for ${ENDPOINT}: ${seen}`);
    last = seen;
    if (Date.now() - start > timeoutMs) throw new CheckFailed(`gateway not ready after ${timeoutMs / 1000}s (${seen})`);
    await sleep(1_000);
  }
  say(`gateway ready after ${((Date.now() - start) / 1000).toFixed(1)}s of waiting`);
}

// ---- basic: SQS and Lambda ----------------------------------------------------------------------

const HANDLER = `
export const handler = async (event, context) => ({
  sum: event.a + event.b,
  echo: event.msg,
  greeting: process.env.GREETING,
  requestId: context.awsRequestId,
});
`;

/** Waits until a function is Active (a Failed one is a failed check). */
async function waitActive(lambda: LambdaClient, fn: string): Promise<void> {
  const activeBy = Date.now() + 120_000;
  for (;;) {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    if (c.State === 'Active') return;
    if (c.State === 'Failed') throw new CheckFailed(`function ${fn} State Failed: ${c.StateReasonCode} ${c.StateReason}`);
    check(Date.now() < activeBy, `function ${fn} not Active after 120s (State ${c.State})`);
    await sleep(500);
  }
}

// ---- API Gateway: an HTTP API in front of a function that calls SQS itself -----------------------

// The handler imports the SDK (Stratus provides it, as Lambda does) and signs with the credentials
// its environment carries: from a scheduler container through the gateway.
const API_HANDLER = `
import { GetQueueUrlCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const handler = async (event) => {
  // By name: the queue's URL as the caller saw it names a host this container may not reach.
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: event.queryStringParameters.queue }));
  const r = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via ' + event.rawPath }));
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messageId: r.MessageId }) };
};
`;

async function apiGateway(run: string, sqs: SQSClient, queueName: string, queueUrl: string): Promise<void> {
  const lambda = lambdaClient();
  const v2 = new ApiGatewayV2Client({ endpoint: ENDPOINT, region: REGION, credentials: CREDENTIALS, requestHandler: new NodeHttpHandler({ connectionTimeout: 3_000, requestTimeout: 60_000 }) });
  const fn = `smoke-api-${run}`;
  const created = await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zipSync({ 'index.mjs': strToU8(API_HANDLER) }) }, Timeout: 30 }));
  await waitActive(lambda, fn);
  const api = await v2.send(new CreateApiCommand({ Name: fn, ProtocolType: 'HTTP', Target: created.FunctionArn }));
  const url = `${ENDPOINT}/_api/${api.ApiId}/smoke/${run}?queue=${encodeURIComponent(queueName)}`;
  const out = await settle('HTTP API → Lambda', 60_000, async () => {
    const r = await fetch(url);
    const text = await r.text();
    if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${text}`);
    return JSON.parse(text) as { messageId?: string };
  });
  check(out.messageId, `HTTP API: no messageId in the function's answer`);
  say(`API Gateway: GET ${url.slice(ENDPOINT.length)} → the function sent ${out.messageId}`);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 10 }));
  const m = got.Messages?.[0];
  check(m?.MessageId === out.messageId && m.Body === `via /smoke/${run}`, `ReceiveMessage: expected the function's message ${out.messageId}, got ${JSON.stringify(m)}`);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  await v2.send(new DeleteApiCommand({ ApiId: api.ApiId }));
  await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
  say('API Gateway: HTTP API → Lambda → SQS (SDK in the function, signed) OK');
}

async function basic(): Promise<void> {
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const sqs = sqsClient();
  const queueName = `smoke-${run}`;
  const { QueueUrl } = await settle('CreateQueue', 120_000, () => sqs.send(new CreateQueueCommand({ QueueName: queueName })));
  check(QueueUrl, 'CreateQueue returned no QueueUrl');
  say(`SQS: created ${QueueUrl}`);
  const body = `hello from smoke ${run}`;
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  check(sent.MessageId, 'SendMessage returned no MessageId');
  say(`SQS: sent ${sent.MessageId}`);
  let received: { body?: string; id?: string; handle?: string } | undefined;
  const deadline = Date.now() + 30_000;
  while (!received && Date.now() < deadline) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }));
    const m = r.Messages?.[0];
    if (m) received = { body: m.Body, id: m.MessageId, handle: m.ReceiptHandle };
  }
  check(received, 'ReceiveMessage: the message did not come back within 30s');
  check(received.id === sent.MessageId, `ReceiveMessage: got message ${received.id}, sent ${sent.MessageId}`);
  check(received.body === body, `ReceiveMessage: body ${JSON.stringify(received.body)}, sent ${JSON.stringify(body)}`);
  say(`SQS: received ${received.id} with the body sent`);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.handle! }));
  const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
  check((after.Messages ?? []).length === 0, `queue not empty after DeleteMessage: ${after.Messages?.length} message(s)`);
  say('SQS: deleted; the queue is empty');

  const lambda = lambdaClient();
  const fn = `smoke-${run}`;
  const zip = zipSync({ 'index.mjs': strToU8(HANDLER) });
  const created = await settle('CreateFunction', 60_000, () =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: ROLE,
        Code: { ZipFile: zip },
        Timeout: 30,
        // Sealed with the master key by the gateway, opened by a scheduler: they must share it.
        Environment: { Variables: { GREETING: `hi-${run}` } },
      }),
    ),
  );
  say(`Lambda: created ${created.FunctionArn} (State ${created.State ?? '?'}, ${zip.length}-byte zip)`);
  await waitActive(lambda, fn);
  say('Lambda: State Active');
  for (const [i, label] of ['cold', 'warm'].entries()) {
    const event = { a: 20 + i, b: 22, msg: `ping ${i}` };
    const start = Date.now();
    const r = await lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: 'RequestResponse', Payload: strToU8(JSON.stringify(event)) }));
    const ms = Date.now() - start;
    const text = r.Payload ? Buffer.from(r.Payload).toString('utf8') : '';
    check(r.StatusCode === 200, `Invoke: StatusCode ${r.StatusCode}`);
    check(r.FunctionError === undefined, `Invoke: FunctionError ${r.FunctionError}: ${text}`);
    let out: { sum?: unknown; echo?: unknown; greeting?: unknown; requestId?: unknown };
    try {
      out = JSON.parse(text) as typeof out;
    } catch {
      throw new CheckFailed(`Invoke: payload is not JSON: ${text}`);
    }
    check(out.sum === event.a + event.b, `Invoke: sum ${JSON.stringify(out.sum)}, expected ${event.a + event.b} (payload ${text})`);
    check(out.echo === event.msg, `Invoke: echo ${JSON.stringify(out.echo)}, expected ${event.msg}`);
    check(out.greeting === `hi-${run}`, `Invoke: environment variable GREETING is ${JSON.stringify(out.greeting)}, expected hi-${run}`);
    check(typeof out.requestId === 'string' && out.requestId !== '', 'Invoke: no context.awsRequestId');
    say(`Lambda: invoke (${label}) ${ms} ms → ${text}`);
  }
  await lambda.send(new DeleteFunctionCommand({ FunctionName: fn }));
  await apiGateway(run, sqs, queueName, QueueUrl);
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  say('basic: SQS, Lambda and API Gateway OK (function, API and queue deleted)');
}

// ---- writer -------------------------------------------------------------------------------------

async function queueUrl(sqs: SQSClient, name: string, create: boolean): Promise<string> {
  const r = await settle(create ? 'CreateQueue' : 'GetQueueUrl', 60_000, () =>
    create
      ? sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '600', MessageRetentionPeriod: '86400' } }))
      : sqs.send(new GetQueueUrlCommand({ QueueName: name })),
  );
  check(r.QueueUrl, `no QueueUrl for ${name}`);
  return r.QueueUrl;
}

/**
 * Sends `n:<number>` messages one after another (at most one every --interval-ms) until SIGTERM or
 * SIGINT, appending `number messageId epochMs` to --acks for every acknowledged send. A failed or
 * timed-out send is not acknowledged: it is counted and the next number goes out.
 */
async function writer(a: Map<string, string>): Promise<void> {
  const acks = str(a, 'acks');
  const intervalMs = num(a, 'interval-ms', 20);
  // One attempt per number, bounded: the ack log then shows exactly when writes stalled.
  const sqs = sqsClient({ maxAttempts: 1, requestTimeout: num(a, 'request-timeout-ms', 10_000) });
  const url = await queueUrl(sqs, str(a, 'queue'), true);
  writeFileSync(acks, '');
  let stop = false;
  process.once('SIGTERM', () => (stop = true));
  process.once('SIGINT', () => (stop = true));
  say(`writer: sending to ${url}, acks in ${acks}`);
  let n = 0;
  let acked = 0;
  let failed = 0;
  let lastErr = '';
  while (!stop) {
    const started = Date.now();
    const number = ++n;
    try {
      const r = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `n:${number}` }));
      if (!r.MessageId) throw new Error('no MessageId');
      appendFileSync(acks, `${number} ${r.MessageId} ${Date.now()}\n`);
      acked++;
    } catch (err) {
      failed++;
      const e = errText(err);
      if (e !== lastErr) say(`writer: send ${number} failed after ${Date.now() - started} ms: ${e}`);
      lastErr = e;
      await sleep(100);
    }
    const wait = intervalMs - (Date.now() - started);
    if (wait > 0) await sleep(wait);
  }
  say(`writer: stopped: ${n} sent, ${acked} acknowledged, ${failed} failed (not acknowledged)`);
}

// ---- wait-acks and verify -----------------------------------------------------------------------

interface Ack {
  n: number;
  id: string;
  at: number;
}

function readAcks(file: string): Ack[] {
  if (!existsSync(file)) return [];
  const out: Ack[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [n, id, at] = line.split(' ');
    if (n && id && at) out.push({ n: Number(n), id, at: Number(at) });
  }
  return out;
}

/** Waits until --count sends were acknowledged after --after (epoch ms); prints how long that took. */
async function waitAcks(a: Map<string, string>): Promise<void> {
  const file = str(a, 'acks');
  const after = num(a, 'after');
  const count = num(a, 'count', 20);
  const timeoutMs = num(a, 'timeout', 60) * 1000;
  const event = a.get('event') ?? 'the fault';
  for (;;) {
    const acks = readAcks(file).filter((x) => x.at > after);
    if (acks.length >= count) {
      say(`writes go on: ${acks.length} acks since ${event}, the first ${acks[0]!.at - after} ms after it, the ${count}th ${acks[count - 1]!.at - after} ms after it`);
      return;
    }
    if (Date.now() - after > timeoutMs) throw new CheckFailed(`writes stalled: only ${acks.length} acks in the ${timeoutMs / 1000}s since ${event}`);
    await sleep(200);
  }
}

function longestGap(acks: Ack[], from: number, to: number): { ms: number; start: number; end: number } {
  // Gaps between consecutive acks (by time) that end after `from` and start before `to`.
  const times = acks.map((x) => x.at).sort((x, y) => x - y);
  let best = { ms: 0, start: from, end: from };
  for (let i = 1; i < times.length; i++) {
    const [p, c] = [times[i - 1]!, times[i]!];
    if (c < from || p > to) continue;
    if (c - p > best.ms) best = { ms: c - p, start: p, end: c };
  }
  return best;
}

async function verify(a: Map<string, string>): Promise<void> {
  const acks = readAcks(str(a, 'acks'));
  check(acks.length > 0, 'no acknowledged sends to verify');
  const killAt = a.has('kill-at') ? num(a, 'kill-at') : undefined;
  const restartAt = a.has('restart-at') ? num(a, 'restart-at') : undefined;
  const windows = (a.get('windows') ?? '')
    .split(',')
    .filter((w) => w !== '')
    .map((w) => {
      const m = /^([A-Za-z0-9_-]+):(\d+):(\d+)$/.exec(w);
      if (!m) throw new CheckFailed(`--windows: expected NAME:FROM_MS:TO_MS,..., got '${w}'`);
      return { name: m[1]!, from: Number(m[2]), to: Number(m[3]) };
    });
  const sqs = sqsClient({ requestTimeout: 30_000 });
  const url = await queueUrl(sqs, str(a, 'queue'), false);
  const want = new Map(acks.map((x) => [x.n, x.id]));
  const seen = new Map<number, number>();
  let other = 0;
  let idMismatch = 0;
  const start = Date.now();
  let lastProgress = Date.now();
  const deadline = start + num(a, 'timeout', 300) * 1000;
  for (;;) {
    if (Date.now() > deadline) {
      say('verify: deadline reached while reading');
      break;
    }
    const missing = [...want.keys()].filter((n) => !seen.has(n)).length;
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: missing === 0 ? 1 : 2, VisibilityTimeout: 600 }));
    const ms = r.Messages ?? [];
    if (ms.length === 0) {
      if (missing === 0) break; // everything acknowledged is back, and nothing more is coming
      if (Date.now() - lastProgress > num(a, 'idle', 30) * 1000) break;
      continue;
    }
    lastProgress = Date.now();
    for (const m of ms) {
      const n = /^n:(\d+)$/.exec(m.Body ?? '')?.[1];
      if (n === undefined) {
        other++;
        continue;
      }
      const k = Number(n);
      seen.set(k, (seen.get(k) ?? 0) + 1);
      const id = want.get(k);
      if (id !== undefined && id !== m.MessageId) idMismatch++;
    }
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: ms.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  const lost = [...want.keys()].filter((n) => !seen.has(n)).sort((x, y) => x - y);
  const dups = [...seen.values()].filter((c) => c > 1).length;
  const unacked = [...seen.keys()].filter((n) => !want.has(n)).length;
  const first = acks[0]!.at;
  const last = acks[acks.length - 1]!.at;
  say(`verify: read back ${seen.size} distinct numbers in ${((Date.now() - start) / 1000).toFixed(1)}s`);
  say(`  acknowledged sends      ${acks.length} over ${((last - first) / 1000).toFixed(1)}s (${(acks.length / Math.max(1, (last - first) / 1000)).toFixed(0)}/s)`);
  say(`  acknowledged and lost   ${lost.length}${lost.length ? `: ${lost.slice(0, 20).join(',')}${lost.length > 20 ? ',…' : ''}` : ''}`);
  say(`  duplicates received     ${dups} (at-least-once delivery allows them)`);
  say(`  stored, not acknowledged ${unacked} (sends that failed or timed out at the client yet landed)`);
  if (other) say(`  unexpected bodies       ${other}`);
  if (idMismatch) say(`  MessageId differs from the acknowledged one: ${idMismatch}`);
  if (killAt !== undefined) {
    // Gaps that end after the kill (the one spanning it included) and start before the restart.
    const around = longestGap(acks, killAt, restartAt ?? last);
    const firstAfter = acks.find((x) => x.at > killAt);
    const rel = (t: number) => `${t >= killAt ? '+' : '-'}${Math.abs(t - killAt)} ms`;
    say(`  failover: longest gap between acks around the kill ${around.ms} ms (from ${rel(around.start)} to ${rel(around.end)} relative to the kill); first ack after the kill at ${firstAfter ? rel(firstAfter.at) : '-'}`);
    if (restartAt !== undefined) {
      const rejoin = longestGap(acks, restartAt, last);
      say(`  rejoin: longest gap between acks after the restart ${rejoin.ms} ms`);
    }
    const before = longestGap(acks, first, killAt - 1_000);
    say(`  baseline: longest gap between acks before the kill ${before.ms} ms`);
  }
  for (const w of windows) {
    // Gaps that end after the window opens (the one spanning its start included) and start before it closes.
    const g = longestGap(acks, w.from, w.to);
    const inside = acks.filter((x) => x.at >= w.from && x.at <= w.to).length;
    const rel = (t: number) => `${t >= w.from ? '+' : '-'}${Math.abs(t - w.from)} ms`;
    say(`  ${w.name}: longest gap between acks during the ${w.name} ${g.ms} ms (from ${rel(g.start)} to ${rel(g.end)} relative to its start); ${inside} acks in its ${((w.to - w.from) / 1000).toFixed(1)}s`);
  }
  check(lost.length === 0, `${lost.length} acknowledged message(s) lost`);
  check(idMismatch === 0, `${idMismatch} message(s) came back with another MessageId than acknowledged`);
  say('verify: every acknowledged message is present');
}

// ---- main ---------------------------------------------------------------------------------------

const [command, ...rest] = process.argv.slice(2);
try {
  const a = args(rest);
  switch (command) {
    case 'wait-ready':
      await waitReady(a);
      break;
    case 'basic':
      await basic();
      break;
    case 'writer':
      await writer(a);
      break;
    case 'wait-acks':
      await waitAcks(a);
      break;
    case 'verify':
      await verify(a);
      break;
    default:
      process.stderr.write('usage: smoke.ts wait-ready|basic|writer|wait-acks|verify [options] (see the header of deploy/smoke.ts)\n');
      process.exit(2);
  }
} catch (err) {
  process.stderr.write(`[smoke] FAILED: ${err instanceof CheckFailed ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
