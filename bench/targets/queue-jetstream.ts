// NATS JetStream as a queue under test: a work-queue stream (retention workqueue: a message is
// removed once acked), file storage, 1 or 3 replicas, and one durable pull consumer with explicit
// acks shared by every consumer worker (like SQS consumers sharing a queue).
//
// Producer op: N JetStream publishes issued together, each awaiting its PubAck (the stream
// leader answers once the message is stored, and for R3 once a quorum has it; 2.9 does not fsync
// per message, so this is page-cache durability).
// Consumer op: one pull request (fetch) for up to N messages, then ackAck on every message
// received, awaited together. Why ackAck and not ack: a plain ack is fire-and-forget, while
// DeleteMessage(Batch) returns once the delete is done; ackAck makes the server reply after it
// has processed the ack, so the op's latency includes the delete like SQS's does. (Neither kind
// of ack is fsynced in 2.9.)
//
// By default all workers share one connection (bench/sqs.ts --peer-connections): the NATS
// client's idiom (it multiplexes requests and coalesces writes), and on this host faster than a
// connection per worker. It goes to the server leading the stream: the best case, as in the
// RabbitMQ and etcd peers. (In R3 the consumer's leader may sit on another server; its traffic
// then crosses a route, as it would for any client.)
import { AckPolicy, type Consumer, connect, type JetStreamClient, type JetStreamManager, type NatsConnection, nanos, RetentionPolicy, StorageType } from 'nats';
import type { QueueTarget, QueueTargetOptions } from '../lib/queue-target.js';
import { sleep } from '../lib/proc.js';
import { type NatsCluster, startNatsCluster } from '../peers/nats.js';

export interface JetStreamTargetOptions extends QueueTargetOptions {
  name: string;
  replicas: number;
  prefix: string;
  clientBasePort: number;
  clusterBasePort: number;
  /** NATS connections shared round-robin by the workers; 0 (default): one per worker. */
  connections?: number;
}

interface Worker {
  nc: NatsConnection;
  js: JetStreamClient;
  /** The pull consumer of the current stream, looked up once per stream. */
  consumer: Promise<Consumer> | undefined;
}

const DURABLE = 'workers';
// Smallest pull expiry the client allows; with a prefilled stream a fetch returns long before it.
const FETCH_EXPIRES_MS = 1000;

export function jetStreamTarget(options: JetStreamTargetOptions): QueueTarget {
  let cluster: NatsCluster | undefined;
  let admin: NatsConnection | undefined;
  let jsm: JetStreamManager | undefined;
  let stream: string | undefined;
  let leaderUrl: string | undefined;
  const connections = new Map<number, Promise<NatsConnection>>();
  const workers = new Map<number, Promise<Worker>>();
  const pool = options.connections ?? 0;

  const worker = (index: number): Promise<Worker> => {
    let w = workers.get(index);
    if (!w) {
      const servers = leaderUrl;
      if (!servers) return Promise.reject(new Error(`${options.name}: used before createQueue`));
      const slot = pool > 0 ? index % pool : index;
      let nc = connections.get(slot);
      if (!nc) {
        nc = connect({ servers, name: `bench-c${slot}` });
        connections.set(slot, nc);
      }
      w = nc.then((c) => ({ nc: c, js: c.jetstream(), consumer: undefined }));
      workers.set(index, w);
    }
    return w;
  };

  const closeWorkers = async (): Promise<void> => {
    const all = await Promise.allSettled([...connections.values()]);
    workers.clear();
    connections.clear();
    await Promise.all(all.map((r) => (r.status === 'fulfilled' ? Promise.race([r.value.close().catch(() => undefined), sleep(2000)]) : undefined)));
  };

  const addStream = async (name: string): Promise<void> => {
    if (!jsm) throw new Error(`${options.name}: createQueue before setup`);
    await jsm.streams.add({
      name,
      subjects: [`${name}.msgs`],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      num_replicas: options.replicas,
    });
    await jsm.consumers.add(name, {
      durable_name: DURABLE,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      // Room for every worker's in-flight batch at any --concurrency: when the server's default
      // cap on unacked messages is reached, pulls stall, which would measure the cap, not the server.
      max_ack_pending: 100_000,
    });
  };

  return {
    name: options.name,
    describe:
      `NATS JetStream ${options.replicas === 1 ? 'single server' : `${options.replicas}-server cluster`}, work-queue stream (R${options.replicas}, file store, ` +
      'no per-message fsync in 2.9), publish awaiting PubAck, durable pull consumer, fetch up to N + ackAck each',
    async setup(): Promise<void> {
      cluster = await startNatsCluster({ prefix: options.prefix, nodes: options.replicas, clientBasePort: options.clientBasePort, clusterBasePort: options.clusterBasePort, dataRoot: options.dataRoot });
      admin = await connect({ servers: cluster.urls, name: 'bench-admin' });
      // A fresh cluster needs a JetStream meta leader before it answers the API or accepts
      // streams; retry until then.
      const deadline = Date.now() + 30_000;
      const probe = `benchprobe${Date.now()}`;
      for (;;) {
        try {
          jsm ??= await admin.jetstreamManager();
          await addStream(probe);
          break;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`${options.name}: JetStream not ready after 30 s: ${err instanceof Error ? err.message : String(err)}`);
          await sleep(250);
        }
      }
      await jsm.streams.delete(probe);
    },
    async createQueue(name: string): Promise<void> {
      if (!jsm || !cluster) throw new Error(`${options.name}: createQueue before setup`);
      await addStream(name);
      stream = name;
      const info = await jsm.streams.info(name);
      const leader = info.cluster?.leader;
      const index = leader === undefined ? 0 : cluster.serverNames.indexOf(leader);
      const url = cluster.urls[index < 0 ? 0 : index] as string;
      if (url !== leaderUrl) {
        // Worker connections follow the stream's leader, which can differ from stream to stream.
        await closeWorkers();
        leaderUrl = url;
      }
      for (const w of workers.values()) (await w).consumer = undefined;
    },
    async send(workerIndex: number, bodies: readonly Buffer[]): Promise<number> {
      const w = await worker(workerIndex);
      const subject = `${stream}.msgs`;
      await Promise.all(bodies.map((b) => w.js.publish(subject, b)));
      return bodies.length;
    },
    async receiveAndDelete(workerIndex: number, max: number): Promise<number> {
      const w = await worker(workerIndex);
      if (!stream) throw new Error(`${options.name}: receive before createQueue`);
      w.consumer ??= w.js.consumers.get(stream, DURABLE);
      const consumer = await w.consumer;
      const messages = await consumer.fetch({ max_messages: max, expires: FETCH_EXPIRES_MS });
      const got = [];
      for await (const m of messages) got.push(m);
      const acked = await Promise.all(got.map((m) => m.ackAck()));
      if (acked.some((ok) => !ok)) throw new Error(`${options.name}: ackAck not confirmed`);
      return got.length;
    },
    async endPhase(): Promise<void> {
      // Nothing held client-side: pull requests end with the op, unacked messages are none.
    },
    async deleteQueue(): Promise<void> {
      if (jsm && stream) await jsm.streams.delete(stream);
      stream = undefined;
    },
    async teardown(): Promise<void> {
      await closeWorkers();
      if (admin) await Promise.race([admin.close().catch(() => undefined), sleep(2000)]);
      admin = undefined;
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
