// Rate limits shared by every gateway: the meta group's leader keeps one token bucket per limit
// (an API's stage or method throttle, a usage plan key's, the account's) and hands tokens out in
// leases (AcquireTokens, proto/internal/storage.proto). Nothing here is replicated or durable:
// a throttle is a rate, and a new leader starting with full buckets grants at most one extra
// burst, which is what AWS's own distributed throttling allows too ("best effort").
import { TokenBucket, type TokenGrant } from '../cluster/token-bucket.js';

/** Buckets untouched this long and refilled are forgotten (a new one would be identical). */
const SWEEP_MS = 30_000;

export class TokenLedger {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep: number;

  constructor(private readonly clock: () => number = () => performance.now()) {
    this.lastSweep = clock();
  }

  acquire(bucket: string, rate: number, burst: number, want: number): TokenGrant {
    this.sweep();
    let b = this.buckets.get(bucket);
    if (!b) this.buckets.set(bucket, (b = new TokenBucket(rate, burst, this.clock)));
    else b.configure(rate, burst);
    const granted = b.take(want);
    return { granted, retryAfterMs: granted < want ? b.msUntilToken() : 0 };
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(): void {
    const now = this.clock();
    if (now - this.lastSweep < SWEEP_MS) return;
    this.lastSweep = now;
    for (const [k, b] of this.buckets) if (b.full()) this.buckets.delete(k);
  }
}
