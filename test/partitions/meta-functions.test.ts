import { describe, expect, it } from 'vitest';
import { type Decoded, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type CatalogLimits,
  type MetaCommand,
  MetaStateMachine,
  decodeDocListResult,
  decodeDocResult,
  decodePlacementResult,
  decodeStoreResult,
  decodeUsageResult,
  encodeMetaCommand,
  encodeMetaQuery,
} from '../../storage/partitions/meta.js';
import { Harness } from './memory-store.js';

const LIMITS: CatalogLimits = { codeStorageBytes: 1000, accountConcurrency: 1000, minUnreserved: 100 };

class MetaHarness extends Harness<MetaStateMachine> {
  seq = 0;
  constructor() {
    super(new MetaStateMachine());
  }
  run(cmd: MetaCommand, timestampMs = 5000): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeMetaCommand(cmd) })).result;
  }
  put(name: string, expectRev: number, doc: unknown, codeBytes = 0, reserved: number | null = null, kind: 'function' | 'layer' = 'function') {
    return decodeDocResult(this.run({ type: 'putDoc', kind, name, expectRev, doc, codeBytes, reserved, limits: LIMITS }));
  }
  async usage() {
    return unwrap(decodeUsageResult(await this.read(encodeMetaQuery({ type: 'getUsage' }))));
  }
}

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

describe('meta kind: function catalog', () => {
  it('creates, updates by revision, lists and deletes documents', async () => {
    const h = new MetaHarness();
    expect(unwrap(h.put('f', 0, { v: 1 }, 10)).rev).toBe(1);
    expect(h.put('f', 0, { v: 9 })).toMatchObject({ ok: false, code: 'AlreadyExists' });
    expect(unwrap(h.put('f', 1, { v: 2 }, 20)).rev).toBe(2);
    // A stale revision loses: the concurrent writer must re-read.
    expect(h.put('f', 1, { v: 3 })).toMatchObject({ ok: false, code: 'FailedPrecondition' });
    expect(h.put('missing', 4, { v: 1 })).toMatchObject({ ok: false, code: 'NotFound' });
    unwrap(h.put('a', 0, { v: 'a' }));
    unwrap(h.put('z', 0, { v: 'z' }));
    const page = unwrap(decodeDocListResult(await h.read(encodeMetaQuery({ type: 'listDocs', kind: 'function', after: 'a', limit: 1 }))));
    expect(page.map((d) => d.name)).toEqual(['f']);
    expect(unwrap(decodeDocResult(await h.read(encodeMetaQuery({ type: 'getDoc', kind: 'function', name: 'f' })))).doc).toEqual({ v: 2 });
    expect(unwrap(h.put('f', 2, null)).rev).toBe(2);
    expect(decodeDocResult(await h.read(encodeMetaQuery({ type: 'getDoc', kind: 'function', name: 'f' })))).toMatchObject({ ok: false, code: 'NotFound' });
    expect(h.put('bad name!', 0, {})).toMatchObject({ ok: false, code: 'InvalidArgument' });
  });

  it('enforces the code storage quota across functions and layers, but never blocks shrinking', async () => {
    const h = new MetaHarness();
    unwrap(h.put('f', 0, {}, 600));
    unwrap(h.put('l', 0, {}, 300, null, 'layer'));
    expect(h.put('g', 0, {}, 200)).toMatchObject({ ok: false, code: 'OutOfRange' });
    expect(await h.usage()).toEqual({ codeBytes: 900, reservedConcurrency: 0, functions: 1 });
    unwrap(h.put('f', 1, {}, 500));
    unwrap(h.put('g', 0, {}, 200));
    expect((await h.usage()).codeBytes).toBe(1000);
  });

  it('keeps the minimum unreserved concurrency across all reservations', async () => {
    const h = new MetaHarness();
    unwrap(h.put('a', 0, {}, 0, 500));
    expect(h.put('b', 0, {}, 0, 401)).toMatchObject({ ok: false, code: 'InvalidArgument' });
    unwrap(h.put('b', 0, {}, 0, 400));
    expect((await h.usage()).reservedConcurrency).toBe(900);
    // Lowering is always allowed; deleting releases.
    unwrap(h.put('a', 1, {}, 0, 100));
    unwrap(h.put('b', 1, null));
    expect((await h.usage()).reservedConcurrency).toBe(100);
  });

  it('creates an internal store once and shows it in the placement', async () => {
    const h = new MetaHarness();
    h.run({ type: 'registerNode', id: 1, address: 'n1:7000' });
    const s = unwrap(decodeStoreResult(h.run({ type: 'ensureStore', name: 'lambda-code', partitions: 2, replicationFactor: 1 })));
    expect(s.groupIds).toHaveLength(2);
    const again = unwrap(decodeStoreResult(h.run({ type: 'ensureStore', name: 'lambda-code', partitions: 4, replicationFactor: 1 })));
    expect(again).toEqual(s);
    const p = unwrap(decodePlacementResult(await h.read(encodeMetaQuery({ type: 'getPlacement' }))));
    expect(p.stores).toEqual([s]);
    expect(p.groups.filter((g) => g.store === 'lambda-code').map((g) => g.kind)).toEqual(['blob', 'blob']);
  });

  it('rebuilds the same state after a restart', async () => {
    const h = new MetaHarness();
    h.run({ type: 'registerNode', id: 1, address: 'n1:7000' });
    unwrap(h.put('f', 0, { nested: { b: 1, a: [1, 2] } }, 100, 150));
    unwrap(h.put('l', 0, { v: 1 }, 50, null, 'layer'));
    h.run({ type: 'ensureStore', name: 'lambda-code', partitions: 1, replicationFactor: 1 });
    const before = await h.read(encodeMetaQuery({ type: 'getDoc', kind: 'function', name: 'f' }));
    const usage = await h.usage();
    await h.restart(new MetaStateMachine());
    expect(await h.read(encodeMetaQuery({ type: 'getDoc', kind: 'function', name: 'f' }))).toEqual(before);
    expect(await h.usage()).toEqual(usage);
    expect(unwrap(decodePlacementResult(await h.read(encodeMetaQuery({ type: 'getPlacement' })))).stores).toHaveLength(1);
  });
});

describe('meta kind: function catalog and the catalog version', () => {
  it('moves the version with every document write, so other gateways drop their cached copies', async () => {
    const h = new MetaHarness();
    const version = async () => unwrap(decodePlacementResult(await h.read(encodeMetaQuery({ type: 'getPlacement' })))).version;
    const v0 = await version();
    unwrap(h.put('f', 0, { v: 1 }));
    const v1 = await version();
    expect(v1).toBeGreaterThan(v0);
    unwrap(h.put('f', 1, { v: 2 }));
    expect(await version()).toBeGreaterThan(v1);
  });
});
