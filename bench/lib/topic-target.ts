// What bench/topics.ts drives: one publish/subscribe system under test (a 3-node cluster plus a
// client) doing SNS-style fan-out: one topic, N subscribers, every publish delivered to each.
//
// Lifecycle, per run: factory → setup() once → for every cell: createTopic() (topic + N
// subscriber endpoints, all ready to receive) → consume(handler) … stopConsuming() (the latency
// phase) → publish() many times concurrently (the throughput phase) → backlog() until every
// delivery is accounted for → deleteTopic(); finally teardown(). A fresh target object per run.
//
// Worker indices are stable per closed-loop publisher, so a target may give each its own channel.

/** The attributes every message carries in filtered cells (SNS MessageAttributes, AMQP headers, NATS headers). */
export const FILTER_KEY = 'kind';
export const FILTER_VALUE = 'bench';
/** The second attribute of filtered cells: not in the filter, but there to be skipped by it. */
export const EXTRA_KEY = 'seq';
/** FILTER_KEY's value on the few messages of filtered cells that must NOT be delivered. */
export const NON_MATCHING_VALUE = 'other';

export interface TopicSpec {
  /** Unique per cell; safe as an SNS topic / SQS queue name, an AMQP name and a NATS subject token. */
  name: string;
  subscribers: number;
  /**
   * Each subscription filters on FILTER_KEY = FILTER_VALUE and every message matches (so all
   * are delivered, but the filter is evaluated); messages carry FILTER_KEY and EXTRA_KEY.
   */
  filtered: boolean;
}

export interface TopicMessage {
  /** Printable ASCII; the subscriber gets exactly these bytes. */
  body: Buffer;
  /** Sequence number of the publish (the value of EXTRA_KEY in filtered cells). */
  seq: number;
  /** Filtered cells only: false sends FILTER_KEY = NON_MATCHING_VALUE, which no subscriber may get. */
  match?: boolean;
}

/** The FILTER_KEY value a message carries in a filtered cell. */
export const filterValueOf = (m: TopicMessage): string => (m.match === false ? NON_MATCHING_VALUE : FILTER_VALUE);

/** Called once per delivery: subscriber index (0..N-1) and the body as published. */
export type DeliveryHandler = (subscriber: number, body: Buffer) => void;

export interface TopicTarget {
  /** Label used in the table ("stratus", "nats", "rabbitmq"). */
  readonly name: string;
  /** One line on how the target is configured (durability, replication, acks), for the report. */
  readonly describe: string;
  /** How "filtered" is implemented on this target, for the report. */
  readonly filterNote: string;
  /** Starts the servers and connects; resolves when topics can be created and used. */
  setup(): Promise<void>;
  /** Creates the topic and its N subscribers; deliveries start accumulating for each at once. */
  createTopic(spec: TopicSpec): Promise<void>;
  /**
   * Publishes the messages as ONE operation (one message, or a batch of up to 10) and resolves,
   * once the system has acknowledged every one of them, to the number acknowledged.
   */
  publish(workerIndex: number, messages: readonly TopicMessage[]): Promise<number>;
  /** Starts consumers on every subscriber; each delivery is handed to `handler` and then deleted/acked. */
  consume(handler: DeliveryHandler): Promise<void>;
  /** Stops the consumers; from then on deliveries accumulate (see backlog()). */
  stopConsuming(): Promise<void>;
  /**
   * Per subscriber, deliveries that reached it since consumers last stopped (queue depth for
   * durable queues, counted callbacks for NATS core); resolves once every count is known.
   */
  backlog(): Promise<number[]>;
  /** Deletes the topic, its subscriptions and subscriber queues. */
  deleteTopic(): Promise<void>;
  /** Disconnects and stops every process it started, removing its data. Safe after a failed setup(). */
  teardown(): Promise<void>;
}

export interface TopicTargetOptions {
  /** Parent directory for data dirs. */
  dataRoot: string;
  /** Largest number of closed-loop publishers in this run. */
  maxConcurrency: number;
  /** Largest number of subscribers of any cell in this run (connection pools are sized to it). */
  maxSubscribers: number;
  /** Connections the publishers share round-robin (NATS/AMQP); 0: one per publisher. */
  peerConnections: number;
}

export type TopicTargetFactory = (options: TopicTargetOptions) => TopicTarget;

/** Runs `f` over `items` with at most `limit` in flight (setting up N queues/subscriptions). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return out;
}
