// A token bucket: `burst` tokens at most, refilled at `rate` per second (API Gateway's throttle
// model: a steady rate with a burst allowance). The clock is injected so tests are exact.
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
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }
}
