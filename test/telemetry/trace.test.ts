// One request's trace across every hop on the embedded server: an async Invoke through the
// gateway (HTTP, X-Amzn-Trace-Id accepted and returned), its event committed through Raft, taken
// by the scheduler as a new segment linked to the request, run in a worker thread whose handler
// sees X-Ray's header and adds its own span with @opentelemetry/api, and the OnSuccess message
// sent to a queue carrying AWSTraceHeader.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CreateFunctionCommand, InvokeCommand, type LambdaClient, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpanRecord } from '../../nodes/telemetry/span-record.js';
import { lambdaClient } from '../compat/lambda-suite.js';
import { startEmbedded } from '../compat/targets.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const TRACE = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';

/** The handler's package, with @opentelemetry/api as a dependency bundled the way users ship it. */
function tracedPackage(): Uint8Array {
  const files: Record<string, Uint8Array> = {
    'index.mjs': strToU8(`
import { trace } from '@opentelemetry/api';
export const handler = async (event) => {
  const tracer = trace.getTracer('user-code');
  const seen = process.env._X_AMZN_TRACE_ID;
  await tracer.startActiveSpan('handler.work', async (span) => {
    span.setAttribute('work.item', event.item ?? 'none');
    await new Promise((r) => setTimeout(r, 5));
    span.end();
  });
  return { seen };
};
`),
  };
  const root = join(process.cwd(), 'node_modules/@opentelemetry/api');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.js') || name === 'package.json') files[`node_modules/@opentelemetry/api/${relative(root, p)}`] = readFileSync(p);
    }
  };
  files['node_modules/@opentelemetry/api/package.json'] = readFileSync(join(root, 'package.json'));
  walk(join(root, 'build/src'));
  return zipSync(files);
}

interface TraceReply {
  summary: { traceId: string; xrayTraceId: string; services: string[] };
  spans: SpanRecord[];
}

describe('tracing on the embedded server', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let lambda: LambdaClient;

  beforeAll(async () => {
    t = await startEmbedded(['--trace-rate', '1', '--trace-reservoir', '100', '--auth', 'off']);
    lambda = lambdaClient(t.endpoint);
  });
  afterAll(async () => {
    lambda?.destroy();
    await t?.stop();
  });

  const traceOf = async (id: string, until: (spans: SpanRecord[]) => boolean): Promise<TraceReply> => {
    const deadline = Date.now() + 30_000;
    let last = '';
    for (;;) {
      const res = await fetch(`${t.endpoint}/_stratus/traces/${id}`);
      if (res.status === 200) {
        const body = (await res.json()) as TraceReply;
        if (until(body.spans)) return body;
        last = body.spans.map((s) => `${s.name}(${s.service})`).join(', ');
      }
      if (Date.now() > deadline) throw new Error(`trace ${id} did not complete; spans so far: ${last}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('follows an async invoke from the gateway through storage and the scheduler into the handler', async () => {
    const sqs = t.client();
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'traced-results' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'traced', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: tracedPackage() }, TracingConfig: { Mode: 'Active' } }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'traced', DestinationConfig: { OnSuccess: { Destination: arn } } }));

    // The caller's X-Ray header: its Root becomes the trace id, its Parent the gateway span's parent.
    const invoke = new InvokeCommand({ FunctionName: 'traced', InvocationType: 'Event', Payload: strToU8('{"item":"a"}') });
    invoke.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = `Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${PARENT};Sampled=1`;
      return next(args);
    }, { step: 'build' });
    let returned: string | undefined;
    invoke.middlewareStack.add((next) => async (args) => {
      const out = await next(args);
      returned = (out.response as { headers: Record<string, string> }).headers['x-amzn-trace-id'];
      return out;
    }, { step: 'deserialize' });
    await lambda.send(invoke);
    expect(returned).toMatch(new RegExp(`^Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=[0-9a-f]{16};Sampled=1$`));

    const { summary, spans } = await traceOf(`1-${TRACE.slice(0, 8)}-${TRACE.slice(8)}`, (s) => s.some((x) => x.name === 'scheduler.function.async_event') && s.some((x) => x.name === 'handler.work'));
    expect(summary.traceId).toBe(TRACE);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const one = (name: string, where: (s: SpanRecord) => boolean = () => true): SpanRecord => {
      const found = spans.filter((s) => s.name === name && where(s));
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const ancestors = (s: SpanRecord): SpanRecord[] => {
      const out: SpanRecord[] = [];
      for (let p = s.parentSpanId && byId.get(s.parentSpanId); p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) out.push(p);
      return out;
    };

    // Gateway: the Invoke, a server span under the caller's Parent; returned in X-Amzn-Trace-Id.
    const request = one('gateway.aws.request', (s) => s.attributes['rpc.method'] === 'Invoke');
    expect(request).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, kind: 'server', service: 'gateway' });
    expect(returned).toContain(`Parent=${request.spanId}`);
    // Storage: the event's Raft proposal, committed on the leader, inside the request.
    const commits = spans.filter((s) => s.name === 'storage.raft.commit' && ancestors(s).includes(request));
    expect(commits.length).toBeGreaterThan(0);
    expect(commits[0]!.service).toBe('storage');
    // Scheduler: a new segment of the same trace (no parent), linked to the request that queued it.
    const event = one('scheduler.function.async_event');
    expect(event.parentSpanId).toBeUndefined();
    expect(event.kind).toBe('consumer');
    expect(event.links).toEqual([{ traceId: TRACE, spanId: request.spanId }]);
    const run = one('scheduler.function.invoke', (s) => s.parentSpanId === event.spanId);
    expect(run.service).toBe('scheduler');
    // Worker: the environment's span under the scheduler's, and the handler's own span under it.
    const handler = one('worker.function.handler');
    expect(handler).toMatchObject({ parentSpanId: run.spanId, service: 'worker' });
    const work = one('handler.work');
    expect(work).toMatchObject({ parentSpanId: handler.spanId, service: 'worker', attributes: { 'work.item': 'a' } });

    // The handler saw X-Ray's header naming its own segment; the OnSuccess message carries the trace.
    let body: { responsePayload?: { seen?: string } } | undefined;
    let header: string | undefined;
    const deadline = Date.now() + 20_000;
    while (!body && Date.now() < deadline) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['AWSTraceHeader'] }));
      const m = r.Messages?.[0];
      if (m) {
        body = JSON.parse(m.Body!) as typeof body;
        header = m.Attributes?.AWSTraceHeader;
      }
    }
    expect(body?.responsePayload?.seen).toBe(`Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${handler.spanId};Sampled=1`);
    expect(header).toMatch(new RegExp(`^Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=[0-9a-f]{16};Sampled=1$`));

    // The service map shows the hops: gateway → storage, the async link gateway → scheduler, scheduler → worker.
    const map = (await (await fetch(`${t.endpoint}/_stratus/service-map`)).json()) as { edges: { from: string; to: string; link: boolean }[] };
    expect(map.edges).toEqual(expect.arrayContaining([
      expect.objectContaining({ from: 'gateway', to: 'storage', link: false }),
      expect.objectContaining({ from: 'gateway', to: 'scheduler', link: true }),
      expect.objectContaining({ from: 'scheduler', to: 'worker', link: false }),
    ]));
    sqs.destroy();
  }, 60_000);

  it('records nothing for a request its caller did not sample, and still returns the trace id', async () => {
    const other = 'aaaaaaaabbbbbbbbccccccccdddddddd';
    const invoke = new InvokeCommand({ FunctionName: 'traced', Payload: strToU8('{"item":"b"}') });
    invoke.middlewareStack.add((next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = `Root=1-${other.slice(0, 8)}-${other.slice(8)};Parent=${PARENT};Sampled=0`;
      return next(args);
    }, { step: 'build' });
    const r = await lambda.send(invoke);
    const seen = (JSON.parse(Buffer.from(r.Payload!).toString()) as { seen: string }).seen;
    // The handler still gets the header, with the decision, as Lambda does in PassThrough.
    expect(seen).toMatch(new RegExp(`^Root=1-${other.slice(0, 8)}-${other.slice(8)};Parent=[0-9a-f]{16};Sampled=0$`));
    expect((await fetch(`${t.endpoint}/_stratus/traces/${other}`)).status).toBe(404);
  }, 30_000);

  it('in PassThrough mode records no environment span: the handler\'s spans hang under the scheduler', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'passthrough', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: tracedPackage() } }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'passthrough', Payload: strToU8('{"item":"c"}') }));
    const seen = (JSON.parse(Buffer.from(r.Payload!).toString()) as { seen: string }).seen;
    const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(seen)!;
    const { spans } = await traceOf(`${root[1]}${root[2]}`, (s) => s.some((x) => x.name === 'handler.work'));
    expect(spans.some((s) => s.name === 'worker.function.handler')).toBe(false);
    const run = spans.find((s) => s.name === 'scheduler.function.invoke')!;
    expect(spans.find((s) => s.name === 'handler.work')!.parentSpanId).toBe(run.spanId);
    expect(seen).toContain(`Parent=${run.spanId};Sampled=1`);
  }, 30_000);
});
