// The stream consumer library against the embedded server: workers sharing shards and handing
// them over (gracefully and after a crash) without losing a record, and parents finished
// before their children. Every delivery is logged; each lease session (worker and token) must
// deliver a contiguous run of its shard in order, starting right after the last checkpoint an
// earlier session made, so the only repeats are records processed but not yet checkpointed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeaseEvent, type ProcessRecords, StreamApi, StreamConsumer, type StreamConsumerOptions, plan } from '../../clients/stream-consumer/index.js';
import { startEmbedded } from '../compat/targets.js';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;

const TTL_MS = 1500;

let target: Embedded | undefined;
let api: StreamApi;

beforeAll(async () => {
  target = await startEmbedded(['--kinesis-limits', 'off']);
  api = new StreamApi(target.node.grpcAddress);
}, 60_000);

afterAll(async () => {
  api?.close();
  await target?.stop();
});

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Delivery {
  order: number;
  session: string;
  seq: string;
}

/** What every worker of a test saw, and what was produced, per shard. */
class Ledger {
  private order = 0;
  readonly produced = new Map<string, string[]>();
  readonly deliveries = new Map<string, Delivery[]>();
  /** Shard → session → the last sequence number it checkpointed successfully. */
  readonly checkpoints = new Map<string, Map<string, string>>();
  readonly errors: { worker: string; err: unknown }[] = [];
  readonly events: (LeaseEvent & { worker: string })[] = [];

  /** The application of one worker: logs, then checkpoints each batch unless told not to. */
  app(worker: string, o: { checkpoint?: () => boolean } = {}): ProcessRecords {
    return async (records, ctx) => {
      const session = `${worker}#${ctx.leaseToken}`;
      const list = this.deliveries.get(ctx.shardId) ?? [];
      this.deliveries.set(ctx.shardId, list);
      for (const r of records) list.push({ order: this.order++, session, seq: r.sequenceNumber });
      if (o.checkpoint?.() === false) return;
      await ctx.checkpoint();
      const last = records[records.length - 1]!.sequenceNumber;
      const cps = this.checkpoints.get(ctx.shardId) ?? new Map<string, string>();
      this.checkpoints.set(ctx.shardId, cps);
      cps.set(session, last);
    };
  }

  options(worker: string): Pick<StreamConsumerOptions, 'workerId' | 'onError' | 'onLeaseEvent'> {
    return {
      workerId: worker,
      onError: (err) => this.errors.push({ worker, err }),
      onLeaseEvent: (e) => this.events.push({ ...e, worker }),
    };
  }

  async produce(stream: string, shardId: string, hashKey: string, n: number): Promise<void> {
    const records = Array.from({ length: n }, (_, i) => ({ data: Buffer.from(`${shardId}:${i}`), partitionKey: `k${i}`, explicitHashKey: hashKey }));
    const out = await api.putRecords({ streamName: stream }, records);
    const list = this.produced.get(shardId) ?? [];
    this.produced.set(shardId, list);
    for (const r of out) {
      if (!('sequenceNumber' in r) || r.shardId !== shardId) throw new Error(`put went wrong: ${JSON.stringify(r)}`);
      list.push(r.sequenceNumber);
    }
  }

  allDelivered(): boolean {
    for (const [shard, seqs] of this.produced) {
      const got = new Set((this.deliveries.get(shard) ?? []).map((d) => d.seq));
      if (seqs.some((s) => !got.has(s))) return false;
    }
    return true;
  }

  /**
   * Checks every shard and answers its repeats: no record lost or foreign; each session's
   * deliveries consecutive in the shard's order; each session starting right after the last
   * checkpoint of the sessions before it.
   */
  verify(): Map<string, number> {
    const repeats = new Map<string, number>();
    for (const [shard, seqs] of this.produced) {
      const index = new Map(seqs.map((s, i) => [s, i]));
      const ds = this.deliveries.get(shard) ?? [];
      expect(new Set(ds.map((d) => d.seq)), shard).toEqual(new Set(seqs));
      const sessions: string[] = [];
      for (const d of ds) if (!sessions.includes(d.session)) sessions.push(d.session);
      const cps = this.checkpoints.get(shard) ?? new Map<string, string>();
      let checkpointed = -1;
      let lastOrder = -1;
      for (const s of sessions) {
        const mine = ds.filter((d) => d.session === s);
        // One worker at a time: a session delivers only after the previous one's last delivery.
        expect(mine[0]!.order, `${shard} ${s} overlaps the session before it`).toBeGreaterThan(lastOrder);
        lastOrder = mine[mine.length - 1]!.order;
        const idx = mine.map((d) => index.get(d.seq)!);
        expect(idx[0], `${shard} ${s} resumes after the checkpoint`).toBe(checkpointed + 1);
        expect(idx, `${shard} ${s} in order`).toEqual(idx.map((_, i) => idx[0]! + i));
        const cp = cps.get(s);
        if (cp !== undefined) checkpointed = Math.max(checkpointed, index.get(cp)!);
      }
      repeats.set(shard, ds.length - seqs.length);
    }
    return repeats;
  }
}

interface ShardRange {
  shardId: string;
  hashKey: string;
}

async function createStream(name: string, shards: number): Promise<ShardRange[]> {
  await api.call('createStream', { streamName: name, shardCount: shards });
  return openShards(name);
}

async function openShards(name: string): Promise<ShardRange[]> {
  const all = await api.listShards({ streamName: name });
  return all.filter((s) => s.sequenceNumberRange.endingSequenceNumber === undefined).map((s) => ({ shardId: s.shardId, hashKey: s.hashKeyRange.startingHashKey }));
}

function consumer(ledger: Ledger, stream: string, worker: string, more: Partial<StreamConsumerOptions> = {}): StreamConsumer {
  return new StreamConsumer({
    address: target!.node.grpcAddress,
    streamName: stream,
    applicationName: 'app',
    processRecords: ledger.app(worker),
    leaseTtlMs: TTL_MS,
    maxRecordsPerBatch: 10,
    ...ledger.options(worker),
    ...more,
  });
}

describe('balancing', () => {
  const view = (shardId: string, owner?: string, more: { parents?: string[]; finished?: boolean } = {}) => ({ shardId, owner, parents: more.parents ?? [], finished: more.finished ?? false });

  it('takes free leases up to its share, then steals from the most loaded worker only above target', () => {
    expect(plan([view('a'), view('b'), view('c'), view('d')], 'w1', new Set())).toMatchObject({ target: 4, take: ['a', 'b', 'c', 'd'] });
    expect(plan([view('a', 'w2'), view('b', 'w2'), view('c'), view('d')], 'w1', new Set())).toMatchObject({ target: 2, take: ['c', 'd'] });
    expect(plan([view('a', 'w2'), view('b', 'w2'), view('c', 'w2'), view('d', 'w2')], 'w1', new Set())).toMatchObject({ target: 2, take: [], steal: { shardId: 'd', from: 'w2' } });
    // 3 and 1 of 4 with three workers: target 2, w3 steals from w2 (3 > 2), never from w1.
    expect(plan([view('a', 'w2'), view('b', 'w2'), view('c', 'w2'), view('d', 'w1')], 'w3', new Set())).toMatchObject({ target: 2, steal: { from: 'w2' } });
    // 2, 1, 1: balanced enough, nobody steals.
    expect(plan([view('a', 'w2'), view('b', 'w2'), view('c', 'w1'), view('d', 'w3')], 'w3', new Set(['d'])).steal).toBeUndefined();
  });

  it('keeps children until every parent is finished', () => {
    const shards = [view('p', 'w2'), view('c1', undefined, { parents: ['p'] }), view('c2', undefined, { parents: ['p', 'gone'] })];
    expect(plan(shards, 'w1', new Set())).toMatchObject({ ready: ['p'], take: [] });
    shards[0] = view('p', undefined, { finished: true });
    expect(plan(shards, 'w1', new Set())).toMatchObject({ ready: ['c1', 'c2'], take: ['c1', 'c2'] });
  });
});

describe('StreamConsumer', () => {
  it('shares shards between two workers; when one stops the other resumes its shards from their checkpoints', async () => {
    const stream = 'cons-share';
    const shards = await createStream(stream, 4);
    const ledger = new Ledger();
    const a = consumer(ledger, stream, 'A');
    const b = consumer(ledger, stream, 'B');
    try {
      await a.start();
      await waitFor('A to hold every shard', () => a.heldShards().length === 4);
      await b.start();
      await waitFor('A and B to hold two shards each', () => a.heldShards().length === 2 && b.heldShards().length === 2);
      const fromB = b.heldShards();
      for (let round = 0; round < 3; round++) for (const s of shards) await ledger.produce(stream, s.shardId, s.hashKey, 10);
      await waitFor('every record to be processed', () => ledger.allDelivered());

      await b.stop();
      expect(ledger.events.filter((e) => e.worker === 'B' && e.type === 'released').map((e) => e.shardId).sort()).toEqual(fromB);
      await waitFor('A to take every shard', () => a.heldShards().length === 4);
      for (let round = 0; round < 3; round++) for (const s of shards) await ledger.produce(stream, s.shardId, s.hashKey, 10);
      await waitFor('every record to be processed', () => ledger.allDelivered());
      const repeats = ledger.verify();
      // Each batch was checkpointed before its call returned and B stopped gracefully: nothing twice.
      expect([...repeats.values()]).toEqual([0, 0, 0, 0]);
      for (const s of fromB) expect(new Set(ledger.deliveries.get(s)!.map((d) => d.session.split('#')[0])), s).toEqual(new Set(['B', 'A']));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('resumes a crashed worker\'s shard from its checkpoint once its lease expires', async () => {
    const stream = 'cons-crash';
    const shards = await createStream(stream, 2);
    const ledger = new Ledger();
    // The crashed worker's own channel: closing it cuts the worker off as a dead process would be.
    const cApi = new StreamApi(target!.node.grpcAddress);
    let cCheckpoints = true;
    const c = consumer(ledger, stream, 'C', { api: cApi, processRecords: ledger.app('C', { checkpoint: () => cCheckpoints }) });
    const d = consumer(ledger, stream, 'D');
    try {
      await c.start();
      await waitFor('C to hold both shards', () => c.heldShards().length === 2);
      await d.start();
      await waitFor('C and D to hold one shard each', () => c.heldShards().length === 1 && d.heldShards().length === 1);
      const crashed = c.heldShards()[0]!;
      for (const s of shards) await ledger.produce(stream, s.shardId, s.hashKey, 20);
      await waitFor('the first records to be processed', () => ledger.allDelivered());

      // C processes 15 more records of its shard but checkpoints none of them, then dies.
      cCheckpoints = false;
      for (const s of shards) await ledger.produce(stream, s.shardId, s.hashKey, 15);
      await waitFor('C to process its records', () => ledger.allDelivered());
      const crashedAt = Date.now();
      cApi.close();

      await waitFor('D to take the crashed shard', () => d.heldShards().length === 2);
      // Taken because C's lease expired, not stolen from a live C.
      const taken = ledger.events.find((e) => e.worker === 'D' && e.shardId === crashed && e.type !== 'lost' && e.type !== 'released')!;
      expect(taken.type).toBe('acquired');
      expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(TTL_MS / 2);
      for (const s of shards) await ledger.produce(stream, s.shardId, s.hashKey, 10);
      await waitFor('every record to be processed', () => ledger.allDelivered());

      const repeats = ledger.verify();
      // Exactly what C processed after its last checkpoint comes again, and nothing else.
      expect(repeats.get(crashed)).toBe(15);
      expect(repeats.get(shards.find((s) => s.shardId !== crashed)!.shardId)).toBe(0);
    } finally {
      await Promise.all([c.stop(), d.stop()]);
    }
  });

  it('processes children of a split only after their parent is finished', async () => {
    const stream = 'cons-split';
    const [parent] = await createStream(stream, 1);
    const ledger = new Ledger();
    const slow = (worker: string): ProcessRecords => {
      const inner = ledger.app(worker);
      // Slow enough that the split lands while the parent still has records to process.
      return async (records, ctx) => {
        await new Promise((r) => setTimeout(r, 10));
        await inner(records, ctx);
      };
    };
    const e = consumer(ledger, stream, 'E', { processRecords: slow('E'), maxRecordsPerBatch: 5 });
    const f = consumer(ledger, stream, 'F', { processRecords: slow('F'), maxRecordsPerBatch: 5 });
    try {
      await e.start();
      await waitFor('E to hold the shard', () => e.heldShards().length === 1);
      await f.start();
      await ledger.produce(stream, parent!.shardId, parent!.hashKey, 50);
      await ledger.produce(stream, parent!.shardId, parent!.hashKey, 50);
      await waitFor('the parent to be under way', () => (ledger.deliveries.get(parent!.shardId)?.length ?? 0) >= 10);
      expect(ledger.allDelivered()).toBe(false);

      await api.call('splitShard', { streamName: stream, shardToSplit: parent!.shardId, newStartingHashKey: (1n << 127n).toString() });
      const children = await openShards(stream);
      expect(children).toHaveLength(2);
      for (const ch of children) await ledger.produce(stream, ch.shardId, ch.hashKey, 25);
      await waitFor('every record to be processed', () => ledger.allDelivered());
      // The children are ready now: F, idle while the parent ran, takes its share.
      await waitFor('E and F to share the children', () => e.heldShards().length === 1 && f.heldShards().length === 1);
      for (const ch of children) await ledger.produce(stream, ch.shardId, ch.hashKey, 25);
      await waitFor('every record to be processed', () => ledger.allDelivered());

      ledger.verify();
      const parentLast = Math.max(...ledger.deliveries.get(parent!.shardId)!.map((x) => x.order));
      for (const ch of children) {
        const first = Math.min(...ledger.deliveries.get(ch.shardId)!.map((x) => x.order));
        expect(first, ch.shardId).toBeGreaterThan(parentLast);
      }
      expect(ledger.events.some((x) => x.type === 'finished' && x.shardId === parent!.shardId)).toBe(true);
      const state = await api.describeShardLeases({ streamName: stream }, parent!.shardId, 'app');
      expect(state.checkpoints[0]!.shardEnd).toBe(true);
      // The children's first workers found the parent finished before reading them.
      const parentFinished = ledger.events.findIndex((x) => x.type === 'finished' && x.shardId === parent!.shardId);
      for (const ch of children) {
        expect(ledger.events.findIndex((x) => (x.type === 'acquired' || x.type === 'stolen') && x.shardId === ch.shardId), ch.shardId).toBeGreaterThan(parentFinished);
      }
    } finally {
      await Promise.all([e.stop(), f.stop()]);
    }
  });
});
