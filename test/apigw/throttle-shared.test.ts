// Throttle limits shared by gateways: leases of tokens from one ledger (the meta group leader's)
// never admit more than the limit in sum, denials are cached until the next token, and a gateway
// that cannot reach the ledger enforces the limit on its own traffic until it can.
import { describe, expect, it } from 'vitest';
import { type TokenGrant } from '../../nodes/cluster/token-bucket.js';
import { SharedBuckets, type TokenSource, leaseSize } from '../../nodes/gateway/apigw/data/throttle/leases.js';
import { TokenLedger } from '../../nodes/storage/token-ledger.js';

function ledgerSource(ledger: TokenLedger): TokenSource & { calls: number } {
  const s = {
    calls: 0,
    async acquire(bucket: string, rate: number, burst: number, want: number): Promise<TokenGrant> {
      s.calls++;
      return ledger.acquire(bucket, rate, burst, want);
    },
  };
  return s;
}

describe('shared throttle buckets', () => {
  it('sizes leases as 50 ms of the rate, at least one token and at most the burst', () => {
    expect(leaseSize({ rateLimit: 10_000, burstLimit: 5_000 })).toBe(500);
    expect(leaseSize({ rateLimit: 10, burstLimit: 20 })).toBe(1);
    expect(leaseSize({ rateLimit: 1_000, burstLimit: 20 })).toBe(20);
  });

  it('admits the burst and then the rate in sum over several gateways', async () => {
    let now = 0;
    const clock = (): number => now;
    const ledger = new TokenLedger(clock);
    const source = ledgerSource(ledger);
    const gateways = [new SharedBuckets(source, clock), new SharedBuckets(source, clock), new SharedBuckets(source, clock)];
    const limit = { rateLimit: 100, burstLimit: 40 };
    let admitted = 0;
    // 3 gateways × 30 requests at one instant: the burst (40) passes, nothing more.
    for (let i = 0; i < 30; i++) for (const g of gateways) if (await g.take('stage', limit)) admitted++;
    expect(admitted).toBe(40);
    // One second later the rate has refilled 100 tokens (the burst caps it at 40); leases unused
    // for a second were dropped, so the sum stays within burst + rate × elapsed.
    now += 1000;
    let later = 0;
    for (let i = 0; i < 30; i++) for (const g of gateways) if (await g.take('stage', limit)) later++;
    expect(later).toBe(40);
    expect(admitted + later).toBeLessThanOrEqual(40 + 100);
  });

  it('caches a denial until the next token instead of asking again per request', async () => {
    let now = 0;
    const clock = (): number => now;
    const source = ledgerSource(new TokenLedger(clock));
    const g = new SharedBuckets(source, clock);
    const limit = { rateLimit: 2, burstLimit: 1 };
    expect(await g.take('m', limit)).toBe(true);
    const asked = source.calls;
    expect([await g.take('m', limit), await g.take('m', limit), await g.take('m', limit)]).toEqual([false, false, false]);
    expect(source.calls).toBe(asked + 1);
    now += 500; // 2 per second: a token after 500 ms
    expect(await g.take('m', limit)).toBe(true);
  });

  it('serves concurrent requests from one lease', async () => {
    const source = ledgerSource(new TokenLedger(() => 0));
    const g = new SharedBuckets(source, () => 0);
    const results = await Promise.all(Array.from({ length: 20 }, () => g.take('acct', { rateLimit: 1_000, burstLimit: 500 })));
    expect(results.every(Boolean)).toBe(true);
    expect(source.calls).toBe(1); // a lease of 50 covers all twenty
  });

  it('falls back to a local bucket while the ledger cannot be reached, and returns to it', async () => {
    let now = 0;
    const clock = (): number => now;
    const ledger = new TokenLedger(clock);
    let down = true;
    const lines: string[] = [];
    const source: TokenSource = {
      acquire: async (b, r, burst, w) => {
        if (down) throw new Error('no leader');
        return ledger.acquire(b, r, burst, w);
      },
    };
    const g = new SharedBuckets(source, clock, (l) => lines.push(l));
    const limit = { rateLimit: 0.001, burstLimit: 2 };
    expect([await g.take('k', limit), await g.take('k', limit), await g.take('k', limit)]).toEqual([true, true, false]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/shared throttle buckets unavailable \(no leader\)/);
    down = false;
    now += 5000;
    // Back on the shared bucket, which has its own (full) burst.
    expect([await g.take('k', limit), await g.take('k', limit), await g.take('k', limit)]).toEqual([true, true, false]);
  });

  it('forgets refilled buckets after a while, keeping busy ones', () => {
    let now = 0;
    const ledger = new TokenLedger(() => now);
    ledger.acquire('idle', 10, 10, 5);
    ledger.acquire('busy', 0.001, 10, 10);
    now += 31_000;
    ledger.acquire('other', 10, 10, 1);
    expect(ledger.size).toBe(2); // 'idle' refilled and was forgotten; 'busy' is still empty
    expect(ledger.acquire('busy', 0.001, 10, 1).granted).toBe(0);
  });
});
