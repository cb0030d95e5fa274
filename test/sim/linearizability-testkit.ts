// Builders, generators and a reference checker for the linearizability checker's tests.
import { expect } from 'vitest';
import { SeededRng } from '../../storage/raft/index.js';
import { checkLinearizable, type Operation } from './linearizability.js';

// ---------------------------------------------------------------------------------------
// Helpers

/** Builds a history with sequential ids. Times are [call, ret]; ret may be Infinity. */
export class H {
  readonly ops: Operation[] = [];
  w(clientId: number, key: string, value: string | null, call: number, ret: number): Operation {
    return this.add({ clientId, key, kind: 'write', value, call, ret });
  }
  r(clientId: number, key: string, value: string | null, call: number, ret: number): Operation {
    return this.add({ clientId, key, kind: 'read', value, call, ret });
  }
  private add(op: Omit<Operation, 'id'>): Operation {
    const full = { id: this.ops.length + 1, ...op };
    this.ops.push(full);
    return full;
  }
}

export function shuffle<T>(rng: SeededRng, xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.intn(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

export interface GenOptions {
  clients: number;
  opsPerClient: number;
  keys: number;
  /** Number of distinct values per key; 0 = every write has a unique value. */
  distinctValues: number;
  /** Max distance from call to linearization point and from there to return. */
  spread: number;
  pendingWriteProb: number;
  pendingReadProb: number;
}

/**
 * Simulates real registers: each op gets a true linearization point inside [call, ret];
 * ops are applied in order of those points, so the history is linearizable by
 * construction. A pending write (ret = Infinity) takes effect at its point with
 * probability 1/2 and is lost otherwise; a pending read returns garbage (it must be ignored).
 */
export function generate(seed: number, o: GenOptions): Operation[] {
  const rng = new SeededRng(seed);
  const ops: (Operation & { lin: number; lost: boolean })[] = [];
  let id = 0;
  for (let c = 0; c < o.clients; c++) {
    let t = rng.intn(5);
    for (let i = 0; i < o.opsPerClient; i++) {
      const call = t + rng.intn(3);
      const lin = call + rng.intn(o.spread + 1);
      let ret = lin + rng.intn(o.spread + 1);
      const key = `k${rng.intn(o.keys)}`;
      const kind = rng.chance(0.5) ? 'write' : 'read';
      let lost = false;
      let value: string | null = null;
      if (kind === 'write') {
        value = o.distinctValues === 0 ? `v${id}` : `v${rng.intn(o.distinctValues)}`;
        if (rng.chance(o.pendingWriteProb)) {
          lost = rng.chance(0.5);
          ret = Infinity;
        }
      } else if (rng.chance(o.pendingReadProb)) {
        ret = Infinity;
        value = 'garbage-from-a-read-that-never-returned';
      }
      ops.push({ id: id++, clientId: c, key, kind, value, call, ret, lin, lost });
      // A client whose request timed out moves on after a timeout.
      t = ret === Infinity ? call + 2 * o.spread + 3 : ret;
    }
  }
  const registers = new Map<string, string | null>();
  for (const op of [...ops].sort((a, b) => a.lin - b.lin || a.id - b.id)) {
    if (op.kind === 'write') {
      if (!op.lost) registers.set(op.key, op.value);
    } else if (op.ret !== Infinity) {
      op.value = registers.get(op.key) ?? null;
    }
  }
  return shuffle(
    rng,
    ops.map(({ lin: _lin, lost: _lost, ...op }) => op),
  );
}

/**
 * Reference checker straight from the definition: depth-first search over all orders of the
 * ops that respect real time (a before b if a.ret < b.call), where every op with a known
 * return must be placed, pending writes may be, and each read returns the current value.
 * The only optimization is remembering failed (placed set, value) pairs. Exponential; only
 * for small histories (at most 30 ops per key).
 */
export function referenceCheck(history: Operation[]): boolean {
  for (const key of new Set(history.map((op) => op.key))) {
    const ops = history.filter((op) => op.key === key && !(op.kind === 'read' && op.ret === Infinity));
    if (ops.length > 30) throw new Error('referenceCheck: too many ops');
    let requiredMask = 0;
    ops.forEach((op, i) => {
      if (op.ret !== Infinity) requiredMask |= 1 << i;
    });
    const failed = new Set<string>();
    const search = (placed: number, value: string | null): boolean => {
      if ((placed & requiredMask) === requiredMask) return true;
      const memo = `${placed}:${value === null ? '' : `=${value}`}`;
      if (failed.has(memo)) return false;
      for (let i = 0; i < ops.length; i++) {
        if (placed & (1 << i)) continue;
        const op = ops[i]!;
        // Every op that completed before this one was invoked must already be placed.
        if (ops.some((p, j) => !(placed & (1 << j)) && p.ret < op.call)) continue;
        if (op.kind === 'read' && op.value !== value) continue;
        if (search(placed | (1 << i), op.kind === 'write' ? op.value : value)) return true;
      }
      failed.add(memo);
      return false;
    };
    if (!search(0, null)) return false;
  }
  return true;
}

/**
 * Finds a read that can be made provably stale and returns the history with that read
 * changed: the read gets a value v such that every write of v (or the initial null) completed
 * before some write w1 of another value was invoked, and w1 completed before the read was
 * invoked. Works with repeated values. Reads are tried in call order, starting at the given
 * fraction of the history.
 */
export function makeStale(
  history: Operation[],
  fromFraction: number,
): { mutated: Operation[]; victim: Operation } | undefined {
  const sorted = [...history].sort((a, b) => a.call - b.call || a.id - b.id);
  for (const r of sorted.slice(Math.floor(sorted.length * fromFraction))) {
    if (r.kind !== 'read' || r.ret === Infinity) continue;
    const writes = history.filter((op) => op.key === r.key && op.kind === 'write');
    const candidates = [null, ...new Set(writes.map((w) => w.value))].filter((v) => v !== r.value);
    for (const v of candidates) {
      const ofV = writes.filter((w) => w.value === v);
      if (ofV.some((w) => w.ret === Infinity)) continue;
      const lastRet = Math.max(-Infinity, ...ofV.map((w) => w.ret));
      if (writes.some((w1) => w1.value !== v && w1.call > lastRet && w1.ret < r.call)) {
        return { mutated: history.map((op) => (op === r ? { ...op, value: v } : op)), victim: r };
      }
    }
  }
  return undefined;
}

export function expectFail(history: Operation[], key: string): string {
  const res = checkLinearizable(history);
  expect(res.ok).toBe(false);
  expect(res.timedOut).toBeFalsy();
  expect(res.key).toBe(key);
  expect(typeof res.explanation).toBe('string');
  expect(res.explanation).toContain(JSON.stringify(key));
  return res.explanation ?? '';
}

export function expectPass(history: Operation[]): void {
  const res = checkLinearizable(history);
  expect(res).toEqual({ ok: true });
}

// ---------------------------------------------------------------------------------------
// Hand-written histories

/** The checker's verdict, after asserting it matches the brute-force reference's. */
export function agreedVerdict(history: Operation[]): boolean {
  const expected = referenceCheck(history);
  const res = checkLinearizable(history);
  if (res.ok !== expected || res.timedOut) {
    throw new Error(`disagreement (expected ok=${expected}) on ${JSON.stringify(history)}`);
  }
  return expected;
}
