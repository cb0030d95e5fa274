// bench/raft-core: proposals committed per second by the pure Raft core in a 3-node in-memory
// cluster (no disk, no network: each Ready is "persisted" to MemoryStorage and its messages
// delivered directly). Reports the median of several runs for batch sizes 1 and 64.
//   npm run bench:raft-core [-- --seconds 2 --runs 5]
import { parseArgs } from 'node:util';
import { MemoryStorage, type Message, RawNode, SeededRng } from '../storage/raft/index.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, runs: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);
const runs = Number(values.runs);
if (!(seconds > 0) || !Number.isInteger(runs) || runs < 1) {
  process.stderr.write('bench: --seconds must be > 0 and --runs a positive integer\n');
  process.exit(2);
}

function makeCluster(): Map<number, { node: RawNode; storage: MemoryStorage }> {
  const ids = [1, 2, 3];
  const nodes = new Map<number, { node: RawNode; storage: MemoryStorage }>();
  for (const id of ids) {
    const storage = new MemoryStorage({ voters: ids });
    // Large windows so the benchmark measures the core, not flow-control stalls.
    const node = new RawNode({ id, storage, rng: new SeededRng(id), maxInflightMsgs: 4096, maxInflightBytes: 0, maxSizePerMsg: 4 * 1024 * 1024 });
    nodes.set(id, { node, storage });
  }
  return nodes;
}

/** One Ready cycle on every node; returns entries newly applied on the leader. */
function cycle(nodes: Map<number, { node: RawNode; storage: MemoryStorage }>, leader: number): number {
  const inbox: Message[] = [];
  let applied = 0;
  for (const [id, { node, storage }] of nodes) {
    if (!node.hasReady()) continue;
    const rd = node.ready();
    if (rd.snapshot) storage.applySnapshot(rd.snapshot);
    storage.append(rd.entries);
    if (rd.hardState) storage.setHardState(rd.hardState);
    inbox.push(...rd.messages);
    if (id === leader) applied += rd.committedEntries.length;
    node.advance(rd);
  }
  for (const m of inbox) nodes.get(m.to)?.node.step(m);
  return applied;
}

function runOnce(batch: number): number {
  const nodes = makeCluster();
  const leader = nodes.get(1)!.node;
  for (let i = 0; i < 30 && !leader.isLeader(); i++) {
    for (const { node } of nodes.values()) node.tick();
    cycle(nodes, 1);
  }
  leader.campaign();
  for (let i = 0; i < 20; i++) cycle(nodes, 1);
  if (!leader.isLeader()) throw new Error('bench: node 1 did not become leader');
  const payload = new Uint8Array(128);
  const datas = Array.from({ length: batch }, () => payload);
  let committed = 0;
  let ops = 0;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  while (process.hrtime.bigint() < deadline) {
    // Keep a few batches in flight: proposals pipeline while earlier ones commit.
    const r = batch === 1 ? leader.propose(payload) : leader.proposeBatch(datas);
    if (!r.ok) throw new Error(`bench: propose failed: ${r.error}`);
    ops += batch;
    committed += cycle(nodes, 1);
    // Compact now and then so memory stays flat over long runs.
    if (ops % 65536 < batch) {
      for (const { node, storage } of nodes.values()) {
        const applied = node.status().applied;
        if (applied > storage.firstIndex() + 1000) storage.compact(applied - 1000);
      }
    }
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return committed / secs;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

process.stdout.write(`raft-core: 3 nodes in memory, 128-byte proposals, ${runs} runs of ${seconds}s each (median)\n`);
for (const batch of [1, 64]) {
  const results: number[] = [];
  for (let i = 0; i < runs; i++) results.push(runOnce(batch));
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  process.stdout.write(`batch ${String(batch).padStart(2)}: ${fmt(median(results))} proposals committed/s (runs: ${results.map(fmt).join(', ')})\n`);
}
