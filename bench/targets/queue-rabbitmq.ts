// RabbitMQ as a queue under test: a quorum queue (Raft-replicated on every cluster member, WAL
// fsynced before publisher confirms are sent), publisher confirms, manual acks with prefetch.
//
// Producer op: publish the N bodies on the worker's ConfirmChannel and await all N confirms.
// Consumer op: each worker owns a channel with a basic.consume subscription and prefetch = N
// (the op's "receive up to N"); the op waits until N deliveries are buffered (or 1 s passed,
// then takes what there is), takes them and acks them with one multiple-ack. Waiting for N
// matches the pull peers: a JetStream fetch of N and an SQS receive of N return N when the
// backlog has them, and the benchmark keeps a backlog.
// Why a subscription and not basic.get: basic.get fetches one message per round trip, so a
// batch of 10 would cost 10 round trips; nobody consumes RabbitMQ that way. Prefetch = N keeps
// the broker from pushing more than the op asked for, so like ReceiveMessage(max N) a consumer
// never holds more than N messages, and the next op's deliveries only start once the broker has
// processed the previous ack. The ack itself has no reply in AMQP 0-9-1 (fire-and-forget), so
// a consumer op is one broker round trip where SQS's receive+delete is two.
//
// Every worker has its own channels; by default all share one AMQP connection (bench/sqs.ts
// --peer-connections): AMQP's idiom, a connection per process and a channel per thread, and on
// this host faster than a connection per worker at every concurrency tried (16, 64).
// Connections go to node 1, where the queue's leader lives (declared there, client-local
// placement): the best case for RabbitMQ, as the etcd log benchmark talks to etcd's leader.
import { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, connect } from 'amqplib';
import type { QueueTarget, QueueTargetOptions } from '../lib/queue-target.js';
import { sleep } from '../lib/proc.js';
import { type RabbitCluster, startRabbitCluster } from '../peers/rabbitmq.js';

export interface RabbitTargetOptions extends QueueTargetOptions {
  name: string;
  nodes: number;
  prefix: string;
  amqpBasePort: number;
  epmdPort: number;
  /** AMQP connections shared round-robin by the workers; 0 (default): one per worker. */
  connections?: number;
}

/** A consumer subscription with a local buffer of deliveries not yet taken by an op. */
interface Consumer {
  channel: Channel;
  /** The prefetch it was opened with (the N of the ops it serves). */
  max: number;
  buffer: ConsumeMessage[];
  /** Called on every delivery (and on failure): lets a waiting op check whether it has N yet. */
  wake: (() => void) | undefined;
  failed: Error | undefined;
}

interface Connection {
  model: ChannelModel;
  failed: Error | undefined;
}

interface Worker {
  conn: Connection;
  publisher: ConfirmChannel;
  consumer: Consumer | undefined;
  failed: Error | undefined;
}

// A receive short of N waits at most this long before it returns what it has, like WaitTimeSeconds 1.
const RECEIVE_WAIT_MS = 1000;

export function rabbitTarget(options: RabbitTargetOptions): QueueTarget {
  let cluster: RabbitCluster | undefined;
  let admin: { model: ChannelModel; channel: Channel } | undefined;
  const connections = new Map<number, Promise<Connection>>();
  const workers = new Map<number, Promise<Worker>>();
  let queue: string | undefined;
  const pool = options.connections ?? 0;

  const url = (): string => {
    if (!cluster) throw new Error(`${options.name}: used before setup`);
    return cluster.urls[0] as string;
  };

  const connection = (workerIndex: number): Promise<Connection> => {
    const slot = pool > 0 ? workerIndex % pool : workerIndex;
    let c = connections.get(slot);
    if (!c) {
      c = connect(url()).then((model) => {
        const conn: Connection = { model, failed: undefined };
        // Without 'error' listeners a broker-side close would crash the process instead of failing the op.
        model.on('error', (err: Error) => {
          conn.failed ??= err;
        });
        model.on('close', () => {
          conn.failed ??= new Error(`${options.name}: AMQP connection closed`);
        });
        return conn;
      });
      connections.set(slot, c);
    }
    return c;
  };
  const worker = (index: number): Promise<Worker> => {
    let w = workers.get(index);
    if (!w) {
      w = connection(index).then(async (conn) => {
        const wk: Worker = { conn, publisher: await conn.model.createConfirmChannel(), consumer: undefined, failed: undefined };
        wk.publisher.on('error', (err: Error) => {
          wk.failed ??= err;
        });
        return wk;
      });
      workers.set(index, w);
    }
    return w;
  };
  const check = (w: Worker): void => {
    const err = w.failed ?? w.conn.failed;
    if (err) throw err;
  };

  const subscribe = async (w: Worker, max: number): Promise<Consumer> => {
    if (!queue) throw new Error(`${options.name}: receive before createQueue`);
    const channel = await w.conn.model.createChannel();
    const c: Consumer = { channel, max, buffer: [], wake: undefined, failed: undefined };
    channel.on('error', (err: Error) => {
      c.failed ??= err;
      c.wake?.();
    });
    await channel.prefetch(max);
    await channel.consume(
      queue,
      (msg) => {
        if (msg === null) {
          c.failed ??= new Error(`${options.name}: consumer cancelled by the broker`);
        } else {
          c.buffer.push(msg);
        }
        c.wake?.();
      },
      { noAck: false },
    );
    return c;
  };

  const closeConsumers = async (): Promise<void> => {
    const all = await Promise.all([...workers.values()]);
    await Promise.all(
      all.map(async (w) => {
        const c = w.consumer;
        w.consumer = undefined;
        // Closing the channel returns its unacked (buffered) deliveries to the queue.
        if (c) await c.channel.close().catch(() => undefined);
      }),
    );
  };

  return {
    name: options.name,
    describe:
      `RabbitMQ ${options.nodes === 1 ? 'single node' : `${options.nodes}-node cluster`}, quorum queue (${options.nodes} replica${options.nodes === 1 ? '' : 's'}; ` +
      'WAL fsynced before confirm), publisher confirms, consumer with prefetch = N and manual multiple-ack (acks are not confirmed by AMQP)',
    async setup(): Promise<void> {
      cluster = await startRabbitCluster({ prefix: options.prefix, nodes: options.nodes, amqpBasePort: options.amqpBasePort, epmdPort: options.epmdPort, dataRoot: options.dataRoot });
      const model = await connect(url());
      model.on('error', () => undefined);
      admin = { model, channel: await model.createChannel() };
      if (options.nodes > 1) {
        // Check once that a quorum queue really gets a member on every node.
        const probe = `bench-probe-${Date.now()}`;
        await admin.channel.assertQueue(probe, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': options.nodes } });
        const r = await cluster.ctl(0, ['quorum_status', probe, '--formatter', 'json'], 'rabbitmq-queues');
        await admin.channel.deleteQueue(probe);
        if (r.code !== 0) throw new Error(`${options.name}: rabbitmq-queues quorum_status failed: ${(r.stdout + r.stderr).slice(-1000)}`);
        const members = (JSON.parse(r.stdout) as unknown[]).length;
        if (members !== options.nodes) throw new Error(`${options.name}: quorum queue has ${members} member(s), expected ${options.nodes}`);
      }
    },
    async createQueue(name: string): Promise<void> {
      if (!admin) throw new Error(`${options.name}: createQueue before setup`);
      await admin.channel.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': options.nodes } });
      queue = name;
    },
    async send(workerIndex: number, bodies: readonly Buffer[]): Promise<number> {
      const w = await worker(workerIndex);
      check(w);
      if (!queue) throw new Error(`${options.name}: send before createQueue`);
      const q = queue;
      await Promise.all(
        bodies.map(
          (body) =>
            new Promise<void>((resolve, reject) => {
              // Default exchange, routing key = queue name: straight into the queue.
              w.publisher.publish('', q, body, { persistent: true }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(`${options.name}: publish nacked`)) : resolve()));
            }),
        ),
      );
      return bodies.length;
    },
    async receiveAndDelete(workerIndex: number, max: number): Promise<number> {
      const w = await worker(workerIndex);
      check(w);
      if (!w.consumer || w.consumer.max !== max) {
        if (w.consumer) await w.consumer.channel.close().catch(() => undefined);
        w.consumer = await subscribe(w, max);
      }
      const c = w.consumer;
      if (c.buffer.length < max && !c.failed) {
        // Wait for a full batch (the broker sends N once the previous ack is in, when the queue
        // has them) or give up after the wait and take what there is.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            c.wake = undefined;
            resolve();
          }, RECEIVE_WAIT_MS);
          c.wake = () => {
            if (c.buffer.length < max && !c.failed) return;
            clearTimeout(timer);
            c.wake = undefined;
            resolve();
          };
        });
      }
      if (c.failed) throw c.failed;
      const taken = c.buffer.splice(0, max);
      const last = taken[taken.length - 1];
      // Deliveries on a channel are ordered and every earlier one was already acked, so one
      // multiple-ack of the last acks exactly the ones taken.
      if (last) c.channel.ack(last, true);
      return taken.length;
    },
    async endPhase(): Promise<void> {
      await closeConsumers();
    },
    async deleteQueue(): Promise<void> {
      await closeConsumers();
      if (admin && queue) await admin.channel.deleteQueue(queue);
      queue = undefined;
    },
    async teardown(): Promise<void> {
      const all = await Promise.allSettled([...connections.values()]);
      workers.clear();
      connections.clear();
      for (const r of all) if (r.status === 'fulfilled') await Promise.race([r.value.model.close().catch(() => undefined), sleep(2000)]);
      if (admin) await Promise.race([admin.model.close().catch(() => undefined), sleep(2000)]);
      admin = undefined;
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
