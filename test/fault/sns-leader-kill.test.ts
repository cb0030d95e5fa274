// SNS durable fan-out on a 3-node cluster while the Raft leader of a topic's group is killed
// (SIGKILL) during a publish storm, restarted, and then the FIFO topic's leader is killed too.
// A Publish acknowledges only a message committed in the topic's log, and the scheduler (in the
// gateway process) delivers the log to every subscription at least once. Afterwards: every
// acknowledged publish reached every subscription whose filter policy it matches, no
// subscription got a message its filter refuses, and the FIFO queue saw each message group's
// first receipts in publish order. Duplicates are allowed (at-least-once) and reported.
import { readFileSync } from 'node:fs';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, type Message, ReceiveMessageCommand, SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { decodePlacementResult, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { ROOT } from '../compat/targets.js';
import { TestCluster } from './harness.js';
import { freePorts } from '../ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a standard publish carried; everything a filter looks at follows from the body. */
interface Published {
  /** The body (raw delivery: what the queue receives). */
  id: string;
  /** The Number attribute `n`. */
  n: number;
  parity: 'even' | 'odd';
}

/** One SQS queue subscribed to a topic, and what it received. */
interface Sub {
  name: string;
  url: string;
  filter: string | undefined;
  matches: (m: Published) => boolean;
  /** Bodies in receipt order, duplicates included. */
  receipts: string[];
  /** Raw delivery keeps the message attributes: mismatches with what was published. */
  attributeErrors: string[];
}

/** Standard publishes: every fourth one has n ≥ 1,000,000, which the numeric filter refuses. */
function describeStd(p: number, i: number): Published {
  return { id: `s${p}-${i}`, n: i % 4 === 3 ? 1_000_000 + i : i, parity: i % 2 === 0 ? 'even' : 'odd' };
}

async function until(what: string, ms: number, cond: () => boolean | Promise<boolean>): Promise<void> {
  const by = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > by) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('SNS fan-out through a 3-node cluster while the topic leader dies', () => {
  let c: TestCluster;
  let sns: SNSClient;
  let sqs: SQSClient;
  let httpPort = 0;
  beforeAll(async () => {
    [httpPort] = (await freePorts(1)) as [number];
    process.env.STRATUS_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
    process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
    c = await TestCluster.start(3, ['--http-port', String(httpPort)]);
    const endpoint = `http://127.0.0.1:${httpPort}`;
    sns = new SNSClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: 8000, throwOnRequestTimeout: true }) });
    sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: 8000, throwOnRequestTimeout: true }) });
  }, 60_000);
  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await c?.cleanup();
  }, 30_000);

  async function topicGroup(name: string): Promise<{ groupId: number; replicas: number[] }> {
    const cc = new ClusterClient({ seeds: c.storageIds().map((id) => c.storage(id).grpc) });
    try {
      const r = decodePlacementResult(await cc.read(0, encodeMetaQuery({ type: 'getPlacement' })));
      if (!r.ok) throw new Error(r.message);
      const t = r.value.topics.find((x) => x.name === name);
      if (!t) throw new Error(`topic ${name} is not in the placement`);
      return { groupId: t.groupId, replicas: r.value.groups.find((g) => g.id === t.groupId)?.replicas ?? [] };
    } finally {
      cc.close();
    }
  }

  async function queueFor(name: string, topicArn: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '5', ...attributes } }))).QueueUrl!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: arn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } }],
    };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(policy) } }));
    return { url, arn };
  }

  /** Kills the node, and after it is restarted waits until it follows every group it held again. */
  async function killAndRestart(id: number, group: number, resumed: () => boolean, what: string): Promise<{ resumeMs: number }> {
    const before = await c.groups(id);
    if (!before) throw new Error(`node ${id} did not report its groups`);
    const hosted = before.map((g) => g.group);
    const killedAt = Date.now();
    c.kill(id, 'SIGKILL');
    // Publishing must resume on the two survivors, however slow the machine.
    await until(`${what} to resume after node ${id} was killed`, 30_000, resumed).catch(async (err: unknown) => {
      // What the survivors make of the topic's group: the likeliest story of a stall.
      for (const n of c.storageIds().filter((x) => x !== id)) {
        const g = (await c.groups(n))?.find((x) => x.group === group);
        process.stdout.write(`node ${n}, group ${group}: ${JSON.stringify(g ?? 'not hosted or no answer')}\n`);
      }
      throw err;
    });
    const resumeMs = Date.now() - killedAt;
    // Down for a few seconds in all, then back with its data directory.
    await sleep(Math.max(0, killedAt + 3000 - Date.now()));
    c.restart(id);
    await until(`node ${id} to rejoin its ${hosted.length} groups`, 30_000, async () => {
      const gs = await c.groups(id);
      return gs !== undefined && hosted.every((g) => gs.some((x) => x.group === g && x.leader > 0));
    });
    return { resumeMs };
  }

  it('delivers every acknowledged publish to every matching subscription, in order per FIFO group', async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'storm' }))).TopicArn!;
    const fifoArn = (await sns.send(new CreateTopicCommand({ Name: 'storm.fifo', Attributes: { FifoTopic: 'true' } }))).TopicArn!;
    const std = await topicGroup('storm');
    const fifo = await topicGroup('storm.fifo');
    // Precondition: a topic survives the loss of one node only when its group has all three
    // replicas (CreateTopic sizes the group from the up nodes the gateway sees).
    expect(std.replicas, "storm's group replicas").toHaveLength(3);
    expect(fifo.replicas, "storm.fifo's group replicas").toHaveLength(3);
    const stdGroup = std.groupId;
    const fifoGroup = fifo.groupId;

    const specs: { name: string; filter: string | undefined; matches: (m: Published) => boolean }[] = [
      { name: 'storm-all', filter: undefined, matches: () => true },
      { name: 'storm-small', filter: JSON.stringify({ n: [{ numeric: ['<', 1_000_000] }] }), matches: (m) => m.n < 1_000_000 },
      { name: 'storm-even', filter: JSON.stringify({ parity: ['even'] }), matches: (m) => m.parity === 'even' },
    ];
    const subs: Sub[] = [];
    for (const s of specs) {
      const q = await queueFor(s.name, topicArn);
      await sns.send(
        new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true', ...(s.filter ? { FilterPolicy: s.filter } : {}) } }),
      );
      subs.push({ ...s, url: q.url, receipts: [], attributeErrors: [] });
    }
    const fq = await queueFor('storm-fifo.fifo', fifoArn, { FifoQueue: 'true' });
    await sns.send(new SubscribeCommand({ TopicArn: fifoArn, Protocol: 'sqs', Endpoint: fq.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const fifoReceipts: string[] = [];

    const attempted = new Map<string, Published>();
    const acked = new Set<string>();
    let publishFailures = 0;
    const fifoGroups = 2;
    /** Per FIFO group, the indexes acknowledged (each one retried with its id until it was). */
    const fifoAcked: number[][] = Array.from({ length: fifoGroups }, () => []);
    const fifoAckTimes: number[] = [];
    let fifoRetries = 0;
    const errors: unknown[] = [];
    let producing = true;
    let consuming = true;
    const stopPolls = new AbortController();
    let deleteFailures = 0;

    const stdProducer = async (p: number) => {
      for (let i = 0; producing; i++) {
        const m = describeStd(p, i);
        attempted.set(m.id, m);
        try {
          await sns.send(
            new PublishCommand({
              TopicArn: topicArn,
              Message: m.id,
              MessageAttributes: { n: { DataType: 'Number', StringValue: String(m.n) }, parity: { DataType: 'String', StringValue: m.parity } },
            }),
          );
          acked.add(m.id);
        } catch {
          // Outcome unknown (it may still be delivered): not counted as acknowledged.
          publishFailures++;
          await sleep(50);
        }
      }
    };
    const fifoProducer = async (g: number) => {
      for (let i = 0; producing; i++) {
        const id = `f${g}-${i}`;
        // The same deduplication id until acknowledged: the topic keeps it once, so the group's
        // order is the order of acknowledgements.
        const giveUp = Date.now() + 30_000;
        for (;;) {
          try {
            await sns.send(new PublishCommand({ TopicArn: fifoArn, Message: id, MessageGroupId: `g${g}`, MessageDeduplicationId: id }));
            break;
          } catch (err) {
            if (Date.now() > giveUp) throw new Error(`FIFO publish ${id} not acknowledged in 30 s: ${err instanceof Error ? err.message : String(err)}`);
            fifoRetries++;
            await sleep(50);
          }
        }
        fifoAcked[g]!.push(i);
        fifoAckTimes.push(Date.now());
      }
    };
    const record = (s: Sub, m: Message) => {
      const body = m.Body ?? '';
      s.receipts.push(body);
      const p = attempted.get(body);
      const n = m.MessageAttributes?.n;
      if (p && (n?.DataType !== 'Number' || n.StringValue !== String(p.n))) s.attributeErrors.push(`${body}: n=${JSON.stringify(n)}`);
    };
    const consumer = async (url: string, onMessage: (m: Message) => void) => {
      while (consuming) {
        let msgs: Message[];
        try {
          const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }), { abortSignal: stopPolls.signal });
          msgs = r.Messages ?? [];
        } catch {
          if (!consuming) return;
          await sleep(50);
          continue;
        }
        for (const m of msgs) onMessage(m);
        if (msgs.length === 0) continue;
        try {
          const r = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
          deleteFailures += r.Failed?.length ?? 0;
        } catch {
          // Not deleted: they come back after the visibility timeout (a duplicate, allowed).
          deleteFailures += msgs.length;
        }
      }
    };

    const started = Date.now();
    const guard = (p: Promise<void>) => p.catch((err: unknown) => void errors.push(err));
    const producers = [...Array.from({ length: 4 }, (_, p) => guard(stdProducer(p))), ...Array.from({ length: fifoGroups }, (_, g) => guard(fifoProducer(g)))];
    const consumers = [...subs.map((s) => guard(consumer(s.url, (m) => record(s, m)))), guard(consumer(fq.url, (m) => fifoReceipts.push(m.Body ?? '')))];

    const expectedOf = (s: Sub) => [...acked].filter((id) => s.matches(attempted.get(id)!));
    const missingOf = (s: Sub) => {
      const got = new Set(s.receipts);
      return expectedOf(s).filter((id) => !got.has(id));
    };
    const fifoMissing = () => {
      const got = new Set(fifoReceipts);
      return fifoAcked.flatMap((list, g) => list.map((i) => `f${g}-${i}`)).filter((id) => !got.has(id));
    };

    let first: { node: number; resumeMs: number };
    let second: { node: number; resumeMs: number };
    try {
      // The storm runs a moment, then the standard topic's leader dies.
      await until('publishes before the first kill', 20_000, () => acked.size >= 100 && fifoAckTimes.length >= 20);
      const leader1 = await c.leaderOf(stdGroup);
      const ackedAt1 = acked.size;
      first = { node: leader1, ...(await killAndRestart(leader1, stdGroup, () => acked.size >= ackedAt1 + 50, 'standard publishes')) };

      // A second of publishing with every node up, then the FIFO topic's leader now (perhaps the
      // same node, perhaps the one just restarted) dies.
      await sleep(1000);
      const leader2 = await c.leaderOf(fifoGroup);
      const fifoAt2 = fifoAckTimes.length;
      second = { node: leader2, ...(await killAndRestart(leader2, fifoGroup, () => fifoAckTimes.length >= fifoAt2 + 20, 'FIFO publishes')) };

      // A little more publishing with every node up, then the storm ends.
      await sleep(1500);
      producing = false;
      await Promise.all(producers);
      const stormMs = Date.now() - started;

      // Drain: wait until every queue holds everything it is owed (or the deadline passes).
      const drainStart = Date.now();
      await until('every subscription to receive its messages', 60_000, () => subs.every((s) => missingOf(s).length === 0) && fifoMissing().length === 0).catch(() => undefined);
      process.stdout.write(`sns leader kill: storm ${stormMs} ms, drain ${Date.now() - drainStart} ms\n`);
    } finally {
      producing = false;
      consuming = false;
      stopPolls.abort();
      await Promise.all([...producers, ...consumers]);
    }

    // Report.
    const attemptedIds = new Set(attempted.keys());
    const lines = [
      `kills: node ${first.node} (standard topic leader; publishes resumed ${first.resumeMs} ms after), node ${second.node} (FIFO topic leader; resumed ${second.resumeMs} ms after)`,
      `standard: ${attempted.size} attempted, ${acked.size} acknowledged, ${publishFailures} failed; FIFO: ${fifoAckTimes.length} acknowledged, ${fifoRetries} retries; ${deleteFailures} deletes not acknowledged`,
      ...subs.map((s) => {
        const unique = new Set(s.receipts);
        const unacked = [...unique].filter((id) => attemptedIds.has(id) && !acked.has(id)).length;
        return `  ${s.name}: ${expectedOf(s).length} expected, ${unique.size} received (${unacked} of unacknowledged publishes), ${s.receipts.length - unique.size} duplicates`;
      }),
      `  storm-fifo.fifo: ${fifoAckTimes.length} expected, ${new Set(fifoReceipts).size} received, ${fifoReceipts.length - new Set(fifoReceipts).size} duplicates`,
    ];
    // What the scheduler (in the gateway process) said about topic delivery meanwhile, and any warning.
    const said = readFileSync(c.gateway().log, 'utf8').split('\n').filter((l) => /scheduler: (topic|subscription)|Warning/.test(l));
    lines.push(`gateway log: ${said.length} lines about topics or warnings${said.length > 0 ? `, first: ${said.slice(0, 5).join(' | ')}` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);

    expect(errors).toEqual([]);
    expect(acked.size).toBeGreaterThan(200);
    for (const s of subs) {
      const missing = missingOf(s);
      expect(missing, `${s.name}: ${missing.length} acknowledged matching publishes never arrived: ${missing.slice(0, 20).join(' ')}`).toEqual([]);
      // Nothing its filter refuses, nothing that was never published.
      const wrong = [...new Set(s.receipts)].filter((id) => {
        const p = attempted.get(id);
        return p === undefined || !s.matches(p);
      });
      expect(wrong, `${s.name} received messages its filter ${s.filter ?? '(none)'} refuses, or never published`).toEqual([]);
      expect(s.attributeErrors.slice(0, 20), `${s.name}: message attributes as published`).toEqual([]);
    }
    // The filters did filter: each filtered queue is owed strictly fewer than everything.
    expect(expectedOf(subs[1]!).length).toBeLessThan(acked.size);
    expect(expectedOf(subs[2]!).length).toBeLessThan(acked.size);

    const missingFifo = fifoMissing();
    expect(missingFifo, `storm-fifo.fifo: acknowledged publishes never arrived: ${missingFifo.slice(0, 20).join(' ')}`).toEqual([]);
    const firsts = new Map<number, number[]>();
    const seen = new Set<string>();
    for (const body of fifoReceipts) {
      const m = /^f(\d+)-(\d+)$/.exec(body);
      if (!m) throw new Error(`storm-fifo.fifo received an unknown message ${body}`);
      if (seen.has(body)) continue;
      seen.add(body);
      const list = firsts.get(Number(m[1])) ?? [];
      list.push(Number(m[2]));
      firsts.set(Number(m[1]), list);
    }
    for (let g = 0; g < fifoGroups; g++) {
      // Every acknowledged publish arrived (above), so first receipts in order means exactly the acknowledged sequence.
      expect(firsts.get(g) ?? [], `group g${g}: first receipts in publish order`).toEqual(fifoAcked[g]);
    }
  }, 110_000);
});
