// What bench/sqs.ts drives: one queueing system under test (its servers plus a client).
//
// Lifecycle, per run: the runner calls a factory, setup() once (servers up, client connected),
// then for every cell createQueue() → send()/receiveAndDelete() many times concurrently →
// deleteQueue(), and finally teardown(). A fresh target object (and fresh servers) per run.
//
// Worker indices are stable per closed-loop worker, so a target can give each worker its own
// connection/channel state; the same index is used for sends and receives of one phase.

export interface QueueTarget {
  /** Label used in the table ("rabbitmq-3", "stratus-embedded", ...). */
  readonly name: string;
  /** One line on how the target is configured (durability, replication), for the report. */
  readonly describe: string;
  /** Starts the servers and connects; resolves when a queue can be created and used. */
  setup(): Promise<void>;
  /** Creates a fresh, empty queue that later send/receive calls use. */
  createQueue(name: string): Promise<void>;
  /**
   * Enqueues the bodies as ONE operation (a single message, or one batch of up to 10) and
   * resolves, once the system has acknowledged every one of them, to the number acknowledged.
   */
  send(workerIndex: number, bodies: readonly Buffer[]): Promise<number>;
  /**
   * Receives up to `max` messages as ONE operation and deletes/acknowledges every message it got;
   * resolves to the number of messages received and deleted (0 if none arrived in time).
   */
  receiveAndDelete(workerIndex: number, max: number): Promise<number>;
  /** Releases per-worker consumer state (so undelivered prefetched messages return to the queue). */
  endPhase(): Promise<void>;
  /** Deletes the current queue and everything in it. */
  deleteQueue(): Promise<void>;
  /** Disconnects and stops every process it started, removing its data. Safe after a failed setup(). */
  teardown(): Promise<void>;
}

export interface QueueTargetOptions {
  /** Parent directory for data dirs (the fsync floor is measured on the same filesystem). */
  dataRoot: string;
  /** Largest closed-loop worker count in this run (connection pools are sized to it). */
  maxConcurrency: number;
}

export type QueueTargetFactory = (options: QueueTargetOptions) => QueueTarget;
