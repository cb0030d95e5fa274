import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../storage/raft/index.js';
import { checkLinearizable, type Operation } from './linearizability.js';
import { H, shuffle, generate, expectFail, expectPass } from './linearizability-testkit.js';

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
    const rng = new SeededRng(7);
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
