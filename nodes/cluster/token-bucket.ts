// A token bucket: `burst` tokens at most, refilled at `rate` per second (API Gateway's throttle
// model: a steady rate with a burst allowance). The clock is injected so tests are exact.
/** Tokens handed out from a shared bucket (nodes/storage/token-ledger.ts). */
export interface TokenGrant {
  granted: number;
  /** When fewer than wanted were granted: milliseconds until the next token. */
  retryAfterMs: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Follows a changed limit without refilling (a stage update must not grant a fresh burst). */
  configure(rate: number, burst: number): void {
    if (rate === this.rate && burst === this.burst) return;
    this.refill();
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  tryTake(): boolean {
    return this.take(1) === 1;
  }

  /** Takes up to `n` whole tokens; returns how many it took. */
  take(n: number): number {
    this.refill();
    const granted = Math.max(0, Math.min(n, Math.floor(this.tokens)));
    this.tokens -= granted;
    return granted;
  }

  /** Milliseconds until a whole token is available (0 when one is). */
  msUntilToken(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return this.rate > 0 ? Math.ceil(((1 - this.tokens) / this.rate) * 1000) : Number.MAX_SAFE_INTEGER;
  }

  /** Full again: as good as a new bucket, so a table may forget it. */
  full(): boolean {
    this.refill();
    return this.tokens >= this.burst;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }
}
