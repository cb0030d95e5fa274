import { describe, expect, it } from 'vitest';
import { type Decoded, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type MetaCommand,
  MetaStateMachine,
  decodeGroupResult,
  decodeListLogsResult,
  decodeMetaReplicasResult,
  decodeLogResult,
  decodeNodeResult,
  decodePlacementResult,
  encodeMetaCommand,
  encodeMetaQuery,
} from '../../storage/partitions/meta.js';
import { decodeAccessKeyResult, parseJson } from '../../storage/partitions/meta-codec.js';
import { Harness } from './memory-store.js';

class MetaHarness extends Harness<MetaStateMachine> {
  seq = 0;
  constructor() {
    super(new MetaStateMachine());
  }
  run(cmd: MetaCommand, timestampMs = 5000): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'admin', seq: ++this.seq, timestampMs, ...encodeMetaCommand(cmd) })).result;
  }
  registerNodes(ids: number[]): void {
    for (const id of ids) expect(decodeNodeResult(this.run({ type: 'registerNode', id, address: `10.0.0.${id}:7000` })).ok).toBe(true);
  }
  createLog(name: string, partitions: number, replicationFactor: number, retentionMs = 0) {
    return decodeLogResult(this.run({ type: 'createLog', name, partitions, replicationFactor, retentionMs }));
  }
  async placement() {
    return unwrap(decodePlacementResult(await this.read(encodeMetaQuery({ type: 'getPlacement' }))));
  }
}

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

describe('meta kind', () => {
  it('registers nodes idempotently and changes their state', async () => {
    const h = new MetaHarness();
    expect(unwrap(decodeNodeResult(h.run({ type: 'registerNode', id: 2, address: 'n2:7000' }, 100)))).toEqual({
      id: 2,
      address: 'n2:7000',
      state: 'up',
      registeredAtMs: 100,
    });
    const again = h.apply(encodeCommand({ clientId: 'admin', seq: ++h.seq, timestampMs: 999, ...encodeMetaCommand({ type: 'registerNode', id: 2, address: 'n2:7000' }) }));
    expect(again.ops.filter((o) => o.type === 'put' && o.key[0] !== 0)).toEqual([]);
    expect(unwrap(decodeNodeResult(h.run({ type: 'setNodeState', id: 2, state: 'draining' }))).state).toBe('draining');
    expect(unwrap(decodeNodeResult(h.run({ type: 'registerNode', id: 2, address: '[::1]:7001' }, 300)))).toEqual({
      id: 2,
      address: '[::1]:7001',
      state: 'draining',
      registeredAtMs: 100,
    });
    expect(decodeNodeResult(h.run({ type: 'setNodeState', id: 9, state: 'up' }))).toMatchObject({ ok: false, code: 'NotFound' });
    for (const bad of ['nope', 'host:99999', ':80', 'a b:1']) {
      expect(decodeNodeResult(h.run({ type: 'registerNode', id: 3, address: bad }))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    }
    expect(decodeNodeResult(h.run({ type: 'registerNode', id: 0, address: 'a:1' }))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect((await h.placement()).nodes.map((n) => n.id)).toEqual([2]);
  });

  it('places replicas spread and deterministically', async () => {
    const h = new MetaHarness();
    h.registerNodes([3, 1, 2]);
    const a = unwrap(h.createLog('orders', 3, 3, 86_400_000));
    expect(a.log).toEqual({ name: 'orders', partitions: 3, replicationFactor: 3, retentionMs: 86_400_000, groupIds: [1, 2, 3], createdAtMs: 5000 });
    // Same nodes for every partition, but the preferred leader rotates.
    expect(a.groups.map((g) => g.replicas)).toEqual([[1, 2, 3], [2, 1, 3], [3, 1, 2]]);
    expect(a.groups[1]).toEqual({ id: 2, kind: 'log', replicas: [2, 1, 3], initialReplicas: [2, 1, 3], log: 'orders', partition: 1 });

    h.registerNodes([4, 5]);
    const b = unwrap(h.createLog('clicks', 4, 2));
    expect(b.log.groupIds).toEqual([4, 5, 6, 7]);
    // Nodes 4 and 5 were empty, so they are filled first until the load evens out.
    expect(b.groups.map((g) => g.replicas)).toEqual([[4, 5], [5, 4], [4, 5], [1, 2]]);
    const load = new Map<number, number>();
    for (const g of (await h.placement()).groups) for (const id of g.replicas) load.set(id, (load.get(id) ?? 0) + 1);
    expect([...load.values()].sort()).toEqual([3, 3, 3, 4, 4]);

    // Draining nodes get no new replicas.
    h.run({ type: 'setNodeState', id: 4, state: 'draining' });
    const c = unwrap(h.createLog('c', 8, 1));
    expect(c.groups.every((g) => g.replicas[0] !== 4)).toBe(true);

    // Another instance given the same commands places identically.
    const h2 = new MetaHarness();
    h2.registerNodes([3, 1, 2]);
    expect(unwrap(h2.createLog('orders', 3, 3, 86_400_000)).groups).toEqual(a.groups);
  });

  it('rejects bad log creations', async () => {
    const h = new MetaHarness();
    h.registerNodes([1, 2]);
    expect(h.createLog('x', 1, 3)).toEqual({ ok: false, code: 'InvalidArgument', message: 'replicationFactor 3 needs 3 up nodes, but 2 are up' });
    expect(unwrap(h.createLog('x', 1, 2)).log.groupIds).toEqual([1]);
    expect(h.createLog('x', 2, 1)).toMatchObject({ ok: false, code: 'AlreadyExists' });
    for (const name of ['', 'a'.repeat(129), 'has space', 'slash/y', 'ü']) {
      expect(h.createLog(name, 1, 1)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('log name') });
    }
    expect(unwrap(h.createLog('A-z_0.9', 1, 1)).log.name).toBe('A-z_0.9');
    expect(h.createLog('p0', 0, 1)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.createLog('p0', 1025, 1)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.createLog('p0', 1, 6)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(h.createLog('p0', 1, 1, -1)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    // Malformed JSON bodies are InvalidArgument results.
    const bad = h.apply(encodeCommand({ clientId: 'z', seq: 1, timestampMs: 0, op: 3, body: new TextEncoder().encode('{"name":1}') }));
    expect(decodeLogResult(bad.result)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect((await h.placement()).logs.map((l) => l.name)).toEqual(['A-z_0.9', 'x']);
  });

  it('deletes logs and moves groups; group ids are never reused', async () => {
    const h = new MetaHarness();
    h.registerNodes([1, 2, 3]);
    unwrap(h.createLog('a', 2, 1));
    const deleted = unwrap(decodeLogResult(h.run({ type: 'deleteLog', name: 'a' })));
    expect(deleted.groups.map((g) => g.id)).toEqual([1, 2]);
    expect(decodeLogResult(h.run({ type: 'deleteLog', name: 'a' }))).toMatchObject({ ok: false, code: 'NotFound' });
    expect(decodeLogResult(await h.read(encodeMetaQuery({ type: 'getLog', name: 'a' })))).toMatchObject({ ok: false, code: 'NotFound' });
    expect(unwrap(h.createLog('b', 1, 2)).log.groupIds).toEqual([3]);

    expect(unwrap(decodeGroupResult(h.run({ type: 'setGroupReplicas', groupId: 3, replicas: [3, 1] }))).replicas).toEqual([3, 1]);
    expect(decodeGroupResult(h.run({ type: 'setGroupReplicas', groupId: 1, replicas: [1] }))).toMatchObject({ ok: false, code: 'NotFound' });
    expect(decodeGroupResult(h.run({ type: 'setGroupReplicas', groupId: 3, replicas: [1, 1] }))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(decodeGroupResult(h.run({ type: 'setGroupReplicas', groupId: 3, replicas: [7] }))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    const p = await h.placement();
    expect(p.groups).toEqual([{ id: 3, kind: 'log', replicas: [3, 1], initialReplicas: [1, 2], log: 'b', partition: 0 }]);
    expect(unwrap(decodeLogResult(await h.read(encodeMetaQuery({ type: 'getLog', name: 'b' })))).groups).toEqual(p.groups);
  });

  it('reports the version of the last change and rebuilds everything on reload', async () => {
    const h = new MetaHarness();
    h.registerNodes([1, 2, 3]);
    unwrap(h.createLog('zeta', 2, 2, 1000));
    unwrap(h.createLog('alpha', 3, 1));
    h.run({ type: 'setNodeState', id: 2, state: 'draining' });
    const changedAt = h.index;
    h.createLog('alpha', 1, 1); // AlreadyExists: not a change
    const before = await h.placement();
    expect(before.version).toBe(changedAt);
    const list = await h.read(encodeMetaQuery({ type: 'listLogs' }));
    expect(unwrap(decodeListLogsResult(list)).map((l) => l.name)).toEqual(['alpha', 'zeta']);

    await h.restart(new MetaStateMachine());
    expect(await h.placement()).toEqual(before);
    expect(await h.read(encodeMetaQuery({ type: 'listLogs' }))).toEqual(list);
    // The group counter survived too.
    expect(unwrap(h.createLog('next', 1, 1)).log.groupIds).toEqual([6]);
  });

  it('places the meta group itself once it is moved, and keeps that across reloads', async () => {
    const h = new MetaHarness();
    h.registerNodes([1, 2, 3, 4]);
    // Until first moved, the meta group's members are its bootstrap peers: nothing is placed.
    expect((await h.placement()).metaReplicas).toBeUndefined();
    h.run({ type: 'setNodeState', id: 4, state: 'removed' });
    for (const bad of [[], [1, 1], [1, 9], [1, 2, 4], [1, 2, 3, 5, 6, 7, 8, 9]]) {
      expect(decodeResult(h.run({ type: 'setMetaReplicas', replicas: bad })), JSON.stringify(bad)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    }
    expect((await h.placement()).metaReplicas).toBeUndefined();
    h.run({ type: 'setNodeState', id: 1, state: 'draining' });
    expect(unwrap(decodeMetaReplicasResult(h.run({ type: 'setMetaReplicas', replicas: [2, 3, 1] })))).toEqual([2, 3, 1]);
    const before = await h.placement();
    expect(before.metaReplicas).toEqual([2, 3, 1]);
    expect(before.version).toBe(h.index);
    await h.restart(new MetaStateMachine());
    expect(await h.placement()).toEqual(before);
  });
});

describe('access keys', () => {
  it('keeps the first secret of a service key, refuses a root key id, and serves both to lookups', async () => {
    const h = new MetaHarness();
    const key = (cmd: MetaCommand) => decodeAccessKeyResult(h.run(cmd), parseJson);
    const root = unwrap(key({ type: 'putRootKey', accessKeyId: 'AKIAROOTROOTROOT0001', secretAccessKey: 'root-secret-0123456789' }));
    expect(root.root).toBe(true);
    const first = unwrap(key({ type: 'putServiceKey', accessKeyId: 'ASIASTRATUSFUNCTIONS', secretAccessKey: 'first-secret-0123456789' }));
    expect(first).toMatchObject({ accessKeyId: 'ASIASTRATUSFUNCTIONS', secretAccessKey: 'first-secret-0123456789', root: false });
    // A second node racing to create it gets the first one's secret back.
    expect(unwrap(key({ type: 'putServiceKey', accessKeyId: 'ASIASTRATUSFUNCTIONS', secretAccessKey: 'second-secret-0123456789' })).secretAccessKey).toBe('first-secret-0123456789');
    expect(key({ type: 'putServiceKey', accessKeyId: 'AKIAROOTROOTROOT0001', secretAccessKey: 'x-secret-0123456789' })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    expect(key({ type: 'putServiceKey', accessKeyId: 'bad id', secretAccessKey: 'x-secret-0123456789' })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    const read = decodeAccessKeyResult(await h.read(encodeMetaQuery({ type: 'getAccessKey', accessKeyId: 'ASIASTRATUSFUNCTIONS' })), parseJson);
    expect(unwrap(read).secretAccessKey).toBe('first-secret-0123456789');
  });
});
