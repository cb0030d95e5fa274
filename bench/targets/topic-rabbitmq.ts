// RabbitMQ as a fan-out target: an exchange bound to N durable quorum queues (3 replicas each,
// WAL fsynced) on a 3-node cluster. Unfiltered: a fanout exchange. Filtered: a headers exchange,
// every binding with x-match=all on kind=bench; messages carry the headers kind=bench and seq=N.
//
// Publisher op: publish the N messages (persistent) on the worker's ConfirmChannel and await
// every confirm. A confirm for a message routed to quorum queues comes once EVERY one of those
// queues has committed it (a majority of its replicas, fsynced), so when a publish is confirmed
// all its deliveries are durably enqueued: fan-out is inside the publish latency.
// Publishers share --peer-connections AMQP connections to node 1, a channel each (AMQP's idiom).
// Queues are declared through node 1 too, so their leaders are all there (client-local
// placement): the best case for the publisher, as in bench/sqs's RabbitMQ target.
//
// Consumers: one channel per subscriber queue on a separate connection, basic.consume with
// prefetch 100 and a manual ack per message (after the handler saw it).
import { type Channel, type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import { sleep } from '../lib/proc.js';
import { EXTRA_KEY, FILTER_KEY, FILTER_VALUE, filterValueOf, type DeliveryHandler, mapLimit, type TopicMessage, type TopicSpec, type TopicTarget, type TopicTargetOptions } from '../lib/topic-target.js';
import { type RabbitCluster, startRabbitCluster } from '../peers/rabbitmq.js';

export interface RabbitTopicTargetOptions extends TopicTargetOptions {
  prefix: string;
  amqpBasePort: number;
  epmdPort: number;
}

const NODES = 3;
const PREFETCH = 100;
// Channels used in parallel to declare/inspect/delete a topic's queues (each AMQP channel runs one RPC at a time).
const ADMIN_CHANNELS = 8;

interface Publisher {
  channel: ConfirmChannel;
  failed: Error | undefined;
}

interface Conn {
  model: ChannelModel;
  failed: Error | undefined;
}

async function open(url: string, what: string): Promise<Conn> {
  const model = await connect(url);
  const c: Conn = { model, failed: undefined };
  // Without 'error' listeners a broker-side close would crash the process instead of failing the op.
  model.on('error', (err: Error) => {
    c.failed ??= err;
  });
  model.on('close', () => {
    c.failed ??= new Error(`rabbitmq: ${what} connection closed`);
  });
  return c;
}

export function rabbitTopicTarget(options: RabbitTopicTargetOptions): TopicTarget {
  const name = 'rabbitmq';
  let cluster: RabbitCluster | undefined;
  let admin: Conn | undefined;
  let adminChannels: Channel[] = [];
  let consumerConn: Conn | undefined;
  let consumers: Channel[] = [];
  const connections = new Map<number, Promise<Conn>>();
  const publishers = new Map<number, Promise<Publisher>>();
  let exchange: string | undefined;
  let queues: string[] = [];
  let filtered = false;

  const url = (): string => {
    if (!cluster) throw new Error(`${name}: used before setup`);
    return cluster.urls[0] as string;
  };
  const publisher = (workerIndex: number): Promise<Publisher> => {
    let p = publishers.get(workerIndex);
    if (!p) {
      const slot = options.peerConnections > 0 ? workerIndex % options.peerConnections : workerIndex;
      let c = connections.get(slot);
      if (!c) {
        c = open(url(), 'publisher');
        connections.set(slot, c);
      }
      p = c.then(async (conn) => {
        const pub: Publisher = { channel: await conn.model.createConfirmChannel(), failed: undefined };
        pub.channel.on('error', (err: Error) => {
          pub.failed ??= err;
        });
        return pub;
      });
      publishers.set(workerIndex, p);
    }
    return p;
  };
  const channels = (): Channel[] => {
    if (adminChannels.length === 0) throw new Error(`${name}: used before setup`);
    return adminChannels;
  };
  /** Runs f for every queue, at most one call per admin channel at a time. */
  const eachQueue = <R>(f: (ch: Channel, queue: string, i: number) => Promise<R>): Promise<R[]> => {
    const free = [...channels()];
    // mapLimit keeps at most free.length calls in flight, so a channel is always free here.
    return mapLimit(queues, free.length, async (q, i) => {
      const ch = free.pop() as Channel;
      try {
        return await f(ch, q, i);
      } finally {
        free.push(ch);
      }
    });
  };
  const quorum = { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': NODES } };

  const closeConsumers = async (): Promise<void> => {
    const all = consumers;
    consumers = [];
    // Every delivery was acked right after the handler; closing returns nothing to the queues.
    await Promise.all(all.map((ch) => ch.close().catch(() => undefined)));
  };

  return {
    name,
    describe:
      `RabbitMQ ${NODES}-node cluster, exchange → N durable quorum queues (${NODES} replicas, WAL fsynced), persistent messages, ` +
      'publisher confirms (sent once every routed queue has committed), consumers with prefetch 100 and a manual ack per message',
    filterNote: 'headers exchange, each binding x-match=all on kind=bench (messages carry headers kind and seq); unfiltered: fanout exchange',
    async setup(): Promise<void> {
      cluster = await startRabbitCluster({ prefix: options.prefix, nodes: NODES, amqpBasePort: options.amqpBasePort, epmdPort: options.epmdPort, dataRoot: options.dataRoot });
      admin = await open(url(), 'admin');
      const a = admin;
      adminChannels = await Promise.all(Array.from({ length: ADMIN_CHANNELS }, () => a.model.createChannel()));
      for (const ch of adminChannels) ch.on('error', () => undefined);
      consumerConn = await open(url(), 'consumer');
      // Check once that a quorum queue really gets a member on every node.
      const probe = `bench-probe-${Date.now()}`;
      const ch = adminChannels[0] as Channel;
      await ch.assertQueue(probe, quorum);
      const r = await cluster.ctl(0, ['quorum_status', probe, '--formatter', 'json'], 'rabbitmq-queues');
      await ch.deleteQueue(probe);
      if (r.code !== 0) throw new Error(`${name}: rabbitmq-queues quorum_status failed: ${(r.stdout + r.stderr).slice(-1000)}`);
      const members = (JSON.parse(r.stdout) as unknown[]).length;
      if (members !== NODES) throw new Error(`${name}: quorum queue has ${members} member(s), expected ${NODES}`);
    },
    async createTopic(spec: TopicSpec): Promise<void> {
      const ch = channels()[0] as Channel;
      filtered = spec.filtered;
      await ch.assertExchange(spec.name, spec.filtered ? 'headers' : 'fanout', { durable: true, autoDelete: false });
      exchange = spec.name;
      queues = Array.from({ length: spec.subscribers }, (_, i) => `${spec.name}.q${i}`);
      const bindArgs = spec.filtered ? { 'x-match': 'all', [FILTER_KEY]: FILTER_VALUE } : {};
      await eachQueue(async (c, q) => {
        await c.assertQueue(q, quorum);
        await c.bindQueue(q, spec.name, '', bindArgs);
      });
    },
    async publish(workerIndex: number, messages: readonly TopicMessage[]): Promise<number> {
      const p = await publisher(workerIndex);
      const err = p.failed;
      if (err) throw err;
      const ex = exchange;
      if (ex === undefined) throw new Error(`${name}: publish before createTopic`);
      await Promise.all(
        messages.map(
          (m) =>
            new Promise<void>((resolve, reject) => {
              const headers = filtered ? { [FILTER_KEY]: filterValueOf(m), [EXTRA_KEY]: m.seq } : undefined;
              p.channel.publish(ex, '', m.body, { persistent: true, ...(headers ? { headers } : {}) }, (e: unknown) =>
                e ? reject(e instanceof Error ? e : new Error(`${name}: publish nacked`)) : resolve(),
              );
            }),
        ),
      );
      return messages.length;
    },
    async consume(handler: DeliveryHandler): Promise<void> {
      const conn = consumerConn;
      if (!conn) throw new Error(`${name}: consume before setup`);
      await closeConsumers();
      consumers = await mapLimit(queues, ADMIN_CHANNELS, async (q, i) => {
        const ch = await conn.model.createChannel();
        ch.on('error', (e: Error) => process.stderr.write(`${name}: WARNING: consumer channel of ${q}: ${e.message}\n`));
        await ch.prefetch(PREFETCH);
        await ch.consume(
          q,
          (msg) => {
            if (msg === null) {
              process.stderr.write(`${name}: WARNING: consumer of ${q} cancelled by the broker\n`);
              return;
            }
            handler(i, msg.content);
            ch.ack(msg);
          },
          { noAck: false },
        );
        return ch;
      });
    },
    async stopConsuming(): Promise<void> {
      await closeConsumers();
    },
    async backlog(): Promise<number[]> {
      return eachQueue(async (c, q) => (await c.checkQueue(q)).messageCount);
    },
    async deleteTopic(): Promise<void> {
      await closeConsumers();
      if (queues.length > 0) await eachQueue((c, q) => c.deleteQueue(q));
      queues = [];
      if (exchange !== undefined) await (channels()[0] as Channel).deleteExchange(exchange);
      exchange = undefined;
    },
    async teardown(): Promise<void> {
      consumers = [];
      const all = await Promise.allSettled([...connections.values()]);
      publishers.clear();
      connections.clear();
      const conns = [...all.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])), ...(admin ? [admin] : []), ...(consumerConn ? [consumerConn] : [])];
      admin = undefined;
      consumerConn = undefined;
      adminChannels = [];
      await Promise.all(conns.map((c) => Promise.race([c.model.close().catch(() => undefined), sleep(2000)])));
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
