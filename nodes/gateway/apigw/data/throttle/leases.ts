// Throttle buckets shared by every gateway of the cluster. The buckets themselves live with the
// meta group's leader (nodes/storage/token-ledger.ts); a gateway takes tokens from them in
// leases of about LEASE_WINDOW_S of the limit's rate and spends them locally, so a busy limit
// costs one round trip per lease rather than per request, and a limit is never exceeded in sum:
// every request admitted anywhere spent a token of the one shared bucket. Leased tokens unused
// after LEASE_TTL_MS are dropped (which can only under-admit). While the shared buckets cannot be
// reached, each gateway enforces the limits on its own traffic with local buckets, and tries the
// shared ones again after FALLBACK_MS.
import { type TokenGrant, TokenBucket } from '../../../../cluster/token-bucket.js';
import { type Limit } from '../types.js';

export interface TokenSource {
  acquire(bucket: string, rate: number, burst: number, want: number): Promise<TokenGrant>;
}

const LEASE_WINDOW_S = 0.05;
const LEASE_TTL_MS = 1000;
const SOURCE_TIMEOUT_MS = 500;
const FALLBACK_MS = 5000;
/** Denials are cached at most this long, so a raised limit is seen within it. */
const MAX_DENIAL_MS = 1000;
/** Leases a request may wait for before it is throttled (others' waiters can use up a lease). */
const MAX_LEASES_PER_REQUEST = 3;
const SWEEP_EVERY = 10_000;

interface Lease {
  stock: number;
  expiresAt: number;
  deniedUntil: number;
  pending: Promise<void> | undefined;
  lastUsed: number;
}

/** Tokens per lease: a slice of a second's rate, at least one, never more than the burst. */
export const leaseSize = (l: Limit): number => Math.max(1, Math.min(Math.floor(l.burstLimit), Math.ceil(l.rateLimit * LEASE_WINDOW_S)));

export class SharedBuckets {
  private readonly leases = new Map<string, Lease>();
  private readonly local = new Map<string, TokenBucket>();
  private fallbackUntil = -Infinity;
  private takes = 0;

  constructor(
    private readonly source: TokenSource,
    private readonly clock: () => number = () => performance.now(),
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** One token of the limit `key` names: true to admit the request. */
  async take(key: string, limit: Limit): Promise<boolean> {
    if (++this.takes % SWEEP_EVERY === 0) this.sweep();
    let l = this.leases.get(key);
    if (!l) this.leases.set(key, (l = { stock: 0, expiresAt: 0, deniedUntil: -Infinity, pending: undefined, lastUsed: 0 }));
    l.lastUsed = this.clock();
    for (let round = 0; ; round++) {
      const now = this.clock();
      if (l.stock > 0 && now < l.expiresAt) {
        l.stock--;
        return true;
      }
      if (now < this.fallbackUntil) return this.localBucket(key, limit).tryTake();
      if (now < l.deniedUntil || round >= MAX_LEASES_PER_REQUEST) return false;
      if (!l.pending) {
        const lease = l;
        lease.pending = this.lease(key, lease, limit).finally(() => (lease.pending = undefined));
      }
      await l.pending;
    }
  }

  private async lease(key: string, l: Lease, limit: Limit): Promise<void> {
    const want = leaseSize(limit);
    let grant: TokenGrant;
    let timer: NodeJS.Timeout | undefined;
    try {
      grant = await Promise.race([
        this.source.acquire(key, limit.rateLimit, limit.burstLimit, want),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${SOURCE_TIMEOUT_MS} ms`)), SOURCE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      if (this.clock() >= this.fallbackUntil) this.log(`apigw: shared throttle buckets unavailable (${err instanceof Error ? err.message : String(err)}); limits are enforced per gateway for ${FALLBACK_MS / 1000} s`);
      this.fallbackUntil = this.clock() + FALLBACK_MS;
      return;
    } finally {
      clearTimeout(timer);
    }
    const now = this.clock();
    l.stock = grant.granted;
    l.expiresAt = now + LEASE_TTL_MS;
    if (grant.granted < want) l.deniedUntil = now + Math.max(1, Math.min(grant.retryAfterMs, MAX_DENIAL_MS));
  }

  private localBucket(key: string, limit: Limit): TokenBucket {
    let b = this.local.get(key);
    if (!b) this.local.set(key, (b = new TokenBucket(limit.rateLimit, limit.burstLimit, this.clock)));
    else b.configure(limit.rateLimit, limit.burstLimit);
    return b;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [k, l] of this.leases) if (!l.pending && now - l.lastUsed > LEASE_TTL_MS) this.leases.delete(k);
    if (now >= this.fallbackUntil) this.local.clear();
  }

  clear(): void {
    this.leases.clear();
    this.local.clear();
  }
}
