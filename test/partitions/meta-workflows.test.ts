// Step Functions state machines and activities in the meta catalog: idempotent creation with a
// `workflow` group each, updates and revisions, versions (numbers never reused, publishing a
// frozen revision answers its version, the revision precondition), aliases and their routing
// rules, tags, limits, deletion giving groups back, and a replica that reloads from the store
// answering and encoding exactly as one that applied live.
import { describe, expect, it } from 'vitest';
import { type KvOp } from '../../storage/engine/engine.js';
import { type Decoded, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type MetaCommand,
  MetaOp,
  MetaStateMachine,
  type WorkflowCatalogCommand,
  type WorkflowCatalogResult,
  decodePlacementResult,
  decodeWorkflowCatalogResult,
  encodeMetaCommand,
  encodeMetaQuery,
  refusalOf,
} from '../../storage/partitions/meta.js';
import { Harness, MemoryStore } from './memory-store.js';

const WHO = { account: '123456789012' };
const DEF = '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}';
const OFF = { level: 'OFF' as const, includeExecutionData: false, destinations: [] };
/** Ops on the catalog's keys, leaving out the exactly-once table's (relative prefix 0x00 0x64). */
const ownOps = (ops: KvOp[]): KvOp[] => ops.filter((o) => o.type === 'delRange' || !(o.key[0] === 0x00 && o.key[1] === 0x64));

type Create = Omit<Extract<WorkflowCatalogCommand, { type: 'createStateMachine' }>, 'type' | 'name' | 'account'>;

class MetaHarness extends Harness<MetaStateMachine> {
  seq = 0;
  constructor(store?: MemoryStore) {
    super(new MetaStateMachine(), store);
    if (!store) for (const id of [1, 2, 3]) this.send({ type: 'registerNode', id, address: `n${id}:7000` });
  }
  send(cmd: MetaCommand, timestampMs = 5000): { result: Uint8Array; ops: KvOp[] } {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeMetaCommand(cmd) }));
  }
  wf(command: WorkflowCatalogCommand, at = 5000): Decoded<WorkflowCatalogResult> {
    return decodeWorkflowCatalogResult(this.send({ type: 'workflow', command }, at).result);
  }
  create(name: string, more: Partial<Create> = {}, at = 1000) {
    return this.wf(
      {
        type: 'createStateMachine',
        name,
        ...WHO,
        machineType: 'STANDARD',
        definition: DEF,
        roleArn: 'arn:aws:iam::123456789012:role/r',
        loggingConfiguration: OFF,
        tracingConfiguration: { enabled: false },
        tags: {},
        revisionId: `rev-${name}-0`,
        publish: false,
        replicationFactor: 1,
        stateMachineLimit: 100,
        ...more,
      },
      at,
    );
  }
  update(name: string, revisionId: string, more: Partial<Extract<WorkflowCatalogCommand, { type: 'updateStateMachine' }>> = {}, at = 2000) {
    return this.wf({ type: 'updateStateMachine', name, ...WHO, revisionId, publish: false, versionLimit: 1000, ...more }, at);
  }
  publish(name: string, more: { expectedRevisionId?: string; description?: string; versionLimit?: number } = {}, at = 3000) {
    return this.wf({ type: 'publishVersion', name, ...WHO, versionLimit: 1000, ...more }, at);
  }
  alias(name: string, alias: string, routes: { version: number; weight: number }[], description?: string, at = 4000) {
    return this.wf({ type: 'createAlias', name, ...WHO, alias, routes, aliasLimit: 100, ...(description ? { description } : {}) }, at);
  }
  activity(name: string, more: { tags?: Record<string, string>; activityLimit?: number } = {}, at = 1000) {
    return this.wf({ type: 'createActivity', name, ...WHO, tags: more.tags ?? {}, replicationFactor: 1, activityLimit: more.activityLimit ?? 100 }, at);
  }
  async placement() {
    return unwrap(decodePlacementResult(await this.read(encodeMetaQuery({ type: 'getPlacement' }))));
  }
}

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

/** The refusal kind of a failed command. */
function refused<T>(d: Decoded<T>): string {
  if (d.ok) throw new Error('expected a refusal');
  return refusalOf(d.message)?.kind ?? `${d.code}: ${d.message}`;
}

describe('meta kind: workflow catalog', () => {
  it('uses its own op and key prefixes', () => {
    expect(MetaOp.WorkflowCatalog).toBe(21);
    const h = new MetaHarness();
    const { ops } = h.send({ type: 'workflow', command: { type: 'createActivity', name: 'a', ...WHO, tags: {}, replicationFactor: 1, activityLimit: 10 } });
    const keys = ownOps(ops).map((o) => (o.type === 'delRange' ? '' : new TextDecoder().decode(o.key)));
    expect(keys).toContain(`A/${WHO.account}/a`);
  });

  it('creates a state machine with one workflow group; an equal create answers it, a different one is refused', async () => {
    const h = new MetaHarness();
    const m = unwrap(h.create('orders', { tags: { b: '2', a: '1' }, replicationFactor: 3 })).stateMachine!;
    expect(m).toMatchObject({ name: 'orders', account: WHO.account, id: h.index, type: 'STANDARD', revisionId: 'rev-orders-0', creationDate: 1000, nextVersion: 1, versions: [], aliases: [] });
    expect(Object.keys(m.tags)).toEqual(['a', 'b']);
    const p = await h.placement();
    expect(p.stateMachines).toEqual([m]);
    expect(p.groups.filter((g) => g.kind === 'workflow').map((g) => [g.id, g.workflow, new Set(g.replicas).size])).toEqual([[m.groupId, `${WHO.account}:stateMachine:orders`, 3]]);

    // Role and tags do not count (AWS); nothing is written.
    const again = h.send({ type: 'workflow', command: { type: 'createStateMachine', name: 'orders', ...WHO, machineType: 'STANDARD', definition: DEF, roleArn: 'other', loggingConfiguration: OFF, tracingConfiguration: { enabled: false }, tags: { x: 'y' }, revisionId: 'r2', publish: false, replicationFactor: 1, stateMachineLimit: 100 } });
    expect(unwrap(decodeWorkflowCatalogResult(again.result))).toEqual({ stateMachine: m, existed: true });
    expect(ownOps(again.ops)).toEqual([]);
    expect(refused(h.create('orders', { definition: '{}' }))).toBe('StateMachineAlreadyExists');
    expect(refused(h.create('orders', { machineType: 'EXPRESS' }))).toBe('StateMachineAlreadyExists');
    expect(refused(h.create('orders', { tracingConfiguration: { enabled: true } }))).toBe('StateMachineAlreadyExists');
    // Publishing again is the same request only when the current revision has a version.
    expect(refused(h.create('orders', { publish: true }))).toBe('StateMachineAlreadyExists');
    expect(refused(h.create('bad name'))).toBe('Invalid');
    expect(refused(h.create('wide', { replicationFactor: 4 }))).toBe('Invalid');
    expect((await h.placement()).stateMachines.map((x) => x.name)).toEqual(['orders']);
  });

  it('holds the state machine and activity limits', async () => {
    const h = new MetaHarness();
    unwrap(h.create('a', { stateMachineLimit: 2 }));
    unwrap(h.create('b', { stateMachineLimit: 2 }));
    expect(refused(h.create('c', { stateMachineLimit: 2 }))).toBe('StateMachineLimitExceeded');
    expect(unwrap(h.create('a', { stateMachineLimit: 2 })).existed).toBe(true);
    unwrap(h.activity('x', { activityLimit: 1 }));
    expect(refused(h.activity('y', { activityLimit: 1 }))).toBe('ActivityLimitExceeded');
    expect(unwrap(h.activity('x', { activityLimit: 1, tags: { ignored: '1' } }))).toMatchObject({ existed: true, activity: { tags: {} } });
  });

  it('updates revisions only on change, publishes with the update, and versions without reusing numbers', async () => {
    const h = new MetaHarness();
    unwrap(h.create('m', { publish: true, versionDescription: 'one' }));
    let m = (await h.placement()).stateMachines[0]!;
    expect(m.versions.map((v) => [v.version, v.revisionId, v.description])).toEqual([[1, 'rev-m-0', 'one']]);
    expect(unwrap(h.create('m', { publish: true, versionDescription: 'one' }))).toMatchObject({ version: 1, existed: true });

    // No change: the revision stays, and publishing answers the existing version.
    const same = unwrap(h.update('m', 'rev-unused', { definition: DEF, publish: true }));
    expect([same.stateMachine!.revisionId, same.version, same.existed]).toEqual(['rev-m-0', 1, true]);
    const changed = unwrap(h.update('m', 'rev-1', { definition: '{"changed":1}', publish: true, versionDescription: 'two' }, 2500)).stateMachine!;
    expect([changed.revisionId, changed.updateDate, changed.versions.map((v) => v.version)]).toEqual(['rev-1', 2500, [1, 2]]);
    expect(refused(h.publish('m', { expectedRevisionId: 'rev-m-0' }))).toBe('RevisionConflict');
    expect(unwrap(h.publish('m', { expectedRevisionId: 'rev-1' }))).toMatchObject({ version: 2, existed: true });

    unwrap(h.update('m', 'rev-2', { roleArn: 'arn:aws:iam::123456789012:role/other' }));
    expect(unwrap(h.publish('m', { description: 'three' })).version).toBe(3);
    unwrap(h.wf({ type: 'deleteVersion', name: 'm', ...WHO, version: 3 }));
    expect(refused(h.wf({ type: 'deleteVersion', name: 'm', ...WHO, version: 3 }))).toBe('VersionDoesNotExist');
    unwrap(h.update('m', 'rev-3', { tracingConfiguration: { enabled: true } }));
    expect(unwrap(h.publish('m')).version).toBe(4);
    expect(refused(h.publish('none'))).toBe('StateMachineDoesNotExist');
    unwrap(h.update('m', 'rev-4', { definition: '{"v":5}' }));
    expect(refused(h.publish('m', { versionLimit: 3 }))).toBe('VersionLimitExceeded');
    // A refused publish leaves the update it came with unapplied.
    expect(refused(h.update('m', 'rev-5', { definition: '{"v":6}', publish: true, versionLimit: 3 }))).toBe('VersionLimitExceeded');
    m = (await h.placement()).stateMachines[0]!;
    expect([m.revisionId, m.definition, m.nextVersion, m.versions.map((v) => v.version)]).toEqual(['rev-4', '{"v":5}', 5, [1, 2, 4]]);
    expect(m.versions.find((v) => v.version === 2)).toMatchObject({ definition: '{"changed":1}', description: 'two', roleArn: 'arn:aws:iam::123456789012:role/r' });
  });

  it('routes aliases to existing versions and protects the versions they route to', async () => {
    const h = new MetaHarness();
    unwrap(h.create('m', { publish: true }));
    unwrap(h.update('m', 'rev-1', { definition: '{"x":1}', publish: true }));
    const created = unwrap(h.alias('m', 'PROD', [{ version: 2, weight: 10 }, { version: 1, weight: 90 }], 'p')).stateMachine!;
    expect(created.aliases).toEqual([{ name: 'PROD', description: 'p', routes: [{ version: 1, weight: 90 }, { version: 2, weight: 10 }], creationDate: 4000, updateDate: 4000 }]);
    expect(unwrap(h.alias('m', 'PROD', [{ version: 1, weight: 90 }, { version: 2, weight: 10 }], 'p'))).toMatchObject({ existed: true });
    expect(refused(h.alias('m', 'PROD', [{ version: 1, weight: 100 }], 'p'))).toBe('AliasAlreadyExists');
    expect(refused(h.alias('m', 'X', [{ version: 1, weight: 50 }]))).toBe('InvalidRouting');
    expect(refused(h.alias('m', 'X', [{ version: 1, weight: 50 }, { version: 1, weight: 50 }]))).toBe('InvalidRouting');
    expect(refused(h.alias('m', 'X', []))).toBe('InvalidRouting');
    expect(refused(h.alias('m', 'X', [{ version: 1, weight: 40 }, { version: 2, weight: 30 }, { version: 3, weight: 30 }]))).toBe('InvalidRouting');
    expect(refused(h.alias('m', 'X', [{ version: 7, weight: 100 }]))).toBe('VersionDoesNotExist');
    expect(refused(h.alias('m', '42', [{ version: 1, weight: 100 }]))).toBe('Invalid');
    expect(refused(h.alias('none', 'X', [{ version: 1, weight: 100 }]))).toBe('StateMachineDoesNotExist');
    expect(refused(h.wf({ type: 'createAlias', name: 'm', ...WHO, alias: 'Y', routes: [{ version: 1, weight: 100 }], aliasLimit: 1 }))).toBe('AliasLimitExceeded');

    expect(refused(h.wf({ type: 'deleteVersion', name: 'm', ...WHO, version: 2 }))).toBe('VersionInUse');
    const upd = unwrap(h.wf({ type: 'updateAlias', name: 'm', ...WHO, alias: 'PROD', routes: [{ version: 1, weight: 100 }] }, 4500)).stateMachine!;
    expect(upd.aliases[0]).toEqual({ name: 'PROD', description: 'p', routes: [{ version: 1, weight: 100 }], creationDate: 4000, updateDate: 4500 });
    unwrap(h.wf({ type: 'deleteVersion', name: 'm', ...WHO, version: 2 }));
    expect(refused(h.wf({ type: 'updateAlias', name: 'm', ...WHO, alias: 'NONE', description: 'x' }))).toBe('AliasDoesNotExist');
    unwrap(h.wf({ type: 'deleteAlias', name: 'm', ...WHO, alias: 'PROD' }));
    expect(refused(h.wf({ type: 'deleteAlias', name: 'm', ...WHO, alias: 'PROD' }))).toBe('AliasDoesNotExist');
    unwrap(h.wf({ type: 'deleteVersion', name: 'm', ...WHO, version: 1 }));
    expect((await h.placement()).stateMachines[0]).toMatchObject({ versions: [], aliases: [], nextVersion: 3 });
  });

  it('tags state machines and activities within the limit', async () => {
    const h = new MetaHarness();
    unwrap(h.create('m', { tags: { keep: '1' } }));
    unwrap(h.activity('a'));
    const tag = (resource: 'stateMachine' | 'activity', name: string, tags: Record<string, string>, tagLimit = 3) => h.wf({ type: 'tagResource', resource, name, ...WHO, tags, tagLimit });
    expect(Object.entries(unwrap(tag('stateMachine', 'm', { z: '1', a: '2' })).stateMachine!.tags)).toEqual([
      ['a', '2'],
      ['keep', '1'],
      ['z', '1'],
    ]);
    expect(refused(tag('stateMachine', 'm', { more: 'x' }))).toBe('TooManyTags');
    expect(unwrap(h.wf({ type: 'untagResource', resource: 'stateMachine', name: 'm', ...WHO, keys: ['a', 'absent'] })).stateMachine!.tags).toEqual({ keep: '1', z: '1' });
    expect(unwrap(tag('activity', 'a', { t: '1' })).activity!.tags).toEqual({ t: '1' });
    expect(refused(tag('activity', 'none', { t: '1' }))).toBe('ActivityDoesNotExist');
    expect(refused(tag('stateMachine', 'none', { t: '1' }))).toBe('StateMachineDoesNotExist');
    expect(unwrap(h.wf({ type: 'untagResource', resource: 'activity', name: 'a', ...WHO, keys: ['t'] })).activity!.tags).toEqual({});
  });

  it('deletes state machines and activities, giving their groups back', async () => {
    const h = new MetaHarness();
    const m = unwrap(h.create('m', { publish: true })).stateMachine!;
    const a = unwrap(h.activity('a')).activity!;
    expect(a.groupId).toBe(m.groupId + 1);
    const gone = h.send({ type: 'workflow', command: { type: 'deleteStateMachine', name: 'm', ...WHO } });
    expect(unwrap(decodeWorkflowCatalogResult(gone.result)).stateMachine).toEqual(m);
    expect(ownOps(gone.ops).filter((o) => o.type === 'del')).toHaveLength(2);
    unwrap(h.wf({ type: 'deleteActivity', name: 'a', ...WHO }));
    expect(refused(h.wf({ type: 'deleteStateMachine', name: 'm', ...WHO }))).toBe('StateMachineDoesNotExist');
    expect(refused(h.wf({ type: 'deleteActivity', name: 'a', ...WHO }))).toBe('ActivityDoesNotExist');
    const p = await h.placement();
    expect([p.stateMachines, p.activities, p.groups.filter((g) => g.kind === 'workflow')]).toEqual([[], [], []]);
    // The name comes back as a new incarnation: new id, new group, versions from 1.
    const again = unwrap(h.create('m', { publish: true }, 9000));
    expect(again.stateMachine!.id).toBeGreaterThan(m.id);
    expect(again.stateMachine!.groupId).toBeGreaterThan(a.groupId);
    expect(again.version).toBe(1);
  });

  it('reloads to the same catalog, which goes on deciding and encoding alike', async () => {
    const live = new MetaHarness();
    unwrap(live.create('m', { publish: true, tags: { z: '1', a: '2' }, encryptionConfiguration: { type: 'CUSTOMER_MANAGED_KMS_KEY', kmsKeyId: 'k', kmsDataKeyReusePeriodSeconds: 300 } }));
    unwrap(live.update('m', 'rev-1', { definition: '{"y":1}', publish: true, versionDescription: 'd' }));
    unwrap(live.alias('m', 'A', [{ version: 1, weight: 50 }, { version: 2, weight: 50 }], 'x'));
    unwrap(live.activity('w', { tags: { k: 'v' } }));
    expect(refused(live.wf({ type: 'deleteVersion', name: 'm', ...WHO, version: 2 }))).toBe('VersionInUse');

    // A second replica's store: a copy of the first's, loaded by a fresh state machine.
    const copy = new MemoryStore();
    copy.write(live.store.dump().map(([k, v]) => ({ type: 'put' as const, key: new Uint8Array(Buffer.from(k, 'hex')), value: new Uint8Array(Buffer.from(v, 'hex')) })));
    const reloaded = new MetaHarness(copy);
    reloaded.seq = live.seq;
    reloaded.index = live.index;
    await reloaded.restart(new MetaStateMachine());
    expect(await reloaded.placement()).toEqual(await live.placement());

    // The same next commands give byte-identical results and writes on both.
    const next: WorkflowCatalogCommand[] = [
      { type: 'publishVersion', name: 'm', ...WHO, versionLimit: 10 },
      { type: 'updateStateMachine', name: 'm', ...WHO, definition: '{"z":2}', revisionId: 'rev-2', publish: true, versionLimit: 10 },
      { type: 'createAlias', name: 'm', ...WHO, alias: 'B', routes: [{ version: 3, weight: 100 }], aliasLimit: 10 },
      { type: 'tagResource', resource: 'activity', name: 'w', ...WHO, tags: { b: '1' }, tagLimit: 50 },
    ];
    for (const command of next) {
      const a = live.send({ type: 'workflow', command }, 7000);
      const b = reloaded.send({ type: 'workflow', command }, 7000);
      expect(Buffer.from(b.result).toString('hex')).toBe(Buffer.from(a.result).toString('hex'));
      expect(ownOps(b.ops)).toEqual(ownOps(a.ops));
    }
    expect(live.store.dump()).toEqual(reloaded.store.dump());
  });
});
