// Rebalancing and draining. The planner's decisions on their own; then storage nodes in one
// process (real gRPC on loopback, RocksDB in temp dirs): a fourth node joins a running cluster
// and takes its share of replicas; then the node leading the meta group is drained — its
// replicas, its meta membership included, move away and it ends 'removed' — while writes go on.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainMain, undrainMain } from '../../nodes/cli/admin.js';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { Placement } from '../../nodes/cluster/placement.js';
import { Sequencer } from '../../nodes/cluster/sequencer.js';
import { OptionError, parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { type GroupConf, Rebalancer, planRebalance } from '../../nodes/storage/rebalancer.js';
import { decodeResult } from '../../storage/partitions/envelope.js';
import { decodeAppendResult, decodeReadResult, encodeLogCommand, encodeLogQuery } from '../../storage/partitions/log-codec.js';
import { type NodeRecord, type Placement as PlacementMap, decodePlacementResult, encodeMetaCommand, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { encodeQueueQuery } from '../../storage/partitions/queue-codec.js';
import { freePortBlock } from '../ports.js';

const node = (id: number, state: NodeRecord['state'] = 'up'): NodeRecord => ({ id, address: `h${id}:1`, state, registeredAtMs: 0 });
const conf = (voters: number[], learners: number[] = []): GroupConf => ({ voters, learners });

describe('planRebalance', () => {
  it('moves a draining node’s replicas to the least-loaded up nodes, newcomer last', () => {
    const groups = [
      { id: 0, replicas: [1, 2, 3] },
      { id: 1, replicas: [1, 2, 3] },
      { id: 2, replicas: [2, 3, 1] },
      { id: 3, replicas: [3, 4, 2] },
    ];
    const plan = planRebalance({
      nodes: [node(1, 'draining'), node(2), node(3), node(4)],
      groups,
      confs: new Map(groups.map((g) => [g.id, conf(g.replicas)])),
      maxMovesInFlight: 2,
    });
    // Two moves at most; the meta group first; node 1, the preferred leader of group 1, leaves
    // the front so a caught-up member becomes the preferred leader.
    expect(plan.moves).toEqual([
      { group: 0, replicas: [2, 3, 4], from: 1, to: 4, reason: 'drain' },
      { group: 1, replicas: [2, 3, 4], from: 1, to: 4, reason: 'drain' },
    ]);
    expect(plan.remove).toEqual([]);
  });

  it('waits for moves in flight, and never stacks a second move on an unsettled group', () => {
    const groups = [
      { id: 1, replicas: [2, 3, 4] },
      { id: 2, replicas: [2, 3, 1] },
      { id: 3, replicas: [2, 3, 1] },
    ];
    const confs = new Map([
      [1, conf([1, 2, 3], [4])], // moving: placement says 4, configuration still holds 1
      [2, conf([1, 2, 3])],
      [3, conf([1, 2, 3])],
    ]);
    const nodes = [node(1, 'draining'), node(2), node(3), node(4)];
    expect(planRebalance({ nodes, groups, confs, maxMovesInFlight: 1 }).moves).toEqual([]);
    const two = planRebalance({ nodes, groups, confs, maxMovesInFlight: 2 });
    expect(two.inFlight).toEqual([1]);
    expect(two.moves.map((m) => m.group)).toEqual([2]);
  });

  it('removes a draining node only when no placement and no known configuration holds it', () => {
    const nodes = [node(1, 'draining'), node(2), node(3), node(4)];
    const groups = [{ id: 0, replicas: [2, 3, 4] }, { id: 1, replicas: [2, 3, 4] }];
    expect(planRebalance({ nodes, groups, confs: new Map([[0, conf([2, 3, 4])], [1, conf([1, 2, 3, 4])]]), maxMovesInFlight: 2 }).remove).toEqual([]);
    expect(planRebalance({ nodes, groups, confs: new Map([[0, conf([2, 3, 4])]]), maxMovesInFlight: 2 }).remove).toEqual([]); // group 1: no leader known
    expect(planRebalance({ nodes, groups, confs: new Map([[0, conf([2, 3, 4])], [1, conf([2, 3, 4])]]), maxMovesInFlight: 2 }).remove).toEqual([1]);
  });

  it('balances a new node in, one replica per move, within the in-flight limit', () => {
    const groups = Array.from({ length: 6 }, (_, i) => ({ id: i + 1, replicas: [1 + (i % 3), 1 + ((i + 1) % 3), 1 + ((i + 2) % 3)] }));
    const nodes = [node(1), node(2), node(3), node(4)];
    const confs = new Map(groups.map((g) => [g.id, conf(g.replicas)]));
    const plan = planRebalance({ nodes, groups, confs, maxMovesInFlight: 10 });
    // 18 replicas on 4 nodes: 5, 5, 4, 4 after four moves, and no more.
    expect(plan.moves).toHaveLength(4);
    expect(planRebalance({ nodes, groups, confs, maxMovesInFlight: 2 }).moves).toHaveLength(2);
    for (const m of plan.moves) {
      expect(m.to).toBe(4);
      expect(m.reason).toBe('balance');
      // The preferred leader stays where it was.
      expect(m.replicas[0]).toBe(groups.find((g) => g.id === m.group)!.replicas[0]);
    }
    const counts = [1, 2, 3, 4].map((n) => groups.map((g) => plan.moves.find((m) => m.group === g.id)?.replicas ?? g.replicas).filter((r) => r.includes(n)).length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // Nothing to balance when counts differ by at most one; stuck drains are reported.
    const balanced = planRebalance({ nodes: [node(1), node(2), node(3, 'draining')], groups: [{ id: 1, replicas: [1, 2, 3] }], confs: new Map([[1, conf([1, 2, 3])]]), maxMovesInFlight: 2 });
    expect(balanced.moves).toEqual([]);
    expect(balanced.stuck).toEqual([{ group: 1, node: 3 }]);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Node n listens on base+n (n up to 10).
const base = await freePortBlock(11);
const addr = (i: number) => `127.0.0.1:${base + i}`;

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('rebalancing and draining a running cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-rebalance-'));
  const peers = [1, 2, 3].map((i) => `${i}=${addr(i)}`).join(',');
  const nodes = new Map<number, RunningNode>();
  const extras: { stop(): void }[] = [];
  const lines: string[] = [];
  let client: ClusterClient;
  let placement: Placement;
  const session = new Sequencer(`test-${randomUUID()}`);
  /** Per log group: the values whose append was acknowledged, in order. */
  const acked = new Map<number, string[]>();
  let logGroups: number[] = [];
  let queueGroups: number[] = [];

  async function start(id: number): Promise<void> {
    const o = parseNodeOptions(['--role', 'storage', '--id', String(id), '--peers', peers, '--grpc-port', String(base + id), '--data', join(dir, `n${id}`), '--snapshot-entries', '50'], {});
    const n = await runNode(o, (l) => lines.push(l));
    nodes.set(id, n);
    // The rebalancer as run-node wires it; if run-node already runs one, this start is a no-op.
    const c = new ClusterClient({ seeds: [addr(id)], local: n.storage });
    const p = new Placement(c, n.storage);
    const r = new Rebalancer(n.storage!, c, p, (l) => lines.push(l));
    r.start();
    extras.push({ stop: () => (r.stop(), p.stop(), c.close()) });
  }

  const catalog = async (): Promise<PlacementMap> => {
    const p = decodePlacementResult(await client.read(0, encodeMetaQuery({ type: 'getPlacement' })));
    if (!p.ok) throw new Error(p.message);
    return p.value;
  };
  const meta = async (cmd: Parameters<typeof encodeMetaCommand>[0]): Promise<void> => {
    const r = decodeResult(await session.propose(encodeMetaCommand(cmd), (b) => client.propose(0, b)));
    if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  };
  const append = async (group: number, value: string): Promise<void> => {
    const r = decodeAppendResult(await session.propose(encodeLogCommand({ type: 'append', records: [{ value: Buffer.from(value) }] }), (b) => client.propose(group, b)));
    if (!r.ok) throw new Error(`append to ${group}: ${r.message}`);
    acked.get(group)!.push(value);
  };
  /** The configuration of each group as its leader (in this process) has applied it. */
  const leaderConf = (group: number): GroupConf | undefined => {
    for (const n of nodes.values()) {
      const rep = n.storage!.replicas.get(group);
      if (rep && !rep.closed && rep.isLeader()) return { voters: [...rep.confState.voters], learners: [...rep.confState.learners] };
    }
    return undefined;
  };
  const settled = (p: PlacementMap): boolean =>
    p.groups.every((g) => {
      const c = leaderConf(g.id);
      return c !== undefined && c.learners.length === 0 && c.voters.length === g.replicas.length && g.replicas.every((n) => c.voters.includes(n));
    });
  const counts = (p: PlacementMap): Map<number, number> => {
    const m = new Map(p.nodes.filter((n) => n.state === 'up').map((n) => [n.id, 0]));
    for (const g of p.groups) for (const n of g.replicas) if (m.has(n)) m.set(n, m.get(n)! + 1);
    return m;
  };

  /**
   * Appends to every log group in turn until stopped, and samples every group leader's
   * configuration: a 3-replica group must never have fewer than 3 voters (quorum kept).
   */
  function writer(): { stop: () => Promise<{ writes: number; failures: string[]; minVoters: number; maxMoving: number; maxWriteMs: number }> } {
    let stopped = false;
    let writes = 0;
    let minVoters = Infinity;
    let maxMoving = 0;
    let maxWriteMs = 0;
    const failures: string[] = [];
    const sampler = setInterval(() => {
      let moving = 0;
      for (const g of [0, ...logGroups, ...queueGroups]) {
        const c = leaderConf(g);
        if (c) minVoters = Math.min(minVoters, c.voters.length);
        if (c && (c.learners.length > 0 || c.voters.length !== 3)) moving++;
      }
      maxMoving = Math.max(maxMoving, moving);
    }, 20);
    const done = (async () => {
      for (let i = 0; !stopped; i++) {
        const g = logGroups[i % logGroups.length]!;
        const t0 = Date.now();
        try {
          await append(g, `w${i}`);
          writes++;
        } catch (err) {
          failures.push(err instanceof Error ? err.message : String(err));
        }
        maxWriteMs = Math.max(maxWriteMs, Date.now() - t0);
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await done;
        clearInterval(sampler);
        return { writes, failures, minVoters, maxMoving, maxWriteMs };
      },
    };
  }

  async function checkData(): Promise<void> {
    for (const g of logGroups) {
      const r = decodeReadResult(await client.read(g, encodeLogQuery({ type: 'read', fromOffset: 0, maxRecords: 10_000, maxBytes: 4 << 20 })));
      if (!r.ok) throw new Error(r.message);
      expect(r.value.records.map((x) => Buffer.from(x.value).toString()), `log group ${g}`).toEqual(acked.get(g));
    }
    for (const g of queueGroups) {
      const r = decodeResult(await client.read(g, encodeQueueQuery({ type: 'stats', now: Date.now(), retentionMs: 345_600_000, fifo: false })));
      expect(r.ok, `queue group ${g} answers`).toBe(true);
    }
  }

  beforeAll(async () => {
    for (const id of [1, 2, 3]) await start(id);
    client = new ClusterClient({ seeds: [1, 2, 3].map(addr) });
    placement = new Placement(client);
    await until('three registered nodes', async () => ((await catalog().catch(() => undefined))?.nodes.length === 3 ? true : undefined));
    for (const name of ['a', 'b', 'c']) await meta({ type: 'createLog', name, partitions: 2, replicationFactor: 3, retentionMs: 0 });
    await meta({ type: 'createQueue', name: 'q', attributes: {}, requested: {}, tags: {}, partitions: 2, replicationFactor: 3 });
    const p = await catalog();
    logGroups = p.groups.filter((g) => g.kind === 'log').map((g) => g.id);
    queueGroups = p.groups.filter((g) => g.kind === 'queue').map((g) => g.id);
    for (const g of logGroups) acked.set(g, []);
    await placement.refresh();
    for (const g of logGroups) for (let i = 0; i < 30; i++) await append(g, `before-${i}`);
  }, 40_000);

  afterAll(async () => {
    for (const e of extras) e.stop();
    placement?.stop();
    client?.close();
    for (const n of nodes.values()) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a joining node takes its share of replicas; every group stays writable and keeps its data', async () => {
    const t0 = Date.now();
    const w = writer();
    await start(4);
    const p = await until('node 4 to take a balanced share, every move finished', async () => {
      const c = await catalog().catch(() => undefined);
      if (!c || !c.nodes.some((n) => n.id === 4)) return undefined;
      const k = counts(c);
      const v = [...k.values()];
      return (k.get(4) ?? 0) > 0 && Math.max(...v) - Math.min(...v) <= 1 && settled(c) ? c : undefined;
    }, 40_000);
    const r = await w.stop();
    // Every node ends up hosting exactly what is placed on it (the meta group on 1-3).
    await until('every node to host exactly its placed replicas', () => {
      for (const [id, n] of nodes) {
        const want = [...(id <= 3 ? [0] : []), ...p.groups.filter((g) => g.replicas.includes(id)).map((g) => g.id)].sort((a, b) => a - b);
        const has = [...n.storage!.replicas.keys()].sort((a, b) => a - b);
        if (JSON.stringify(want) !== JSON.stringify(has)) return undefined;
      }
      return true;
    }, 10_000);
    expect(r.failures).toEqual([]);
    expect(r.writes).toBeGreaterThan(0);
    expect(r.minVoters).toBeGreaterThanOrEqual(3);
    // Never more groups mid-move than the rebalancer's limit (2).
    expect(r.maxMoving).toBeGreaterThan(0);
    expect(r.maxMoving).toBeLessThanOrEqual(2);
    await checkData();
    console.log(`join: balanced in ${Date.now() - t0} ms; ${r.writes} writes meanwhile (slowest ${r.maxWriteMs} ms); counts ${JSON.stringify([...counts(p)])}`);
  }, 60_000);

  it('draining the node that leads the meta group moves everything off it, then marks it removed', async () => {
    const t0 = Date.now();
    const d = await until('a meta leader', () => [...nodes].find(([, n]) => n.storage!.replicas.get(0)?.isLeader())?.[0]);
    const other = [...nodes.keys()].find((id) => id !== d)!;
    const w = writer();
    const out: string[] = [];
    const code = await drainMain([String(d), '--endpoint', addr(other), '--timeout', '45'], (s) => out.push(s), { pollMs: 200 });
    const r = await w.stop();
    expect(code, out.join('')).toBe(0);
    const p = await catalog();
    expect(p.nodes.find((n) => n.id === d)?.state).toBe('removed');
    expect(p.groups.filter((g) => g.replicas.includes(d))).toEqual([]);
    expect(p.metaReplicas).toBeDefined();
    expect(p.metaReplicas).not.toContain(d);
    expect(p.metaReplicas).toHaveLength(3);
    const metaConf = leaderConf(0);
    expect(metaConf?.voters.sort()).toEqual([...p.metaReplicas!].sort());
    // The drained node drops every replica, its meta replica included.
    await until(`node ${d} to host nothing`, () => (nodes.get(d)!.storage!.replicas.size === 0 ? true : undefined));
    expect(r.failures).toEqual([]);
    expect(r.writes).toBeGreaterThan(0);
    expect(r.minVoters).toBeGreaterThanOrEqual(3);
    // Never more groups mid-move than the rebalancer's limit (2).
    expect(r.maxMoving).toBeGreaterThan(0);
    expect(r.maxMoving).toBeLessThanOrEqual(2);
    await checkData();
    // The meta group still serves and takes commands (its leader is elsewhere now).
    expect([...nodes].find(([, n]) => n.storage!.replicas.get(0)?.isLeader())?.[0]).not.toBe(d);
    await meta({ type: 'createLog', name: 'after', partitions: 1, replicationFactor: 3, retentionMs: 0 });
    const after = (await catalog()).groups.find((g) => g.log === 'after')!;
    expect(after.replicas).not.toContain(d);
    // Restarted with the same --peers, the drained node does not bootstrap the meta group again.
    await nodes.get(d)!.stop();
    await start(d);
    expect(nodes.get(d)!.storage!.replicas.has(0)).toBe(false);
    await meta({ type: 'createLog', name: 'after-restart', partitions: 1, replicationFactor: 3, retentionMs: 0 });
    expect(nodes.get(d)!.storage!.replicas.size).toBe(0);
    console.log(`drain of node ${d}: ${Date.now() - t0} ms; ${r.writes} writes meanwhile (slowest ${r.maxWriteMs} ms)\n${out.join('')}`);
  }, 60_000);

  it('drain and undrain from the command line: checks, warnings, and a drain that cannot proceed', async () => {
    const p = await catalog();
    const removed = p.nodes.find((n) => n.state === 'removed')!.id;
    const up = p.nodes.filter((n) => n.state === 'up').map((n) => n.id);
    expect(up).toHaveLength(3);
    const out: string[] = [];
    const say = (s: string) => out.push(s);
    await expect(drainMain([], say)).rejects.toBeInstanceOf(OptionError);
    await expect(drainMain(['x', '--endpoint', addr(up[0]!)], say)).rejects.toBeInstanceOf(OptionError);
    await expect(drainMain(['1', '--endpoint', 'nope'], say)).rejects.toBeInstanceOf(OptionError);
    expect(await drainMain(['99', '--endpoint', addr(up[0]!)], say)).toBe(1);
    expect(await undrainMain([String(removed), '--endpoint', addr(up[0]!)], say)).toBe(1);
    expect(await drainMain([String(removed), '--endpoint', addr(up[0]!)], say)).toBe(0);
    // Three up nodes and 3-replica groups: nowhere to move to. The drain is accepted with a
    // warning and waits; undrain takes it back, and nothing was moved.
    const target = up[2]!;
    expect(await drainMain([String(target), '--endpoint', addr(up[0]!), '--timeout', '0'], say)).toBe(0);
    expect((await catalog()).nodes.find((n) => n.id === target)?.state).toBe('draining');
    expect(await undrainMain([String(target), '--endpoint', addr(up[0]!)], say)).toBe(0);
    const q = await catalog();
    expect(q.nodes.find((n) => n.id === target)?.state).toBe('up');
    expect(q.groups.map((g) => g.replicas)).toEqual(p.groups.map((g) => g.replicas));
    expect(out.join('')).toContain(`node 99 is not registered`);
    expect(out.join('')).toContain(`node ${removed} was removed`);
    expect(out.join('')).toContain(`no other up node can take group(s)`);
  }, 30_000);
});
