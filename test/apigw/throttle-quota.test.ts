// Shared quota counters: two gateways' QuotaCounters over one catalog add up, a new period starts
// from zero, and the per-day series GetUsage reports is kept.
import { describe, expect, it } from 'vitest';
import { type ApigwBackend } from '../../nodes/gateway/apigw/backend.js';
import { AwsError } from '../../nodes/gateway/errors.js';
import { QuotaCounters, addUsage, asUsageDoc, periodStart, usageName } from '../../nodes/gateway/apigw/data/throttle/quota.js';

/** The catalog's apimisc documents in a map, with the ApiStore calls QuotaCounters makes. */
function fakeBackend(docs: Map<string, unknown>): ApigwBackend {
  const store = {
    async get(_kind: string, name: string, parse: (v: unknown) => unknown) {
      const v = docs.get(name);
      return v === undefined ? undefined : parse(structuredClone(v));
    },
    async update(_kind: string, name: string, parse: (v: unknown) => unknown, notFound: () => AwsError, change: (d: unknown) => unknown) {
      const v = docs.get(name);
      if (v === undefined) throw notFound();
      const next = change(parse(structuredClone(v)));
      docs.set(name, next);
      return next;
    },
    async create(_kind: string, name: string, doc: unknown) {
      if (docs.has(name)) throw new AwsError('ApigwConflictException', 'exists');
      docs.set(name, doc);
    },
  };
  return { store } as unknown as ApigwBackend;
}

describe('quota counters', () => {
  const quota = { limit: 5, offset: 0, period: 'DAY' as const };

  it('adds up across gateways through the catalog', async () => {
    const docs = new Map<string, unknown>();
    let now = Date.UTC(2026, 10, 25, 10);
    const a = new QuotaCounters(fakeBackend(docs), () => now);
    const b = new QuotaCounters(fakeBackend(docs), () => now);
    expect([a.take('p', 'k', quota), a.take('p', 'k', quota), a.take('p', 'k', quota)]).toEqual([true, true, true]);
    await a.flush();
    expect(asUsageDoc(docs.get(usageName('p', 'k'))).used).toBe(3);
    // Gateway b reads the shared count on its first flush: two left.
    expect(b.take('p', 'k', quota)).toBe(true);
    await b.flush();
    expect(b.take('p', 'k', quota)).toBe(true);
    expect(b.take('p', 'k', quota)).toBe(false);
    await b.flush();
    await a.flush();
    expect(a.take('p', 'k', quota)).toBe(false);
    // The next day is a new period.
    now += 86_400_000;
    expect(a.take('p', 'k', quota)).toBe(true);
    await a.flush();
    const doc = asUsageDoc(docs.get(usageName('p', 'k')));
    expect(doc).toMatchObject({ used: 1, period: Date.UTC(2026, 10, 26) });
    expect(doc.days).toEqual({ '2026-11-25': 5, '2026-11-26': 1 });
    await Promise.all([a.close(), b.close()]);
  });

  it('keeps per-day counts and restarts the period total', () => {
    const day = Date.UTC(2026, 10, 25, 12);
    let d = addUsage(asUsageDoc(undefined), 4, periodStart(quota, day), day);
    d = addUsage(d, 2, periodStart(quota, day), day + 1000);
    expect(d).toMatchObject({ used: 6, days: { '2026-11-25': 6 } });
    const next = day + 86_400_000;
    d = addUsage(d, 1, periodStart(quota, next), next);
    expect(d).toMatchObject({ used: 1, days: { '2026-11-25': 6, '2026-11-26': 1 } });
  });
});
