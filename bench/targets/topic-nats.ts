// NATS core pub/sub as a fan-out target: a 3-server cluster without JetStream, N subscriptions
// on the topic's subject. Nothing is stored: a message reaches the subscriptions that exist when
// the server routes it, and a subscriber that falls behind (the server's per-connection pending
// limit) is cut off as a slow consumer, its messages lost; the benchmark counts what arrives.
//
// Publisher op: publish the N messages on the worker's connection, then flush() (PING/PONG):
// it resolves once the server has processed every publish, i.e. routed it to every local
// subscription and to the routes of the other servers. Core NATS has no publish ack; this is the
// closest thing, and without it a closed loop would only measure the client's write buffer.
// Publishers share --peer-connections connections to server 1 (NATS's idiom: one connection per
// process, multiplexed). Subscriber i lives on subscriber connection i % 3, one connection per
// server, so deliveries to two thirds of the subscribers cross a route.
//
// Filtered: messages go to `<topic>.kind.bench` and the subscriptions are on that subject:
// NATS filters by subject (the server's subject match), not by headers. Filtered messages still
// carry the headers kind=bench and seq=N, so their size matches the other targets'.
import { connect, headers, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import { sleep } from '../lib/proc.js';
import { EXTRA_KEY, FILTER_KEY, FILTER_VALUE, filterValueOf, type DeliveryHandler, type TopicMessage, type TopicSpec, type TopicTarget, type TopicTargetOptions } from '../lib/topic-target.js';
import { type NatsCluster, natsServerVersion, startNatsCluster } from '../peers/nats.js';

export interface NatsTopicTargetOptions extends TopicTargetOptions {
  prefix: string;
  clientBasePort: number;
  clusterBasePort: number;
}

const NODES = 3;

export function natsTopicTarget(options: NatsTopicTargetOptions): TopicTarget {
  const name = 'nats';
  let cluster: NatsCluster | undefined;
  const publishers = new Map<number, Promise<NatsConnection>>();
  let subscriberConns: NatsConnection[] = [];
  let subs: Subscription[] = [];
  let topicName = '';
  let subject = '';
  let filtered = false;
  let handler: DeliveryHandler | undefined;
  let counts: number[] = [];
  let failure: Error | undefined;
  let stopping = false;

  const publisher = (workerIndex: number): Promise<NatsConnection> => {
    if (!cluster) return Promise.reject(new Error(`${name}: publish before setup`));
    const slot = options.peerConnections > 0 ? workerIndex % options.peerConnections : workerIndex;
    let nc = publishers.get(slot);
    if (!nc) {
      nc = connect({ servers: cluster.urls[0], name: `bench-pub${slot}` });
      publishers.set(slot, nc);
    }
    return nc;
  };

  const unsubscribeAll = async (): Promise<void> => {
    for (const s of subs) s.unsubscribe();
    subs = [];
    await Promise.all(subscriberConns.map((nc) => nc.flush().catch(() => undefined)));
  };

  const hdrsFor = (m: TopicMessage): MsgHdrs | undefined => {
    if (!filtered) return undefined;
    const h = headers();
    h.set(FILTER_KEY, filterValueOf(m));
    h.set(EXTRA_KEY, String(m.seq));
    return h;
  };

  return {
    name,
    describe: `NATS core pub/sub (nats-server ${natsServerVersion()}), ${NODES}-server cluster, JetStream off: no storage, at-most-once; publish + flush() round trip per op; subscribers spread over the 3 servers`,
    filterNote: 'subject-based: publishes go to `<topic>.kind.bench` and subscribers subscribe to that subject (headers kind/seq are carried but not evaluated)',
    async setup(): Promise<void> {
      cluster = await startNatsCluster({ prefix: options.prefix, nodes: NODES, clientBasePort: options.clientBasePort, clusterBasePort: options.clusterBasePort, dataRoot: options.dataRoot, jetstream: false });
      const urls = cluster.urls;
      subscriberConns = await Promise.all(urls.map((url, i) => connect({ servers: url, name: `bench-sub${i}` })));
      for (const [i, nc] of subscriberConns.entries()) {
        // A slow-consumer cut-off or disconnect loses messages: say so; the runner counts the losses.
        void (async () => {
          for await (const s of nc.status()) {
            if ((s.type === 'error' || s.type === 'disconnect') && !stopping) process.stderr.write(`${name}: WARNING: subscriber connection ${i}: ${s.type}: ${String(s.data)} (deliveries may be lost)\n`);
          }
        })().catch(() => undefined);
      }
    },
    async createTopic(spec: TopicSpec): Promise<void> {
      if (!cluster) throw new Error(`${name}: createTopic before setup`);
      await unsubscribeAll();
      filtered = spec.filtered;
      topicName = spec.name;
      subject = spec.filtered ? `${spec.name}.${FILTER_KEY}.${FILTER_VALUE}` : spec.name;
      counts = new Array<number>(spec.subscribers).fill(0);
      failure = undefined;
      for (let i = 0; i < spec.subscribers; i++) {
        const nc = subscriberConns[i % subscriberConns.length] as NatsConnection;
        subs.push(
          nc.subscribe(subject, {
            callback: (err, msg) => {
              if (err) {
                failure ??= err;
                return;
              }
              if (handler) handler(i, Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength));
              else counts[i] = (counts[i] ?? 0) + 1;
            },
          }),
        );
      }
      // The subscriptions are sent; interest reaches the other servers over the routes a moment
      // later (the runner's probe publishes until every subscriber has one).
      await Promise.all(subscriberConns.map((nc) => nc.flush()));
    },
    async publish(workerIndex: number, messages: readonly TopicMessage[]): Promise<number> {
      const nc = await publisher(workerIndex);
      for (const m of messages) {
        const h = hdrsFor(m);
        nc.publish(filtered ? `${topicName}.${FILTER_KEY}.${filterValueOf(m)}` : subject, m.body, h ? { headers: h } : undefined);
      }
      await nc.flush();
      return messages.length;
    },
    async consume(h: DeliveryHandler): Promise<void> {
      handler = h;
    },
    async stopConsuming(): Promise<void> {
      handler = undefined;
      counts = counts.map(() => 0);
    },
    async backlog(): Promise<number[]> {
      if (failure) throw failure;
      return [...counts];
    },
    async deleteTopic(): Promise<void> {
      handler = undefined;
      await unsubscribeAll();
    },
    async teardown(): Promise<void> {
      stopping = true;
      handler = undefined;
      subs = [];
      const pubs = await Promise.allSettled([...publishers.values()]);
      publishers.clear();
      const all = [...pubs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])), ...subscriberConns];
      subscriberConns = [];
      await Promise.all(all.map((nc) => Promise.race([nc.close().catch(() => undefined), sleep(2000)])));
      await cluster?.stop();
      cluster = undefined;
    },
  };
}
