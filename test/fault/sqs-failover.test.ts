// Producers and consumers through the gateway against 3 storage nodes while the leader of a
// queue partition is killed and restarted. Afterwards: every acknowledged send was received,
// no message came back after its deletion was acknowledged, and FIFO order held per group.
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePlacementResult, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { ROOT } from '../compat/targets.js';
import { TestCluster } from './harness.js';
import { freePorts } from '../ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SQS through a 3-node cluster while a partition leader dies', () => {
  let c: TestCluster;
  let sqs: SQSClient;
  let httpPort = 0;
  beforeAll(async () => {
    [httpPort] = (await freePorts(1)) as [number];
    process.env.STRATUS_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
    process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
    c = await TestCluster.start(3, ['--http-port', String(httpPort)]);
    sqs = new SQSClient({
      endpoint: `http://127.0.0.1:${httpPort}`,
      region: 'us-east-1',
      credentials: ROOT,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ requestTimeout: 8000 }),
    });
  }, 60_000);
  afterAll(async () => {
    sqs?.destroy();
    await c?.cleanup();
  }, 30_000);

  async function groupsOf(queue: string): Promise<number[]> {
    const cc = new ClusterClient({ seeds: c.storageIds().map((id) => c.storage(id).grpc) });
    try {
      const r = decodePlacementResult(await cc.read(0, encodeMetaQuery({ type: 'getPlacement' })));
      if (!r.ok) throw new Error(r.message);
      return r.value.queues.find((q) => q.name === queue)!.groupIds;
    } finally {
      cc.close();
    }
  }

  it('loses no acknowledged message, resurrects no deleted one, and keeps FIFO order', async () => {
    const std = (await sqs.send(new CreateQueueCommand({ QueueName: 'fault-std', Attributes: { VisibilityTimeout: '4' } }))).QueueUrl!;
    const fifo = (await sqs.send(new CreateQueueCommand({ QueueName: 'fault.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '4' } }))).QueueUrl!;
    const fifoGroup = (await groupsOf('fault.fifo'))[0]!;

    const acked = new Set<string>();
    const deletedAt = new Map<string, number>();
    const received = new Set<string>();
    const resurrected: string[] = [];
    const fifoSeen = new Map<string, number[]>();
    let producing = true;
    let consuming = true;

    const stdProducer = async (p: number) => {
      for (let n = 0; producing; n++) {
        const body = `s${p}-${n}`;
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl: std, MessageBody: body }));
          acked.add(body);
        } catch {
          await sleep(50); // outcome unknown: not counted as acknowledged
        }
      }
    };
    const fifoProducer = async (g: number) => {
      for (let n = 0; producing; n++) {
        const body = `g${g}-${n}`;
        // Retried with the same deduplication id until acknowledged, so the group's order is the send order.
        for (;;) {
          try {
            await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: body, MessageGroupId: `g${g}`, MessageDeduplicationId: body }));
            acked.add(body);
            break;
          } catch {
            await sleep(50);
          }
        }
      }
    };
    const consumer = async (url: string) => {
      while (consuming) {
        const started = Date.now();
        let msgs;
        try {
          msgs = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];
        } catch {
          await sleep(50);
          continue;
        }
        for (const m of msgs) {
          const body = m.Body!;
          const del = deletedAt.get(body);
          if (del !== undefined && started > del) resurrected.push(body);
          received.add(body);
          const fm = /^g(\d+)-(\d+)$/.exec(body);
          if (fm) {
            const list = fifoSeen.get(fm[1]!) ?? [];
            list.push(Number(fm[2]));
            fifoSeen.set(fm[1]!, list);
          }
          try {
            await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
            if (!deletedAt.has(body)) deletedAt.set(body, Date.now());
          } catch {
            // Not acknowledged: it may come back after its visibility timeout, which is allowed.
          }
        }
      }
    };

    const producers = [...Array.from({ length: 3 }, (_, p) => stdProducer(p)), ...Array.from({ length: 3 }, (_, g) => fifoProducer(g))];
    const consumers = [consumer(std), consumer(std), consumer(fifo), consumer(fifo)];

    await sleep(2000);
    const leader = await c.leaderOf(fifoGroup);
    const ackedBefore = acked.size;
    c.kill(leader, 'SIGKILL');
    // Writes must resume on the survivors (however slow the machine), then the node comes back.
    const resumeBy = Date.now() + 30_000;
    while (acked.size < ackedBefore + 30 && Date.now() < resumeBy) await sleep(50);
    expect(acked.size).toBeGreaterThanOrEqual(ackedBefore + 30);
    c.restart(leader);
    await sleep(2000);
    producing = false;
    await Promise.all(producers);

    // Drain: everything acknowledged must arrive.
    const drainBy = Date.now() + 40_000;
    while ([...acked].some((b) => !received.has(b)) && Date.now() < drainBy) await sleep(100);
    consuming = false;
    await Promise.all(consumers);

    const missing = [...acked].filter((b) => !received.has(b));
    expect(missing).toEqual([]);
    expect(resurrected).toEqual([]);
    for (const [g, seen] of fifoSeen) {
      for (let i = 1; i < seen.length; i++) {
        // Redelivery of the same message is allowed; an earlier message after a later one is not.
        if (seen[i]! < seen[i - 1]!) throw new Error(`group g${g} out of order: ${seen.slice(Math.max(0, i - 3), i + 2).join(',')}`);
      }
    }
    expect(acked.size).toBeGreaterThan(100);
    const left = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: fifo, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes;
    expect(left?.ApproximateNumberOfMessages).toBe('0');
  }, 150_000);
});
