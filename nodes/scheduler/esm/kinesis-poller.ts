// A Kinesis event source mapping: one ShardWorker per shard this scheduler holds the lease of.
// Every second it looks for shards to take: open or unfinished ones whose parents are finished
// (a split's or merge's children start only after their parents' last records were processed,
// so records of one partition key stay in order across resharding), whose lease is free.
import { type ShardRecord, type StreamRecord } from '../../../storage/partitions/meta-codec.js';
import { type ShardState } from '../../../storage/partitions/stream-codec.js';
import { visibleShards } from '../../gateway/kinesis/describe.js';
import { type MappingDoc } from '../../gateway/lambda/mappings.js';
import { parseFilterCriteria } from '../event-filter.js';
import { sleep } from '../../sleep.js';
import { type MappingRunner } from './sqs-poller.js';
import { ShardWorker, type ShardWorkerDeps, leaseName } from './shard-worker.js';

const DISCOVER_EVERY_MS = 1000;

export class KinesisMappingRunner implements MappingRunner {
  private readonly abort = new AbortController();
  private readonly workers = new Map<string, ShardWorker>();
  /** Shards known to be finished (closed and processed to the end): they never change back. */
  private readonly finished = new Set<string>();
  private readonly loop: Promise<void>;
  private readonly deps: ShardWorkerDeps;

  constructor(
    deps: Omit<ShardWorkerDeps, 'filters'>,
    private readonly m: MappingDoc,
  ) {
    this.deps = { ...deps, filters: parseFilterCriteria({ Filters: m.filterPatterns.map((p) => ({ Pattern: p })) }, { source: 'kinesis' }) };
    this.loop = this.run();
  }

  /** Shards being processed here now. */
  get shards(): string[] {
    return [...this.workers.keys()];
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  private async run(): Promise<void> {
    const name = /:stream\/(.+)$/.exec(this.m.eventSourceArn)?.[1] ?? '';
    while (!this.abort.signal.aborted) {
      try {
        const s = await this.deps.kinesis.find(name);
        if (!s) this.deps.report('PROBLEM: Stream does not exist');
        else await this.discover(s);
      } catch (err) {
        if (!this.abort.signal.aborted) this.deps.log(`scheduler: mapping ${this.m.uuid}: ${err instanceof Error ? err.message : String(err)}`);
      }
      await sleep(DISCOVER_EVERY_MS, this.abort.signal);
    }
  }

  private async discover(s: StreamRecord): Promise<void> {
    const now = Date.now();
    const states = new Map<string, ShardState>();
    const state = async (sh: ShardRecord): Promise<ShardState> => {
      let st = states.get(sh.shardId);
      if (!st) {
        st = await this.deps.kinesis.state(sh);
        states.set(sh.shardId, st);
      }
      return st;
    };
    const isFinished = async (sh: ShardRecord): Promise<boolean> => {
      if (this.finished.has(sh.shardId)) return true;
      if (sh.closedAtMs === undefined || this.workers.has(sh.shardId)) return false;
      const st = await state(sh);
      const cp = st.checkpoints.find((c) => c.name === leaseName(this.m));
      const done = st.closed && cp !== undefined && cp.offset >= st.nextOffset;
      if (done) this.finished.add(sh.shardId);
      return done;
    };
    const visible = visibleShards(s, now);
    for (const sh of visible) {
      if (this.abort.signal.aborted) return;
      if (this.workers.has(sh.shardId) || (await isFinished(sh))) continue;
      let parentsDone = true;
      for (const p of sh.parents) {
        const parent = visible.find((x) => x.shardId === p);
        if (parent && !(await isFinished(parent))) parentsDone = false;
      }
      if (!parentsDone) continue;
      const st = await state(sh);
      const lease = st.leases.find((l) => l.name === leaseName(this.m));
      if (lease && lease.owner !== '' && lease.owner !== this.deps.owner && lease.expiresAtMs > now) continue;
      const w = new ShardWorker(this.deps, this.m, s, sh);
      this.workers.set(sh.shardId, w);
      void w.done.finally(() => {
        if (this.workers.get(sh.shardId) === w) this.workers.delete(sh.shardId);
      });
    }
  }
}
