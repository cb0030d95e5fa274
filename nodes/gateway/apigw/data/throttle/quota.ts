// Usage plans' quota counters, per plan and key, shared by every gateway through the catalog:
// each gateway counts locally and adds its count to the `apimisc` document
// `usage.{planId}.{keyId}` about once a second (a read-modify-write, so concurrent gateways add
// up), and reads the others' counts back on the same beat. A quota can therefore be overrun by
// what other gateways admitted within the last flush interval; GetUsage and UpdateUsage
// (usage-actions.ts) read and write the same documents.
import { type ApigwBackend } from '../../backend.js';
import { type QuotaSettings } from '../../model.js';
import { AwsError } from '../../../errors.js';

/** The persisted counter of one key in one plan. */
export interface UsageDoc {
  /** Start (epoch ms) of the quota period `used` counts. */
  period: number;
  used: number;
  /** Requests by UTC day (`YYYY-MM-DD`), for GetUsage; the last DAYS_KEPT days. */
  days: Record<string, number>;
}

const DAYS_KEPT = 90;
export const FLUSH_MS = 1000;

export const usageName = (planId: string, keyId: string): string => `usage.${planId}.${keyId}`;

export function asUsageDoc(v: unknown): UsageDoc {
  const o = (typeof v === 'object' && v !== null ? v : {}) as Partial<UsageDoc>;
  return { period: typeof o.period === 'number' ? o.period : 0, used: typeof o.used === 'number' ? o.used : 0, days: typeof o.days === 'object' && o.days !== null ? o.days : {} };
}

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Start (epoch ms, UTC) of the quota period containing `now`. AWS's offset: WEEK 0 = Sunday
 * through 6 = Saturday; MONTH the number of days after the 1st; DAY always 0.
 */
export function periodStart(q: QuotaSettings, now: number): number {
  const d = new Date(now);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (q.period === 'WEEK') return day - ((d.getUTCDay() - q.offset + 7) % 7) * 86_400_000;
  if (q.period === 'MONTH') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1 + q.offset);
    return start <= day ? start : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1 + q.offset);
  }
  return day;
}

/** Adds `n` requests at `now` to a counter, starting a new period when `period` moved on. */
export function addUsage(doc: UsageDoc, n: number, period: number, now: number): UsageDoc {
  const used = doc.period === period ? doc.used + n : n;
  const days = { ...doc.days };
  const today = dayOf(now);
  days[today] = (days[today] ?? 0) + n;
  const keep = Object.keys(days).sort().slice(-DAYS_KEPT);
  return { period, used, days: Object.fromEntries(keep.map((k) => [k, days[k]!])) };
}

/** Read-modify-write of a counter document, created when absent. */
export async function changeUsage(backend: ApigwBackend, name: string, change: (d: UsageDoc) => UsageDoc): Promise<UsageDoc> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return (await backend.store.update('apimisc', name, asUsageDoc, () => new AwsError('ApigwNotFoundException', 'absent'), change))!;
    } catch (err) {
      if (!(err instanceof AwsError) || err.code !== 'ApigwNotFoundException') throw err;
    }
    try {
      const doc = change(asUsageDoc(undefined));
      await backend.store.create('apimisc', name, doc);
      return doc;
    } catch (err) {
      // Another gateway created it first: update theirs.
      if (!(err instanceof AwsError) || err.code !== 'ApigwConflictException') throw err;
    }
  }
  throw new AwsError('ApigwConflictException', 'Unable to complete operation due to concurrent modification. Please try again later.');
}

interface Counter {
  period: number;
  /** What the catalog said at the last sync (every gateway's flushed requests). */
  base: number;
  /** Admitted here since the last flush. */
  pending: number;
  /** Being added to the catalog by the flush under way. */
  inflight: number;
  quota: QuotaSettings;
}

/** This gateway's view of the shared counters. */
export class QuotaCounters {
  private readonly counters = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly backend: ApigwBackend,
    private readonly wall: () => number = () => Date.now(),
  ) {}

  /** Takes one request from the quota; false when it is used up. */
  take(planId: string, keyId: string, quota: QuotaSettings): boolean {
    const now = this.wall();
    const period = periodStart(quota, now);
    const name = usageName(planId, keyId);
    let c = this.counters.get(name);
    if (!c) {
      c = { period, base: 0, pending: 0, inflight: 0, quota };
      this.counters.set(name, c);
      // The first request of a key here counts from zero until the catalog's count arrives.
      this.schedule(0);
    }
    c.quota = quota;
    if (c.period !== period) {
      c.period = period;
      c.base = 0;
    }
    // Refused or not, the next flush reads the shared count back (UpdateUsage may have raised it).
    this.schedule(FLUSH_MS);
    if (c.base + c.inflight + c.pending >= quota.limit) return false;
    c.pending += 1;
    return true;
  }

  private schedule(ms: number): void {
    if (this.timer) {
      if (ms > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref();
  }

  /** Adds pending counts to the catalog and reads every counter back. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = (async () => {
      for (const [name, c] of this.counters) {
        const n = c.pending;
        c.pending = 0;
        c.inflight = n;
        try {
          const now = this.wall();
          const doc = n > 0 ? await changeUsage(this.backend, name, (d) => addUsage(d, n, c.period, now)) : asUsageDoc(await this.backend.store.get('apimisc', name, (v) => v));
          c.base = doc.period === c.period ? doc.used : 0;
        } catch {
          c.pending += n;
        } finally {
          c.inflight = 0;
        }
      }
    })().finally(() => (this.flushing = undefined));
    await this.flushing;
    if ([...this.counters.values()].some((c) => c.pending > 0)) this.schedule(FLUSH_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => undefined);
  }
}
