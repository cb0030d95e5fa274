// Runs the event source mappings of this scheduler. Every couple of seconds it reads the
// mappings from the catalog and starts a runner for each enabled one it runs, stops the runners
// of deleted or disabled ones, and restarts a runner whose mapping changed. Position survives
// all of it: SQS keeps messages until deleted, and a stream mapping's checkpoints live in the
// shards. With several schedulers a queue mapping belongs to one (rendezvous hashing of its
// UUID); a stream mapping runs everywhere and its shard leases give each shard one worker.
import { randomUUID } from 'node:crypto';
import { type KinesisBackend } from '../../gateway/kinesis/backend.js';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { type MappingDoc, listMappings, setProcessingResult } from '../../gateway/lambda/mappings.js';
import { Metric } from '../../telemetry/metric-names.js';
import { type MetricsRegistry } from '../../telemetry/metrics.js';
import { sleep } from '../../sleep.js';
import { KinesisMappingRunner } from './kinesis-poller.js';
import { type MappingRunner, SqsMappingRunner } from './sqs-poller.js';

export interface EventSourceMappingsOptions {
  /** Whether this scheduler runs a queue mapping (always true with one scheduler). */
  owns: (uuid: string) => boolean;
  /** Sends a discarded stream batch's record to an on-failure destination (an SQS queue ARN). */
  deliver: (arn: string, body: string) => Promise<void>;
  metrics?: MetricsRegistry;
  log: (line: string) => void;
  /** How often the catalog is read for changes; default 2 s. */
  refreshMs?: number;
}

interface Running {
  rev: number;
  runner: MappingRunner;
}

export class EventSourceMappings {
  private readonly abort = new AbortController();
  private readonly running = new Map<string, Running>();
  private readonly reported = new Map<string, string>();
  private loop: Promise<void> | undefined;
  /** Lease owner name of this process: unique per start, so a restarted scheduler waits out its old leases' TTL at most. */
  readonly owner = `sched-${randomUUID()}`;

  constructor(
    private readonly lambda: LambdaBackend,
    private readonly kinesis: KinesisBackend | undefined,
    private readonly o: EventSourceMappingsOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** The runner of a mapping, if it runs here (tests look at scaling and shards through it). */
  runner(uuid: string): MappingRunner | undefined {
    return this.running.get(uuid)?.runner;
  }

  /**
   * Stops every runner. A catalog read in flight is not waited for beyond half a second: its
   * cluster calls may be retrying against servers already shut down (a node stopping at start).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 500).unref())]);
    await Promise.all([...this.running.values()].map((r) => r.runner.stop()));
    this.running.clear();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        await this.reconcile();
      } catch (err) {
        if (!this.abort.signal.aborted) this.o.log(`scheduler: event source mappings: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(this.o.refreshMs ?? 2000, this.abort.signal);
    }
  }

  async reconcile(): Promise<void> {
    const want = new Map<string, { rev: number; doc: MappingDoc }>();
    for (const m of await listMappings(this.lambda)) {
      // A stream mapping runs on every scheduler: its shard leases pick one worker per shard, so
      // the shards of a scheduler that died move to another when their leases expire. A queue
      // mapping runs on its owner only, so its scaling limits hold.
      const mine = m.doc.source === 'kinesis' ? this.kinesis !== undefined : this.o.owns(m.doc.uuid);
      if (m.doc.enabled && mine) want.set(m.doc.uuid, m);
    }
    for (const [uuid, r] of this.running) {
      const w = want.get(uuid);
      if (w && w.rev === r.rev) continue;
      this.running.delete(uuid);
      await r.runner.stop();
    }
    for (const [uuid, m] of want) {
      // A reconcile that outlived stop() must not start runners nobody will stop.
      if (this.running.has(uuid) || this.abort.signal.aborted) continue;
      this.running.set(uuid, { rev: m.rev, runner: this.create(m.doc) });
    }
  }

  private create(m: MappingDoc): MappingRunner {
    const report = (result: string): void => {
      if (this.reported.get(m.uuid) === result) return;
      this.reported.set(m.uuid, result);
      setProcessingResult(this.lambda, m.uuid, result).catch((err: unknown) => {
        this.reported.delete(m.uuid);
        this.o.log(`scheduler: mapping ${m.uuid}: recording its result failed (${err instanceof Error ? err.message : String(err)})`);
      });
    };
    if (m.source === 'sqs') return new SqsMappingRunner(this.lambda, m, report, this.o.log);
    const age = this.o.metrics?.histogram(Metric.IteratorAge);
    return new KinesisMappingRunner(
      {
        lambda: this.lambda,
        kinesis: this.kinesis!,
        owner: this.owner,
        report,
        deliver: this.o.deliver,
        ...(age ? { iteratorAge: (ms: number) => age.observe({ function: m.functionName }, ms) } : {}),
        log: this.o.log,
      },
      m,
    );
  }
}
