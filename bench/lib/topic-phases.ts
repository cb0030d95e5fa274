// The measuring parts of bench/topics.ts that are not a closed loop: the readiness probe, the
// publish-to-delivery latency phase, and the drain check after the throughput phase.
//
// Message bodies are printable ASCII of the cell's size, and say what they are by their first
// character: P (probe), L (latency: "L<id>:<send epoch ms>:" then padding), T (throughput),
// X (filtered cells: a message the filter must drop; one per NON_MATCHING_EVERY latency messages).
import { randomBytes } from 'node:crypto';
import { percentile } from './load.js';
import { sleep } from './proc.js';
import type { TopicMessage, TopicTarget } from './topic-target.js';

/** Wall-clock epoch milliseconds with sub-millisecond resolution (monotonic within the process). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export const MIN_SIZE = 48;
export const NON_MATCHING_EVERY = 40;
const PROBE_INTERVAL_MS = 250;
// Backlog polls: every 20 ms for the first second after publishing ends, then every 100 ms.
const DRAIN_POLL_FAST_MS = 20;
const DRAIN_POLL_MS = 100;

/** A publish awaited later: mark it handled now, so a rejection before then does not kill the process. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export function padding(size: number): string {
  return randomBytes(size).toString('base64url').slice(0, size);
}

/** Throughput-phase bodies (distinct, so nothing can deduplicate them). */
export function throughputBodies(size: number, count: number): Buffer[] {
  return Array.from({ length: count }, () => Buffer.from(`T${padding(size - 1)}`, 'latin1'));
}

export interface LatencyOptions {
  subscribers: number;
  /** Filtered cell: also publish non-matching messages and check that none is delivered. */
  filtered: boolean;
  size: number;
  /** Messages published at a fixed interval; the first `warmup` are checked but not in the figures. */
  messages: number;
  warmup: number;
  intervalMs: number;
  /** After the last publish is acknowledged, how long every subscriber may take to get everything. */
  deliveryTimeoutMs: number;
  /** How long the probe may take to reach every subscriber before the target counts as not delivering. */
  probeTimeoutMs: number;
  /** Next publish sequence number (shared with the throughput phase of the cell). */
  nextSeq: () => number;
  log: (line: string) => void;
}

export interface LatencyResult {
  /** Until every subscriber had received a probe: how long a fresh topic took to deliver. */
  readyMs: number;
  /** Deliveries expected in all (messages × subscribers) and those that did not arrive in time. */
  expected: number;
  missing: number;
  /** Deliveries that came more than once (at-least-once systems may redeliver). */
  duplicates: number;
  /** Filtered cells: messages published that match no subscription, and deliveries of them (must be 0). */
  nonMatching: number;
  leaked: number;
  /** Subscribers that missed something, and how much (first few). */
  missingBy: { subscriber: number; missing: number }[];
  /** Receive time − send time over all measured deliveries. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
}

/**
 * Starts consumers, publishes probes until every subscriber has one (subscriptions may take
 * effect a moment after they are made: route interest in NATS, the delivery scheduler in
 * Stratus), then publishes `messages` latency messages at a fixed interval (open loop) and waits
 * until every subscriber has every one, or the timeout. Consumers are stopped on return.
 */
export async function latencyPhase(target: TopicTarget, o: LatencyOptions): Promise<LatencyResult> {
  const n = o.subscribers;
  const probesSeen = new Array<number>(n).fill(0);
  const seen: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const latencies: number[] = [];
  let duplicates = 0;
  let malformed = 0;
  let leaked = 0;
  let nonMatching = 0;
  let sawAll: (() => void) | undefined;
  let complete = 0; // subscribers that have every latency message
  const pad = padding(o.size);

  await target.consume((sub, body) => {
    const recv = nowMs();
    const kind = body[0];
    if (kind === 0x50 /* P */) {
      probesSeen[sub] = (probesSeen[sub] ?? 0) + 1;
      return;
    }
    if (kind === 0x58 /* X */) {
      leaked++;
      return;
    }
    if (kind !== 0x4c /* L */) {
      malformed++;
      return;
    }
    const head = body.subarray(0, 40).toString('latin1');
    const m = /^L(\d+):([\d.]+):/.exec(head);
    const set = seen[sub];
    if (!m || !set) {
      malformed++;
      return;
    }
    const id = Number(m[1]);
    if (set.has(id)) {
      duplicates++;
      return;
    }
    set.add(id);
    if (id >= o.warmup) latencies.push(recv - Number(m[2]));
    if (set.size === o.messages && ++complete === n) sawAll?.();
  });

  try {
    // Readiness probe.
    const t0 = Date.now();
    let probes = 0;
    const inflight: Promise<number>[] = [];
    while (probesSeen.some((c) => c === 0)) {
      if (Date.now() - t0 > o.probeTimeoutMs) {
        const waiting = probesSeen.flatMap((c, i) => (c === 0 ? [i] : []));
        throw new Error(`${target.name}: after ${probes} probe publishes over ${o.probeTimeoutMs} ms, ${waiting.length} of ${n} subscribers never got one (first: ${waiting.slice(0, 5).join(', ')})`);
      }
      probes++;
      inflight.push(later(target.publish(0, [{ body: Buffer.from(`P${pad.slice(1)}`, 'latin1'), seq: o.nextSeq() }])));
      await sleep(PROBE_INTERVAL_MS);
    }
    await Promise.all(inflight);
    const readyMs = Date.now() - t0;

    // Latency messages at a fixed interval, not waiting for one publish before the next.
    const done = new Promise<void>((resolve) => {
      sawAll = resolve;
      if (complete === n) resolve();
    });
    const sends: Promise<number>[] = [];
    const start = nowMs();
    for (let id = 0; id < o.messages; id++) {
      const due = start + id * o.intervalMs;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      const header = `L${id}:${nowMs().toFixed(3)}:`;
      const body = Buffer.from(header + pad.slice(header.length), 'latin1');
      sends.push(later(target.publish(0, [{ body, seq: o.nextSeq() }])));
      if (o.filtered && id % NON_MATCHING_EVERY === NON_MATCHING_EVERY / 2) {
        nonMatching++;
        sends.push(later(target.publish(0, [{ body: Buffer.from(`X${pad.slice(1)}`, 'latin1'), seq: o.nextSeq(), match: false }])));
      }
    }
    await Promise.all(sends);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, o.deliveryTimeoutMs)))]);
    clearTimeout(timer);
    // Late probes are harmless (ignored), but give the last ones a moment so they are not left behind.
    const probeDeadline = Date.now() + 2000;
    while (probesSeen.some((c) => c < probes) && Date.now() < probeDeadline) await sleep(50);

    const missingBy = seen.flatMap((s, i) => (s.size < o.messages ? [{ subscriber: i, missing: o.messages - s.size }] : []));
    const missing = missingBy.reduce((a, b) => a + b.missing, 0);
    if (malformed > 0) o.log(`${target.name}: WARNING: ${malformed} deliveries with an unexpected body in the latency phase`);
    const sorted = Float64Array.from(latencies).sort();
    return {
      readyMs,
      expected: o.messages * n,
      missing,
      duplicates,
      nonMatching,
      leaked,
      missingBy: missingBy.slice(0, 5),
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
      maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
      samples: sorted.length,
    };
  } finally {
    await target.stopConsuming();
  }
}

export interface DrainResult {
  /** From the end of publishing until every subscriber held every delivery (poll resolution 20 ms, 100 ms after 1 s). */
  lagMs: number;
  /** Deliveries that had not arrived when the timeout struck, and extra ones (redeliveries). */
  missing: number;
  extra: number;
}

/** Polls the subscribers' backlogs until each holds `expected` deliveries (or the timeout). */
export async function drain(target: TopicTarget, expected: number, publishEndMs: number, timeoutMs: number): Promise<DrainResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await target.backlog();
    const at = nowMs();
    const missing = counts.reduce((a, c) => a + Math.max(0, expected - (Number.isFinite(c) ? c : 0)), 0);
    const extra = counts.reduce((a, c) => a + Math.max(0, c - expected), 0);
    if (missing === 0 || Date.now() > deadline) return { lagMs: Math.max(0, at - publishEndMs), missing, extra };
    await sleep(at - publishEndMs < 1000 ? DRAIN_POLL_FAST_MS : DRAIN_POLL_MS);
  }
}

/** `count` throughput messages per op, cycling over pre-made bodies. */
export function throughputOp(bodies: readonly Buffer[], perOp: number, nextSeq: () => number): () => TopicMessage[] {
  let k = 0;
  return () =>
    Array.from({ length: perOp }, () => {
      const body = bodies[k++ % bodies.length] as Buffer;
      return { body, seq: nextSeq() };
    });
}
