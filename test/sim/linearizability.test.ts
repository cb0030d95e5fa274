import { describe, expect, it } from 'vitest';
import { checkLinearizable, type Operation } from './linearizability.js';

// ---------------------------------------------------------------------------------------
// Helpers

/** Builds a history with sequential ids. Times are [call, ret]; ret may be Infinity. */
class H {
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

/** Small seeded PRNG (32-bit state, multiply/xorshift output). */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = (seed ^ 0x5bd1e995) >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 15), 0x2c1b3c6d);
    z = Math.imul(z ^ (z >>> 12), 0x297a2d39);
    return ((z ^ (z >>> 15)) >>> 0) / 0x100000000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

function shuffle<T>(rng: Rng, xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

interface GenOptions {
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
function generate(seed: number, o: GenOptions): Operation[] {
  const rng = new Rng(seed);
  const ops: (Operation & { lin: number; lost: boolean })[] = [];
  let id = 0;
  for (let c = 0; c < o.clients; c++) {
    let t = rng.int(5);
    for (let i = 0; i < o.opsPerClient; i++) {
      const call = t + rng.int(3);
      const lin = call + rng.int(o.spread + 1);
      let ret = lin + rng.int(o.spread + 1);
      const key = `k${rng.int(o.keys)}`;
      const kind = rng.chance(0.5) ? 'write' : 'read';
      let lost = false;
      let value: string | null = null;
      if (kind === 'write') {
        value = o.distinctValues === 0 ? `v${id}` : `v${rng.int(o.distinctValues)}`;
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
function referenceCheck(history: Operation[]): boolean {
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
function makeStale(
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

function expectFail(history: Operation[], key: string): string {
  const res = checkLinearizable(history);
  expect(res.ok).toBe(false);
  expect(res.timedOut).toBeFalsy();
  expect(res.key).toBe(key);
  expect(typeof res.explanation).toBe('string');
  expect(res.explanation).toContain(JSON.stringify(key));
  return res.explanation ?? '';
}

function expectPass(history: Operation[]): void {
  const res = checkLinearizable(history);
  expect(res).toEqual({ ok: true });
}

// ---------------------------------------------------------------------------------------
// Hand-written histories

describe('checkLinearizable: basics', () => {
  it('accepts the empty history', () => {
    expectPass([]);
  });

  it('accepts a sequential correct history', () => {
    const h = new H();
    h.r(1, 'x', null, 0, 1);
    h.w(1, 'x', 'a', 2, 3);
    h.r(2, 'x', 'a', 4, 5);
    h.w(2, 'x', 'b', 6, 7);
    h.r(1, 'x', 'b', 8, 9);
    h.r(2, 'x', 'b', 10, 11);
    expectPass(h.ops);
  });

  it('rejects a stale read after a completed write, with key and explanation', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.w(1, 'x', 'b', 2, 3);
    const stale = h.r(2, 'x', 'a', 4, 5);
    const explanation = expectFail(h.ops, 'x');
    // One line per op, sorted by call time.
    const lines = explanation.split('\n');
    const lineOf = (id: number): number => lines.findIndex((l) => l.startsWith(`  #${id} `));
    expect(lineOf(1)).toBeGreaterThan(0);
    expect(lineOf(1)).toBeLessThan(lineOf(2));
    expect(lineOf(2)).toBeLessThan(lineOf(3));
    expect(explanation).toContain(`#${stale.id} client 2 read() -> "a" [4, 5]`);
    expect(explanation).toContain('write("b") [2, 3]');
  });

  it('rejects a read of null after a completed write', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.r(2, 'x', null, 2, 3);
    expectFail(h.ops, 'x');
  });

  it('accepts either value for a read concurrent with a write', () => {
    for (const seen of [null, 'old', 'new'] as const) {
      for (const initialWrite of [true, false]) {
        if (seen === 'old' && !initialWrite) continue;
        const h = new H();
        if (initialWrite) h.w(1, 'x', 'old', 0, 1);
        h.w(1, 'x', 'new', 2, 10);
        h.r(2, 'x', seen, 3, 4);
        if (seen === null && initialWrite) expectFail(h.ops, 'x');
        else expectPass(h.ops);
      }
    }
  });

  it('accepts a read that started before a write and ended after it, seeing the new value', () => {
    const h = new H();
    h.r(2, 'x', 'a', 0, 10);
    h.w(1, 'x', 'a', 3, 4);
    expectPass(h.ops);
  });

  it('rejects a read of a value that was never written', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 5);
    h.w(2, 'x', 'b', 1, 6);
    h.r(3, 'x', 'c', 2, 7);
    expectFail(h.ops, 'x');
  });

  it('rejects a read that returns a value written only after the read completed', () => {
    const h = new H();
    h.r(2, 'x', 'a', 0, 2);
    h.w(1, 'x', 'a', 3, 4);
    expectFail(h.ops, 'x');
  });

  it('rejects reads that observe writes in an order contradicting real time', () => {
    const h = new H();
    h.w(1, 'x', '1', 0, 1);
    h.w(1, 'x', '2', 2, 10); // concurrent with both reads
    h.r(2, 'x', '2', 3, 4); // A sees the new value...
    h.r(3, 'x', '1', 5, 6); // ...then, strictly later, B sees the old one
    expectFail(h.ops, 'x');
  });

  it('accepts the same observations when the two reads overlap', () => {
    const h = new H();
    h.w(1, 'x', '1', 0, 1);
    h.w(1, 'x', '2', 2, 10);
    h.r(2, 'x', '2', 3, 6);
    h.r(3, 'x', '1', 5, 7); // B linearized at 5, the write at 5.5, A at 6
    expectPass(h.ops);
  });

  it('treats ops whose return time equals another call time as concurrent', () => {
    const concurrent = new H();
    concurrent.w(1, 'x', 'a', 0, 5);
    concurrent.r(2, 'x', null, 5, 6);
    expectPass(concurrent.ops);

    const ordered = new H();
    ordered.w(1, 'x', 'a', 0, 4);
    ordered.r(2, 'x', null, 5, 6);
    expectFail(ordered.ops, 'x');
  });

  it('accepts instantaneous ops (call === ret)', () => {
    const h = new H();
    h.w(1, 'x', 'a', 1, 1);
    h.r(2, 'x', 'a', 1, 1);
    h.r(2, 'x', 'a', 2, 2);
    expectPass(h.ops);
    const bad = new H();
    bad.w(1, 'x', 'a', 1, 1);
    bad.r(2, 'x', null, 2, 2);
    expectFail(bad.ops, 'x');
  });

  it('does not depend on the order of the input array', () => {
    const h = new H();
    h.w(1, 'x', '1', 0, 1);
    h.w(1, 'x', '2', 2, 10);
    h.r(2, 'x', '2', 3, 4);
    h.r(3, 'x', '1', 5, 6);
    const rng = new Rng(7);
    for (let i = 0; i < 10; i++) expectFail(shuffle(rng, h.ops), 'x');
  });
});

describe('checkLinearizable: unknown outcomes', () => {
  it('accepts a pending write whose value is seen by a read', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.w(2, 'x', 'b', 2, Infinity);
    h.r(3, 'x', 'b', 20, 21);
    h.r(3, 'x', 'b', 22, 23);
    expectPass(h.ops);
  });

  it('accepts a pending write that is never seen', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.w(2, 'x', 'b', 2, Infinity);
    h.r(3, 'x', 'a', 20, 21);
    h.r(3, 'x', 'a', 22, 23);
    expectPass(h.ops);
  });

  it('accepts a pending write seen only after other writes completed', () => {
    const h = new H();
    h.w(2, 'x', 'p', 0, Infinity);
    h.w(1, 'x', 'a', 5, 6);
    h.r(1, 'x', 'a', 7, 8);
    h.r(3, 'x', 'p', 50, 51); // the pending write took effect late
    h.r(3, 'x', 'p', 52, 53);
    expectPass(h.ops);
  });

  it('rejects a read seeing a pending write followed by a later read seeing the old value', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.w(2, 'x', 'b', 2, Infinity);
    h.r(3, 'x', 'b', 3, 4);
    h.r(4, 'x', 'a', 5, 6);
    expectFail(h.ops, 'x');
  });

  it('rejects a read that sees a pending write before that write was invoked', () => {
    const h = new H();
    h.r(3, 'x', 'b', 0, 5);
    h.w(2, 'x', 'b', 10, Infinity);
    expectFail(h.ops, 'x');
  });

  it('does not let a pending write take effect before ops that completed before its call', () => {
    const h = new H();
    h.r(1, 'x', 'v', 0, 12); // can only see "v" after the pending write below...
    h.w(2, 'x', 'b', 3, 5); // ...which must come after this write (5 < 10)
    h.w(3, 'x', 'v', 10, Infinity);
    h.r(4, 'x', 'b', 13, 14); // so this read, after the first one, cannot see "b"
    expectFail(h.ops, 'x');
  });

  it('keeps a pending write in reserve for a later read', () => {
    // W1 then W2 would need the pending write for R1, leaving nothing to explain R2; the
    // only linearization is W2 W1 R1 W3 P R2.
    const h = new H();
    h.w(1, 'x', 'v1', 2, 9); // W1
    h.w(2, 'x', 'v1', 3, Infinity); // P
    h.w(3, 'x', 'v0', 4, 6); // W2
    h.r(4, 'x', 'v1', 8, 8); // R1
    h.w(1, 'x', 'v0', 10, 13); // W3
    h.r(4, 'x', 'v1', 15, 17); // R2
    expectPass(h.ops);
    h.r(4, 'x', 'v0', 18, 19);
    h.r(4, 'x', 'v1', 20, 21); // a second comeback of "v1" is impossible
    expectFail(h.ops, 'x');
  });

  it('uses equal-valued pending writes in any order their calls allow', () => {
    const h = new H();
    h.w(1, 'x', 'v', 5, Infinity); // listed first but invoked later
    h.w(2, 'x', 'v', 0, Infinity);
    h.w(3, 'x', 'a', 1, 2);
    h.r(4, 'x', 'v', 3, 4); // needs the write invoked at 0
    h.w(3, 'x', 'b', 6, 7);
    h.r(4, 'x', 'v', 8, 9); // needs the write invoked at 5
    expectPass(h.ops);
    h.w(3, 'x', 'c', 10, 11);
    h.r(4, 'x', 'v', 12, 13); // no third write of "v"
    expectFail(h.ops, 'x');
  });

  it('ignores reads whose outcome is unknown', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.r(2, 'x', 'never-written', 2, Infinity);
    h.r(3, 'y', 'also-never-written', 0, Infinity);
    h.r(4, 'x', 'a', 3, 4);
    expectPass(h.ops);
  });

  it('handles several pending writes with repeated values', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, Infinity);
    h.w(2, 'x', 'b', 1, Infinity);
    h.w(3, 'x', 'a', 2, Infinity);
    h.r(4, 'x', 'a', 10, 11);
    h.r(4, 'x', 'b', 12, 13);
    h.r(4, 'x', 'a', 14, 15); // needs the second write of "a" after "b"
    expectPass(h.ops);
    h.r(4, 'x', 'b', 16, 17); // "b" cannot be written twice
    expectFail(h.ops, 'x');
  });
});

describe('checkLinearizable: keys and values', () => {
  it('reports the one broken key in a multi-key history', () => {
    const h = new H();
    h.w(1, 'a', '1', 0, 1);
    h.w(2, 'b', '1', 0, 1);
    h.w(3, 'c', '1', 0, 1);
    h.r(1, 'a', '1', 2, 3);
    h.w(2, 'b', '2', 2, 3);
    h.r(3, 'c', '1', 2, 3);
    const bad = h.r(1, 'b', '1', 4, 5); // stale on key b
    h.r(2, 'a', '1', 4, 5);
    h.r(3, 'c', '1', 4, 5);
    const explanation = expectFail(h.ops, 'b');
    expect(explanation).toContain(`#${bad.id} `);
    // Only ops of key b are listed.
    for (const op of h.ops.filter((o) => o.key !== 'b')) expect(explanation).not.toContain(`#${op.id} `);
  });

  it('checks keys independently (same values on different keys do not interfere)', () => {
    const h = new H();
    h.w(1, 'a', 'v', 0, 1);
    h.r(2, 'b', null, 2, 3); // "v" was written to a, not b
    h.r(2, 'a', 'v', 4, 5);
    expectPass(h.ops);
    h.r(3, 'b', 'v', 6, 7);
    expectFail(h.ops, 'b');
  });

  it('handles repeated equal values', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.r(2, 'x', 'a', 2, 3);
    h.w(1, 'x', 'b', 4, 5);
    h.r(2, 'x', 'b', 6, 7);
    h.w(1, 'x', 'a', 8, 9);
    h.r(2, 'x', 'a', 10, 11); // correct thanks to the second write of "a"
    expectPass(h.ops);

    const stale = new H();
    stale.w(1, 'x', 'a', 0, 1);
    stale.w(1, 'x', 'b', 4, 5);
    stale.w(1, 'x', 'a', 8, 9);
    stale.r(2, 'x', 'b', 10, 11);
    expectFail(stale.ops, 'x');
  });

  it('accepts a value seen again after an ABA sequence of concurrent writes', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 10);
    h.w(2, 'x', 'b', 0, 10);
    h.w(3, 'x', 'a', 0, 10);
    h.r(4, 'x', 'a', 1, 2);
    h.r(4, 'x', 'b', 3, 4);
    h.r(4, 'x', 'a', 5, 6);
    expectPass(h.ops);
    h.r(4, 'x', 'b', 7, 8); // a fourth switch needs a second write of "b"
    expectFail(h.ops, 'x');
  });

  it('supports writes of null', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.w(1, 'x', null, 2, 3);
    h.r(2, 'x', null, 4, 5);
    expectPass(h.ops);
  });
});

describe('checkLinearizable: input validation and budget', () => {
  it('throws on an op that returns before it is called', () => {
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    h.r(2, 'x', 'a', 5, 4);
    expect(() => checkLinearizable(h.ops)).toThrow(/id=2.*call=5 > ret=4/);
  });

  it('throws on non-finite call times, NaN return times and duplicate ids', () => {
    expect(() =>
      checkLinearizable([{ id: 1, clientId: 1, key: 'x', kind: 'read', value: null, call: NaN, ret: 1 }]),
    ).toThrow(/call time/);
    expect(() =>
      checkLinearizable([{ id: 1, clientId: 1, key: 'x', kind: 'read', value: null, call: Infinity, ret: Infinity }]),
    ).toThrow(/call time/);
    expect(() =>
      checkLinearizable([{ id: 1, clientId: 1, key: 'x', kind: 'read', value: null, call: 0, ret: NaN }]),
    ).toThrow(/return time/);
    const h = new H();
    h.w(1, 'x', 'a', 0, 1);
    expect(() => checkLinearizable([...h.ops, ...h.ops])).toThrow(/duplicate/);
  });

  it('reports timedOut (and ok) when the step budget is exhausted', () => {
    const history = generate(3, {
      clients: 4,
      opsPerClient: 20,
      keys: 1,
      distinctValues: 3,
      spread: 4,
      pendingWriteProb: 0,
      pendingReadProb: 0,
    });
    expect(checkLinearizable(history)).toEqual({ ok: true });
    expect(checkLinearizable(history, { maxStepsPerKey: 5 })).toEqual({ ok: true, timedOut: true });
  });

  it('still reports a definite failure on another key when one key times out', () => {
    const big = generate(4, {
      clients: 4,
      opsPerClient: 20,
      keys: 1,
      distinctValues: 3,
      spread: 4,
      pendingWriteProb: 0,
      pendingReadProb: 0,
    });
    const h = new H();
    h.w(1, 'zz', 'a', 0, 1);
    h.r(2, 'zz', null, 2, 3);
    const history = [...big, ...h.ops.map((op) => ({ ...op, id: op.id + 10_000 }))];
    const res = checkLinearizable(history, { maxStepsPerKey: 10 });
    expect(res.ok).toBe(false);
    expect(res.key).toBe('zz');
  });
});

// ---------------------------------------------------------------------------------------
// Randomized tests

describe('checkLinearizable: randomized', () => {
  it('agrees with a reference checker on small random histories', () => {
    const rng = new Rng(12345);
    let passes = 0;
    let failures = 0;
    for (let iter = 0; iter < 2000; iter++) {
      const n = 1 + rng.int(8);
      const pendingProb = rng.next() * 0.4;
      const history: Operation[] = [];
      for (let i = 0; i < n; i++) {
        const call = rng.int(10);
        const kind = rng.chance(0.5) ? 'write' : 'read';
        const ret = rng.chance(pendingProb) ? Infinity : call + rng.int(5);
        const v = rng.int(3);
        const value = kind === 'read' && v === 2 ? null : (['a', 'b', 'c'][v] ?? null);
        history.push({ id: 100 - i, clientId: i, key: rng.chance(0.8) ? 'x' : 'y', kind, value, call, ret });
      }
      const expected = referenceCheck(history);
      const res = checkLinearizable(history);
      if (res.ok !== expected || res.timedOut) {
        throw new Error(`disagreement (expected ok=${expected}) on ${JSON.stringify(history)}`);
      }
      if (expected) passes++;
      else failures++;
    }
    // Both outcomes must be well represented for this test to mean anything.
    expect(passes).toBeGreaterThan(400);
    expect(failures).toBeGreaterThan(400);
  });

  it('agrees with a reference checker on slightly corrupted generated histories', () => {
    const rng = new Rng(777);
    let passes = 0;
    let failures = 0;
    for (let iter = 0; iter < 600; iter++) {
      const generated = generate(iter, {
        clients: 2 + rng.int(4),
        opsPerClient: 2 + rng.int(5),
        keys: 1,
        distinctValues: rng.int(4),
        spread: 1 + rng.int(6),
        pendingWriteProb: rng.next() * 0.4,
        pendingReadProb: 0.05,
      });
      // Corrupt up to two reads: another written value, null, or a shifted interval.
      let history = generated.slice(0, 16);
      const writes = history.filter((op) => op.kind === 'write');
      for (let m = rng.int(3); m > 0; m--) {
        const reads = history.filter((op) => op.kind === 'read' && op.ret !== Infinity);
        const victim = reads[rng.int(reads.length)];
        if (victim === undefined) break;
        const how = rng.int(3);
        const shift = rng.int(5) - 2;
        history = history.map((op) => {
          if (op !== victim) return op;
          if (how === 0) return { ...op, value: writes[rng.int(writes.length)]?.value ?? null };
          if (how === 1) return { ...op, value: null };
          return { ...op, call: op.call + shift, ret: op.ret + shift };
        });
      }
      const expected = referenceCheck(history);
      const res = checkLinearizable(history);
      if (res.ok !== expected || res.timedOut) {
        throw new Error(`disagreement (expected ok=${expected}) on ${JSON.stringify(history)}`);
      }
      if (expected) passes++;
      else failures++;
    }
    expect(passes).toBeGreaterThan(150);
    expect(failures).toBeGreaterThan(100);
  });

  const shapes: GenOptions[] = [
    { clients: 3, opsPerClient: 30, keys: 1, distinctValues: 2, spread: 3, pendingWriteProb: 0.05, pendingReadProb: 0.05 },
    { clients: 6, opsPerClient: 40, keys: 2, distinctValues: 3, spread: 6, pendingWriteProb: 0.05, pendingReadProb: 0.05 },
    { clients: 10, opsPerClient: 30, keys: 3, distinctValues: 0, spread: 8, pendingWriteProb: 0.1, pendingReadProb: 0.05 },
    { clients: 5, opsPerClient: 50, keys: 1, distinctValues: 0, spread: 2, pendingWriteProb: 0.02, pendingReadProb: 0 },
    { clients: 8, opsPerClient: 40, keys: 2, distinctValues: 1, spread: 5, pendingWriteProb: 0.2, pendingReadProb: 0.05 },
  ];

  it('accepts generated linearizable histories', () => {
    for (const [shapeIndex, shape] of shapes.entries()) {
      for (let seed = 0; seed < 25; seed++) {
        const history = generate(seed * 31 + shapeIndex, shape);
        const res = checkLinearizable(history);
        expect(res, `shape ${shapeIndex} seed ${seed}`).toEqual({ ok: true });
      }
    }
  });

  it('rejects generated histories where one read returns a value never written', () => {
    const rng = new Rng(99);
    for (const [shapeIndex, shape] of shapes.entries()) {
      for (let seed = 0; seed < 10; seed++) {
        const history = generate(seed * 17 + shapeIndex + 1000, shape);
        const reads = history.filter((op) => op.kind === 'read' && op.ret !== Infinity);
        const victim = reads[rng.int(reads.length)]!;
        const mutated = history.map((op) => (op === victim ? { ...op, value: 'impossible' } : op));
        const res = checkLinearizable(mutated);
        expect(res.ok, `shape ${shapeIndex} seed ${seed}`).toBe(false);
        expect(res.key).toBe(victim.key);
        expect(res.explanation).toContain(`#${victim.id} `);
      }
    }
  });

  it('rejects generated histories with one provably stale read', () => {
    let mutations = 0;
    for (const [shapeIndex, shape] of shapes.entries()) {
      for (let seed = 0; seed < 12; seed++) {
        const history = generate(seed * 13 + shapeIndex + 3000, shape);
        for (const from of [0.1, 0.5, 0.9]) {
          const stale = makeStale(history, from);
          if (stale === undefined) continue;
          mutations++;
          const res = checkLinearizable(stale.mutated);
          expect(res.ok, `shape ${shapeIndex} seed ${seed} read #${stale.victim.id}`).toBe(false);
          expect(res.timedOut).toBeFalsy();
          expect(res.key).toBe(stale.victim.key);
        }
      }
    }
    expect(mutations).toBeGreaterThan(100);
  });

  it('rejects generated histories with a read of a value written only later', () => {
    let mutations = 0;
    for (let seed = 0; seed < 20; seed++) {
      const history = generate(seed + 5000, {
        clients: 6,
        opsPerClient: 40,
        keys: 2,
        distinctValues: 0, // unique values: no other write can explain the read
        spread: 4,
        pendingWriteProb: 0.05,
        pendingReadProb: 0,
      });
      const r = history.find(
        (op) => op.kind === 'read' && op.ret !== Infinity && history.some((w) => w.kind === 'write' && w.key === op.key && w.call > op.ret),
      );
      if (r === undefined) continue;
      const later = history.find((w) => w.kind === 'write' && w.key === r.key && w.call > r.ret)!;
      const res = checkLinearizable(history.map((op) => (op === r ? { ...op, value: later.value } : op)));
      expect(res.ok).toBe(false);
      expect(res.key).toBe(r.key);
      mutations++;
    }
    expect(mutations).toBeGreaterThan(15);
  });

  it('checks a 2000-op, 10-key, 8-client history quickly', () => {
    const shape: GenOptions = {
      clients: 8,
      opsPerClient: 250,
      keys: 10,
      distinctValues: 4,
      spread: 6,
      pendingWriteProb: 0.03,
      pendingReadProb: 0.02,
    };
    const history = generate(2024, shape);
    expect(history).toHaveLength(2000);
    expect(checkLinearizable(history)).toEqual({ ok: true });

    // The same history with one late read made impossible, or provably stale, is rejected.
    const sorted = [...history].sort((a, b) => a.call - b.call);
    const victim = sorted.slice(1500).find((op) => op.kind === 'read' && op.ret !== Infinity)!;
    const impossible = checkLinearizable(history.map((op) => (op === victim ? { ...op, value: 'impossible' } : op)));
    expect(impossible.ok).toBe(false);
    expect(impossible.key).toBe(victim.key);
    // The explanation stays short for a long sub-history but shows the offending read.
    expect(impossible.explanation).toContain(`#${victim.id} client ${victim.clientId} read() -> "impossible"`);
    expect(impossible.explanation!.split('\n').length).toBeLessThan(100);
    for (const from of [0.2, 0.5, 0.9]) {
      const stale = makeStale(history, from)!;
      const res = checkLinearizable(stale.mutated);
      expect(res.ok).toBe(false);
      expect(res.timedOut).toBeFalsy();
      expect(res.key).toBe(stale.victim.key);
    }
  });

  it('checks a heavily concurrent single-key history, with a stale read too', () => {
    const history = generate(77, {
      clients: 10,
      opsPerClient: 150,
      keys: 1,
      distinctValues: 3,
      spread: 10,
      pendingWriteProb: 0.02,
      pendingReadProb: 0.02,
    });
    expect(checkLinearizable(history)).toEqual({ ok: true });
    const stale = makeStale(history, 0.5)!;
    const res = checkLinearizable(stale.mutated);
    expect(res.ok).toBe(false);
    expect(res.timedOut).toBeFalsy();
  });
});
