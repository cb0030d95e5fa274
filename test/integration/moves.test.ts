// Four storage nodes and a gateway in one process (real gRPC on loopback, RocksDB in temp
// dirs). The meta group moves a log partition's replica to the fourth node: the group's leader
// adds it as a learner, it catches up by snapshot, is promoted, and the old replica is removed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { type NodeOptions, parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { encodeCommand } from '../../storage/partitions/envelope.js';
import { decodeReadResult, encodeLogQuery } from '../../storage/partitions/log-codec.js';
import { decodeGroupResult, decodeLogResult, decodePlacementResult, encodeMetaCommand, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { LogClient } from './log-client.js';
import { freePortBlock } from '../ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Node n listens on base+n (n up to 10).
const base = await freePortBlock(11);
const addr = (i: number) => `127.0.0.1:${base + i}`;

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('moving a replica', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-moves-'));
  const nodes = new Map<number, RunningNode>();
  let gateway: RunningNode | undefined;
  let meta: ClusterClient;
  let log: LogClient;

  const peers = '1=' + addr(1) + ',2=' + addr(2) + ',3=' + addr(3);
  const opts = (id: number, extra: string[]): NodeOptions =>
    parseNodeOptions(['--role', 'storage', '--id', String(id), '--peers', peers, '--grpc-port', String(base + id), '--data', join(dir, `n${id}`), '--snapshot-entries', '50', ...extra], {});
  beforeAll(async () => {
    for (const id of [1, 2, 3, 4]) nodes.set(id, await runNode(opts(id, []), () => undefined));
    gateway = await runNode(parseNodeOptions(['--role', 'gateway', '--id', '100', '--peers', peers, '--grpc-port', String(base + 10), '--http-port', '0'], {}), () => undefined);
    meta = new ClusterClient({ seeds: [1, 2, 3].map(addr) });
    log = new LogClient(addr(10));
    await until('four registered nodes', async () => {
      const p = decodePlacementResult(await meta.read(0, encodeMetaQuery({ type: 'getPlacement' })).catch(() => new Uint8Array()));
      return p.ok && p.value.nodes.length === 4 ? true : undefined;
    }).catch(() => undefined);
  }, 60_000);

  afterAll(async () => {
    log?.close();
    meta?.close();
    await gateway?.stop();
    for (const n of nodes.values()) await n.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds a learner, catches it up by snapshot, promotes it and removes the old replica', async () => {
    await log.createLog('moving', 1, 3);
    const lr = decodeLogResult(await meta.read(0, encodeMetaQuery({ type: 'getLog', name: 'moving' })));
    if (!lr.ok) throw new Error(lr.message);
    const group = lr.value.groups[0]!;
    const from = group.replicas[group.replicas.length - 1]!;
    const to = [1, 2, 3, 4].find((n) => !group.replicas.includes(n))!;
    for (let i = 0; i < 200; i++) await log.append('moving', [`r${i}`], { partition: 0 });

    const target = group.replicas.map((n) => (n === from ? to : n));
    const payload = encodeMetaCommand({ type: 'setGroupReplicas', groupId: group.id, replicas: target });
    const moved = decodeGroupResult(await meta.propose(0, encodeCommand({ clientId: randomUUID(), seq: 1, timestampMs: Date.now(), op: payload.op, body: payload.body })));
    expect(moved.ok).toBe(true);

    // The new replica joins and the old one goes; writes keep working throughout.
    let n = 200;
    await until('the move to finish', async () => {
      await log.append('moving', [`r${n++}`], { partition: 0 });
      const gained = nodes.get(to)!.storage!.replicas.get(group.id);
      const lost = nodes.get(from)!.storage!.replicas.get(group.id);
      return gained && !lost && gained.confState.voters.includes(to) && !gained.confState.voters.includes(from) ? true : undefined;
    });
    const all = await log.readAll('moving', 0);
    expect(all.map((r) => Buffer.from(r.value).toString())).toEqual(Array.from({ length: n }, (_, i) => `r${i}`));
    const onNew = new ClusterClient({ seeds: [addr(to)] });
    const got = await until('the new replica to catch up', async () => {
      const r = decodeReadResult(await onNew.read(group.id, encodeLogQuery({ type: 'read', fromOffset: 0, maxRecords: 10_000, maxBytes: 4 << 20 }), { stale: true }));
      return r.ok && r.value.records.length === n ? r.value.records : undefined;
    });
    onNew.close();
    expect(got.map((r) => Buffer.from(r.value).toString())).toEqual(all.map((r) => Buffer.from(r.value).toString()));
    expect(nodes.get(to)!.storage!.snapshotsReceived, "snapshots installed on the new replica").toBeGreaterThan(0);
  }, 60_000);

  it('drops a replica that was moved away while its node was down, once the leader confirms it', async () => {
    await log.createLog('away', 1, 3);
    const lr = decodeLogResult(await meta.read(0, encodeMetaQuery({ type: 'getLog', name: 'away' })));
    if (!lr.ok) throw new Error(lr.message);
    const group = lr.value.groups[0]!;
    await log.append('away', ['before'], { partition: 0 });
    const from = group.replicas[group.replicas.length - 1]!;
    const to = [1, 2, 3, 4].find((n) => !group.replicas.includes(n))!;
    await nodes.get(from)!.stop();
    nodes.delete(from);
    const payload = encodeMetaCommand({ type: 'setGroupReplicas', groupId: group.id, replicas: group.replicas.map((n) => (n === from ? to : n)) });
    expect(decodeGroupResult(await meta.propose(0, encodeCommand({ clientId: randomUUID(), seq: 1, timestampMs: Date.now(), op: payload.op, body: payload.body }))).ok).toBe(true);
    await until('the leader to drop the stopped replica', () =>
      [...nodes.values()].some((n) => {
        const r = n.storage!.replicas.get(group.id);
        return r?.isLeader() && !r.confState.voters.includes(from) && !r.confState.learners.includes(from);
      }) || undefined,
    );
    // Back up, its replica still lists itself (it never received its removal): it must go.
    nodes.set(from, await runNode(opts(from, []), () => undefined));
    await until('the left-behind replica to go', async () => {
      const p = decodePlacementResult(await meta.read(0, encodeMetaQuery({ type: 'getPlacement' })));
      const placedAgain = p.ok && p.value.groups.some((g) => g.id === group.id && g.replicas.includes(from));
      return placedAgain || !nodes.get(from)!.storage!.replicas.has(group.id) ? true : undefined;
    });
    expect((await log.readAll('away', 0)).map((r) => Buffer.from(r.value).toString())).toEqual(['before']);
  }, 60_000);
});
