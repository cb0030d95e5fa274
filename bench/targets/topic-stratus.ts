// Stratus as a fan-out target, driven as users drive SNS → SQS: the AWS SDK v3 SNS and SQS
// clients (default settings) against the gateway of a local 3-node cluster (`stratus cluster up
// --nodes 3`: 3 storage processes + a gateway process, the one HTTP endpoint).
//
// Topic: CreateTopic, then per subscriber a standard queue (CreateQueue with a Policy letting
// sns.amazonaws.com SendMessage from this topic: Stratus, like AWS, refuses deliveries without
// it) subscribed with Protocol sqs, Endpoint = the queue ARN, RawMessageDelivery true; filtered:
// FilterPolicy {"kind":["bench"]} on MessageAttributes, and every publish carries kind=bench
// (String) and seq=N (Number).
// Publisher op: Publish (or PublishBatch of 10 with --batch); answered once the topic's log has
// committed the message. Deliveries to the queues are made afterwards by the scheduler, so a
// publish ack does not mean the queues have it: the runner's drain check measures that lag.
// Consumers: per queue, ReceiveMessage (long poll, WaitTimeSeconds 20, up to 10) then
// DeleteMessageBatch of what came, in a loop.
//
// Credentials: a fixed root key pair (bench/targets/queue-stratus.ts's) in the environment of
// `stratus cluster up`, which the SDK signs with.
import { setMaxListeners } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, DeleteTopicCommand, type MessageAttributeValue, PublishBatchCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { killPid, onCleanup } from '../lib/cleanup.js';
import { assertPortsFree, run, sleep } from '../lib/proc.js';
import { EXTRA_KEY, FILTER_KEY, FILTER_VALUE, filterValueOf, type DeliveryHandler, mapLimit, type TopicMessage, type TopicSpec, type TopicTarget, type TopicTargetOptions } from '../lib/topic-target.js';
import { BENCH_ACCESS_KEY_ID, BENCH_SECRET_ACCESS_KEY, describeError, waitHealthy } from './queue-stratus.js';

const STRATUS_BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));
const REGION = 'us-east-1';
// Parallel control-plane calls when setting up / inspecting / deleting a topic's N queues.
const ADMIN_PARALLEL = 8;

/** The pids `stratus cluster up` records in DIR/cluster.json (its documented output). */
function clusterPids(dir: string): number[] {
  const file = join(dir, 'cluster.json');
  if (!existsSync(file)) return [];
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { processes?: { pid?: unknown }[] };
  return (rec.processes ?? []).map((p) => p.pid).filter((p): p is number => typeof p === 'number');
}

interface Subscriber {
  url: string;
  arn: string;
}

export function stratusTopicTarget(options: TopicTargetOptions): TopicTarget {
  const name = 'stratus';
  let dir: string | undefined;
  let pids: number[] = [];
  let unregister: (() => void) | undefined;
  let sns: SNSClient | undefined;
  let sqs: SQSClient | undefined;
  let endpoint = '';
  let topicArn: string | undefined;
  let subscribers: Subscriber[] = [];
  let filtered = false;
  let consuming: { abort: AbortController; loops: Promise<void>[] } | undefined;

  const env = (): NodeJS.ProcessEnv => ({ ...process.env, STRATUS_ROOT_ACCESS_KEY_ID: BENCH_ACCESS_KEY_ID, STRATUS_ROOT_SECRET_ACCESS_KEY: BENCH_SECRET_ACCESS_KEY });
  /** Every call goes through here, so a failing API is reported with the call and the answer. */
  const call = async <C, T>(api: 'SNS' | 'SQS', what: string, c: C | undefined, f: (c: C) => Promise<T>): Promise<T> => {
    if (!c) throw new Error(`${name}: ${api} ${what} before setup`);
    try {
      return await f(c);
    } catch (err) {
      throw new Error(`${name}: ${api} ${what} on ${endpoint} failed: ${describeError(err)}`, { cause: err });
    }
  };
  const snsCall = <T>(what: string, f: (c: SNSClient) => Promise<T>): Promise<T> => call('SNS', what, sns, f);
  const sqsCall = <T>(what: string, f: (c: SQSClient) => Promise<T>): Promise<T> => call('SQS', what, sqs, f);
  const topic = (): string => {
    if (!topicArn) throw new Error(`${name}: used before createTopic`);
    return topicArn;
  };
  const attributesOf = (m: TopicMessage): Record<string, MessageAttributeValue> | undefined =>
    filtered
      ? {
          [FILTER_KEY]: { DataType: 'String', StringValue: filterValueOf(m) },
          [EXTRA_KEY]: { DataType: 'Number', StringValue: String(m.seq) },
        }
      : undefined;

  /** One subscriber's consumer: long-poll receive, hand over, delete, until aborted. */
  const consumeLoop = async (i: number, s: Subscriber, handler: DeliveryHandler, signal: AbortSignal): Promise<void> => {
    let warned = false;
    while (!signal.aborted) {
      try {
        const QueueUrl = s.url;
        const r = await sqsCall('ReceiveMessage', (c) => c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }), { abortSignal: signal }));
        const messages = r.Messages ?? [];
        if (messages.length === 0) continue;
        for (const m of messages) handler(i, Buffer.from(m.Body ?? '', 'utf8'));
        const Entries = messages.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle }));
        const d = await sqsCall('DeleteMessageBatch', (c) => c.send(new DeleteMessageBatchCommand({ QueueUrl, Entries })));
        if (d.Failed?.length) throw new Error(`${name}: DeleteMessageBatch: ${d.Failed.length} entr(ies) failed, first: ${d.Failed[0]?.Code}: ${d.Failed[0]?.Message}`);
      } catch (err) {
        if (signal.aborted) return;
        // Keep consuming (the runner reports what never arrived), but say why once per queue.
        if (!warned) process.stderr.write(`${name}: WARNING: consumer of subscriber ${i}: ${err instanceof Error ? err.message : String(err)}\n`);
        warned = true;
        await sleep(200);
      }
    }
  };

  const stopLoops = async (): Promise<void> => {
    const c = consuming;
    consuming = undefined;
    if (!c) return;
    c.abort.abort();
    await Promise.all(c.loops);
  };

  return {
    name,
    describe:
      'Stratus 3-node cluster (`stratus cluster up`, 3 replicas, fsync per commit) via its gateway process; AWS SDK v3 SNS client (Publish acked once committed to the topic log), ' +
      'N SQS queues subscribed (protocol sqs, RawMessageDelivery), delivered asynchronously by the scheduler; consumers: SQS long polling (20 s, up to 10) + DeleteMessageBatch',
    filterNote: 'SNS subscription FilterPolicy {"kind":["bench"]} (scope MessageAttributes) on every subscription; publishes carry kind=bench (String) and seq (Number)',
    async setup(): Promise<void> {
      dir = mkdtempSync(join(options.dataRoot, 'bench-stratus-topics-'));
      const d = dir;
      const base = 40000 + Math.floor(Math.random() * 500) * 8;
      const grpcPort = base + 5;
      const httpPort = base + 6;
      await assertPortsFree(name, [base, base + 1, base + 2, grpcPort, httpPort]);
      // Registered before `cluster up` runs, so an interrupted start-up is still cleaned up.
      unregister = onCleanup(() => {
        for (const pid of clusterPids(d)) killPid(pid);
        rmSync(d, { recursive: true, force: true });
      });
      const r = await run(process.execPath, [STRATUS_BIN, 'cluster', 'up', '--nodes', '3', '--dir', d, '--base-port', String(base), '--grpc-port', String(grpcPort), '--http-port', String(httpPort)], env());
      pids = clusterPids(d);
      if (r.code !== 0) throw new Error(`${name}: stratus cluster up failed (exit ${r.code}):\n${(r.stdout + r.stderr).slice(-3000)}`);
      await waitHealthy(`http://127.0.0.1:${httpPort}/health`, 30_000, () => undefined);
      endpoint = `http://127.0.0.1:${httpPort}`;
      const config = {
        endpoint,
        region: REGION,
        credentials: { accessKeyId: BENCH_ACCESS_KEY_ID, secretAccessKey: BENCH_SECRET_ACCESS_KEY },
      };
      sns = new SNSClient({
        ...config,
        requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: Math.max(64, options.maxConcurrency * 2) }), connectionTimeout: 5000, requestTimeout: 30_000 }),
      });
      sqs = new SQSClient({
        ...config,
        // Every subscriber's long poll holds a socket; deletes and control calls need more besides.
        requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: options.maxSubscribers * 2 + 64 }), connectionTimeout: 5000, requestTimeout: 30_000 }),
      });
    },
    async createTopic(spec: TopicSpec): Promise<void> {
      filtered = spec.filtered;
      const t = await snsCall('CreateTopic', (c) => c.send(new CreateTopicCommand({ Name: spec.name })));
      if (!t.TopicArn) throw new Error(`${name}: SNS CreateTopic answered without a TopicArn`);
      const TopicArn = t.TopicArn;
      topicArn = TopicArn;
      // arn:aws:sns:REGION:ACCOUNT:NAME → the queues' ARNs live in the same region and account.
      const [, partition, , region, account] = TopicArn.split(':');
      const names = Array.from({ length: spec.subscribers }, (_, i) => `${spec.name}-q${i}`);
      subscribers = await mapLimit(names, ADMIN_PARALLEL, async (QueueName) => {
        const arn = `arn:${partition}:sqs:${region}:${account}:${QueueName}`;
        const Policy = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'bench-topic-to-queue', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': TopicArn } } }],
        });
        const q = await sqsCall('CreateQueue', (c) => c.send(new CreateQueueCommand({ QueueName, Attributes: { Policy } })));
        const QueueUrl = q.QueueUrl;
        if (!QueueUrl) throw new Error(`${name}: SQS CreateQueue answered without a QueueUrl`);
        const a = await sqsCall('GetQueueAttributes', (c) => c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] })));
        if (a.Attributes?.QueueArn !== arn) throw new Error(`${name}: queue ARN is ${a.Attributes?.QueueArn ?? '(none)'}, the policy names ${arn}`);
        const Attributes: Record<string, string> = { RawMessageDelivery: 'true' };
        if (spec.filtered) {
          Attributes['FilterPolicy'] = JSON.stringify({ [FILTER_KEY]: [FILTER_VALUE] });
          Attributes['FilterPolicyScope'] = 'MessageAttributes';
        }
        const s = await snsCall('Subscribe', (c) => c.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn, Attributes, ReturnSubscriptionArn: true })));
        if (!s.SubscriptionArn || s.SubscriptionArn === 'pending confirmation') throw new Error(`${name}: SNS Subscribe answered SubscriptionArn ${s.SubscriptionArn ?? '(none)'}`);
        return { url: QueueUrl, arn };
      });
    },
    async publish(_workerIndex: number, messages: readonly TopicMessage[]): Promise<number> {
      const TopicArn = topic();
      if (messages.length === 1) {
        const m = messages[0] as TopicMessage;
        const MessageAttributes = attributesOf(m);
        await snsCall('Publish', (c) => c.send(new PublishCommand({ TopicArn, Message: m.body.toString('utf8'), ...(MessageAttributes ? { MessageAttributes } : {}) })));
        return 1;
      }
      const PublishBatchRequestEntries = messages.map((m, i) => {
        const MessageAttributes = attributesOf(m);
        return { Id: String(i), Message: m.body.toString('utf8'), ...(MessageAttributes ? { MessageAttributes } : {}) };
      });
      const r = await snsCall('PublishBatch', (c) => c.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries })));
      if (r.Failed?.length) throw new Error(`${name}: PublishBatch: ${r.Failed.length} entr(ies) failed, first: ${r.Failed[0]?.Code}: ${r.Failed[0]?.Message}`);
      return r.Successful?.length ?? 0;
    },
    async consume(handler: DeliveryHandler): Promise<void> {
      await stopLoops();
      const abort = new AbortController();
      // One signal for every subscriber's loop: each in-flight receive listens on it.
      setMaxListeners(subscribers.length + 16, abort.signal);
      consuming = { abort, loops: subscribers.map((s, i) => consumeLoop(i, s, handler, abort.signal)) };
    },
    async stopConsuming(): Promise<void> {
      await stopLoops();
    },
    async backlog(): Promise<number[]> {
      // In flight counts too: a long poll aborted at stopConsuming may have taken a message the
      // server then could not hand over (it becomes visible again after the visibility timeout).
      return mapLimit(subscribers, ADMIN_PARALLEL * 2, async (s) => {
        const r = await sqsCall('GetQueueAttributes', (c) =>
          c.send(new GetQueueAttributesCommand({ QueueUrl: s.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] })),
        );
        return Number(r.Attributes?.ApproximateNumberOfMessages ?? Number.NaN) + Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? Number.NaN);
      });
    },
    async deleteTopic(): Promise<void> {
      await stopLoops();
      const TopicArn = topicArn;
      topicArn = undefined;
      // DeleteTopic deletes the topic's subscriptions too.
      if (TopicArn) await snsCall('DeleteTopic', (c) => c.send(new DeleteTopicCommand({ TopicArn })));
      const subs = subscribers;
      subscribers = [];
      await mapLimit(subs, ADMIN_PARALLEL, (s) => sqsCall('DeleteQueue', (c) => c.send(new DeleteQueueCommand({ QueueUrl: s.url }))));
    },
    async teardown(): Promise<void> {
      await stopLoops().catch(() => undefined);
      sns?.destroy();
      sqs?.destroy();
      sns = undefined;
      sqs = undefined;
      if (dir && existsSync(join(dir, 'cluster.json'))) await run(process.execPath, [STRATUS_BIN, 'cluster', 'down', '--dir', dir], env()).catch(() => undefined);
      for (const p of dir ? [...pids, ...clusterPids(dir)] : pids) killPid(p);
      pids = [];
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      unregister?.();
      unregister = undefined;
    },
  };
}
