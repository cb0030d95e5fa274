import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../storage/raft/index.js';
import { checkLinearizable, type Operation } from './linearizability.js';
import { type GenOptions, generate, agreedVerdict, makeStale } from './linearizability-testkit.js';

describe('checkLinearizable: randomized', () => {
  it('agrees with a reference checker on small random histories', () => {
    const rng = new SeededRng(12345);
    let passes = 0;
    let failures = 0;
    for (let iter = 0; iter < 2000; iter++) {
      const n = 1 + rng.intn(8);
      const pendingProb = rng.float() * 0.4;
      const history: Operation[] = [];
      for (let i = 0; i < n; i++) {
        const call = rng.intn(10);
        const kind = rng.chance(0.5) ? 'write' : 'read';
        const ret = rng.chance(pendingProb) ? Infinity : call + rng.intn(5);
        const v = rng.intn(3);
        const value = kind === 'read' && v === 2 ? null : (['a', 'b', 'c'][v] ?? null);
        history.push({ id: 100 - i, clientId: i, key: rng.chance(0.8) ? 'x' : 'y', kind, value, call, ret });
      }
      if (agreedVerdict(history)) passes++;
      else failures++;
    }
    // Both outcomes must be well represented for this test to mean anything.
    expect(passes).toBeGreaterThan(400);
    expect(failures).toBeGreaterThan(400);
  });

  it('agrees with a reference checker on slightly corrupted generated histories', () => {
    const rng = new SeededRng(777);
    let passes = 0;
    let failures = 0;
    for (let iter = 0; iter < 600; iter++) {
      const generated = generate(iter, {
        clients: 2 + rng.intn(4),
        opsPerClient: 2 + rng.intn(5),
        keys: 1,
        distinctValues: rng.intn(4),
        spread: 1 + rng.intn(6),
        pendingWriteProb: rng.float() * 0.4,
        pendingReadProb: 0.05,
      });
      // Corrupt up to two reads: another written value, null, or a shifted interval.
      let history = generated.slice(0, 16);
      const writes = history.filter((op) => op.kind === 'write');
      for (let m = rng.intn(3); m > 0; m--) {
        const reads = history.filter((op) => op.kind === 'read' && op.ret !== Infinity);
        if (reads.length === 0) break;
        const victim = reads[rng.intn(reads.length)]!;
        const how = rng.intn(3);
        const shift = rng.intn(5) - 2;
        history = history.map((op) => {
          if (op !== victim) return op;
          if (how === 0) return { ...op, value: writes.length > 0 ? writes[rng.intn(writes.length)]!.value : null };
          if (how === 1) return { ...op, value: null };
          return { ...op, call: op.call + shift, ret: op.ret + shift };
        });
      }
      if (agreedVerdict(history)) passes++;
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
    const rng = new SeededRng(99);
    for (const [shapeIndex, shape] of shapes.entries()) {
      for (let seed = 0; seed < 10; seed++) {
        const history = generate(seed * 17 + shapeIndex + 1000, shape);
        const reads = history.filter((op) => op.kind === 'read' && op.ret !== Infinity);
        const victim = reads[rng.intn(reads.length)]!;
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
