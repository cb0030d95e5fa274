import { describe, expect, it } from 'vitest';
import { type KvOp } from '../../storage/engine/engine.js';
import { type CommandPayload, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import { type PartitionStateMachine } from '../../storage/partitions/kind.js';
import { LogStateMachine, encodeLogCommand, encodeLogQuery } from '../../storage/partitions/log.js';
import { MetaStateMachine, NODE_STATES, encodeMetaCommand, encodeMetaQuery } from '../../storage/partitions/meta.js';
import { SeededRng } from '../../storage/raft/rng.js';
import { Harness } from './memory-store.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const opText = (o: KvOp): string =>
  o.type === 'put' ? `put ${hex(o.key)}=${hex(o.value)}` : o.type === 'del' ? `del ${hex(o.key)}` : `delRange ${hex(o.start)}..${hex(o.end)}`;

/** Clients with recent seqs, so that retries, out-of-order and too-old seqs all occur. */
function envelope(rng: SeededRng, seqs: number[], payload: { op: number; body: Uint8Array }, step: number): Uint8Array {
  const c = rng.intn(seqs.length);
  const high = seqs[c] as number;
  // Mostly new seqs; sometimes a retry or an older in-flight one; now and then a leap.
  const pick = rng.intn(10);
  const seq = pick < 6 ? high + 1 : pick < 9 ? Math.max(1, high - rng.intn(30)) : high + 1 + rng.intn(20);
  seqs[c] = Math.max(high, seq);
  return encodeCommand({ clientId: `client-${c}`, seq, timestampMs: 1000 + step * 10 - rng.intn(50), ...payload });
}

/** Applies the same commands to two instances; b restarts (reloads from its store) at random. */
async function compareRuns<SM extends PartitionStateMachine>(
  make: () => SM,
  commands: Uint8Array[],
  queries: Uint8Array[],
  seed: number,
): Promise<Set<string>> {
  const outcomes = new Set<string>();
  const a = new Harness(make());
  const b = new Harness(make());
  const restarts = new SeededRng(seed + 1);
  for (const cmd of commands) {
    const ra = a.apply(cmd);
    const rb = b.apply(cmd);
    expect(hex(rb.result)).toBe(hex(ra.result));
    expect(rb.ops.map(opText)).toEqual(ra.ops.map(opText));
    const res = decodeResult(ra.result);
    outcomes.add(res.ok ? (ra.ops.length === 0 ? 'duplicate' : 'ok') : res.code);
    if (restarts.intn(15) === 0) await b.restart(make());
  }
  expect(b.store.dump()).toEqual(a.store.dump());
  for (const q of queries) expect(hex(await b.read(q))).toBe(hex(await a.read(q)));
  return outcomes;
}

function logCommands(seed: number, steps: number): Uint8Array[] {
  const rng = new SeededRng(seed);
  const seqs = new Array<number>(6).fill(0);
  let appended = 0;
  const out: Uint8Array[] = [];
  for (let step = 0; step < steps; step++) {
    const k = rng.intn(20);
    if (k === 0) {
      out.push(new Uint8Array([1, rng.intn(5)])); // garbage
      continue;
    }
    let payload: CommandPayload;
    if (k < 14) {
      const n = 1 + rng.intn(5);
      const records = Array.from({ length: n }, () => ({
        key: rng.intn(3) === 0 ? undefined : new Uint8Array(rng.intn(6)).fill(rng.intn(256)),
        value: new Uint8Array(rng.intn(40)).fill(step & 0xff),
      }));
      appended += n;
      payload = encodeLogCommand({ type: 'append', records });
    } else if (k < 16) payload = encodeLogCommand({ type: 'trimTo', offset: rng.intn(appended + 3) });
    else if (k < 18) payload = encodeLogCommand({ type: 'trimBefore', cutoffMs: 1000 + rng.intn(step * 10 + 1) });
    else payload = encodeLogCommand({ type: 'setRetention', retentionMs: rng.intn(100_000) });
    out.push(envelope(rng, seqs, payload, step));
  }
  return out;
}

const NAMES = ['a', 'b', 'c', 'logs.x', 'bad name'];

function metaCommands(seed: number, steps: number): Uint8Array[] {
  const rng = new SeededRng(seed);
  const seqs = new Array<number>(4).fill(0);
  const out: Uint8Array[] = [];
  for (let step = 0; step < steps; step++) {
    const k = rng.intn(6);
    const id = 1 + rng.intn(7);
    const name = NAMES[rng.intn(NAMES.length)] as string;
    let payload: CommandPayload;
    if (k === 0) payload = encodeMetaCommand({ type: 'registerNode', id, address: `h${id}:${7000 + rng.intn(2)}` });
    else if (k === 1) payload = encodeMetaCommand({ type: 'setNodeState', id, state: NODE_STATES[rng.intn(3)] ?? 'up' });
    else if (k === 2) {
      payload = encodeMetaCommand({ type: 'createLog', name, partitions: 1 + rng.intn(6), replicationFactor: 1 + rng.intn(4), retentionMs: rng.intn(1000) });
    } else if (k === 3) payload = encodeMetaCommand({ type: 'deleteLog', name });
    else if (k === 4) {
      payload = encodeMetaCommand({ type: 'setGroupReplicas', groupId: 1 + rng.intn(20), replicas: [1 + rng.intn(7), 1 + rng.intn(7)] });
    } else payload = encodeMetaCommand({ type: 'registerNode', id: 1 + rng.intn(3), address: `h:${rng.intn(3)}` });
    out.push(envelope(rng, seqs, payload, step));
  }
  return out;
}

describe('determinism', () => {
  it('log: the same commands give byte-identical ops and results, across reloads', async () => {
    const queries = [
      encodeLogQuery({ type: 'info' }),
      ...[0, 50, 200, 400].map((fromOffset) => encodeLogQuery({ type: 'read', fromOffset, maxRecords: 50, maxBytes: 500 })),
    ];
    for (const seed of [1, 2, 3]) {
      const make = (): LogStateMachine => new LogStateMachine({ dedup: { window: 16, maxClients: 4 } });
      const outcomes = await compareRuns(make, logCommands(seed, 600), queries, seed);
      for (const o of ['ok', 'duplicate', 'SequenceTooOld', 'InvalidArgument', 'OutOfRange']) expect(outcomes).toContain(o);
    }
  });

  it('meta: the same commands give byte-identical ops and results, across reloads', async () => {
    const queries = [
      encodeMetaQuery({ type: 'getPlacement' }),
      encodeMetaQuery({ type: 'listLogs' }),
      ...NAMES.map((name) => encodeMetaQuery({ type: 'getLog', name })),
    ];
    for (const seed of [7, 8]) {
      const make = (): MetaStateMachine => new MetaStateMachine({ dedup: { window: 8, maxClients: 3 } });
      const outcomes = await compareRuns(make, metaCommands(seed, 500), queries, seed);
      for (const o of ['ok', 'duplicate', 'SequenceTooOld', 'InvalidArgument', 'NotFound', 'AlreadyExists']) expect(outcomes).toContain(o);
    }
  });
});
