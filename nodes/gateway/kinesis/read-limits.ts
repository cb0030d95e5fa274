// GetRecords limits per shard (AWS: 5 calls/s and 2 MiB/s per shard). Reads are not in the
// Raft log, so these are counted per gateway: with several gateways a shard can be read
// somewhat faster than AWS allows. Writes are limited in the shard's state machine instead.
interface Window {
  startMs: number;
  calls: number;
  bytes: number;
}

export class ReadLimiter {
  private readonly windows = new Map<number, Window>();

  constructor(private readonly limits: { callsPerSecond: number; bytesPerSecond: number }) {}

  /** Counts a call; false when the shard is over its limit this second. */
  admit(group: number, now = Date.now()): boolean {
    if (this.limits.callsPerSecond <= 0 && this.limits.bytesPerSecond <= 0) return true;
    const w = this.window(group, now);
    if ((this.limits.callsPerSecond > 0 && w.calls >= this.limits.callsPerSecond) || (this.limits.bytesPerSecond > 0 && w.bytes >= this.limits.bytesPerSecond)) return false;
    w.calls++;
    return true;
  }

  /** Bytes a call returned count against the following calls of the same second. */
  record(group: number, bytes: number, now = Date.now()): void {
    this.window(group, now).bytes += bytes;
  }

  private window(group: number, now: number): Window {
    let w = this.windows.get(group);
    if (!w || now - w.startMs >= 1000) {
      w = { startMs: now, calls: 0, bytes: 0 };
      this.windows.set(group, w);
      if (this.windows.size > 10_000) this.windows.clear();
    }
    return w;
  }
}
