// The client every tier uses to reach the storage tier: finds a group's leader (cached, then
// the placement map, then NotLeader hints), retries with capped exponential backoff and jitter,
// and only ever resends a write byte for byte — the envelope's client id and sequence make the
// state machine apply it once however many times it arrives.
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, services } from '../grpc/protos.js';

export interface ClusterClientOptions {
  /** Storage node addresses to start from (host:port); the placement map supplies the rest. */
  seeds: string[];
  /** Deadline of one attempt. Default 3000 ms. */
  attemptTimeoutMs?: number;
  /** Give up after this long. Default 15000 ms. */
  totalTimeoutMs?: number;
  /** First backoff; doubles per round up to maxBackoffMs, with full jitter. Defaults 20 / 1000 ms. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** The storage tier could not be reached in time; the request may be retried later. */
export class UnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}

export interface GroupRoute {
  /** Addresses of the nodes that hold replicas of the group, for when no leader is known. */
  replicas: () => string[];
}

type Call = (client: grpc.Client, req: object, deadline: Date, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

function method(name: string): Call {
  return (client, req, deadline, cb) => {
    (client as unknown as Record<string, (r: object, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: unknown) => void) => void>)[name]!(req, { deadline }, cb);
  };
}
const PROPOSE = method('propose');
const READ = method('read');
const WATCH = method('watch');
const NODE_STATUS = method('nodeStatus');

function metaString(err: grpc.ServiceError, key: string): string | undefined {
  const v = err.metadata?.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}

export class ClusterClient {
  private readonly clients = new Map<string, grpc.Client>();
  private readonly leaders = new Map<number, string>();
  private readonly o: Required<ClusterClientOptions>;
  /** Replica addresses per group, filled by whoever knows the placement (see setRoute). */
  private readonly routes = new Map<number, () => string[]>();
  private closed = false;

  constructor(o: ClusterClientOptions) {
    if (o.seeds.length === 0) throw new Error('cluster client: at least one seed address is needed');
    this.o = { attemptTimeoutMs: 3000, totalTimeoutMs: 15_000, baseBackoffMs: 20, maxBackoffMs: 1000, ...o };
  }

  setRoute(group: number, replicas: () => string[]): void {
    this.routes.set(group, replicas);
  }

  private client(address: string): grpc.Client {
    let c = this.clients.get(address);
    if (!c) {
      const Ctor = services().storage;
      c = new Ctor(address, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
      this.clients.set(address, c);
    }
    return c;
  }

  private candidates(group: number): string[] {
    const out: string[] = [];
    const leader = this.leaders.get(group);
    if (leader) out.push(leader);
    const route = this.routes.get(group);
    for (const a of route ? route() : this.o.seeds) if (!out.includes(a)) out.push(a);
    if (out.length === 0) out.push(...this.o.seeds);
    return out;
  }

  /** Proposes an enveloped command to the group's leader; resolves with the encoded result. */
  propose(group: number, command: Uint8Array): Promise<Uint8Array> {
    return this.toLeader(group, PROPOSE, { group, command }).then((r) => resultBytes(r));
  }

  read(group: number, query: Uint8Array, opts: { stale?: boolean } = {}): Promise<Uint8Array> {
    return this.toLeader(group, READ, { group, query, consistency: opts.stale ? 1 : 0 }, opts.stale).then((r) => resultBytes(r));
  }

  /** Waits (up to waitMs) until the group's applied index passes `after`, on its leader. */
  async watch(group: number, after: number, waitMs: number): Promise<number> {
    const r = await this.toLeader(group, WATCH, { group, afterIndex: after, waitMs }, true, waitMs + this.o.attemptTimeoutMs);
    const v = (r as { appliedIndex?: unknown }).appliedIndex;
    return typeof v === 'number' ? v : 0;
  }

  nodeStatus(address: string, timeoutMs = 2000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      NODE_STATUS(this.client(address), {}, new Date(Date.now() + timeoutMs), (err, reply) => (err ? reject(err) : resolve(reply)));
    });
  }

  private async toLeader(group: number, call: Call, req: object, anyReplica = false, attemptMs = this.o.attemptTimeoutMs): Promise<unknown> {
    const giveUpAt = Date.now() + this.o.totalTimeoutMs;
    let lastError = 'no attempt made';
    for (let round = 0; !this.closed; round++) {
      let hinted: string | undefined;
      const tried = new Set<string>();
      const queue = this.candidates(group);
      while (queue.length > 0 && !this.closed) {
        const address = hinted ?? queue.shift()!;
        hinted = undefined;
        if (tried.has(address)) continue;
        tried.add(address);
        const outcome = await attempt(this.client(address), call, req, attemptMs);
        if (outcome.ok) {
          if (!anyReplica) this.leaders.set(group, address);
          return outcome.reply;
        }
        const err = outcome.err;
        lastError = `${address}: ${err.details || err.message}`;
        const kind = metaString(err, 'stratus-error');
        if (this.leaders.get(group) === address) this.leaders.delete(group);
        if (kind === 'NotLeader') {
          const leaderAddr = metaString(err, 'stratus-leader-address');
          if (leaderAddr && !tried.has(leaderAddr)) hinted = leaderAddr;
          continue;
        }
        if (kind === 'OutcomeUnknown') {
          // Safe to resend as is: the state machine deduplicates by client id and sequence.
          tried.delete(address);
          break;
        }
        if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED || err.code === grpc.status.NOT_FOUND || err.code === grpc.status.RESOURCE_EXHAUSTED) {
          continue;
        }
        throw err; // INVALID_ARGUMENT, INTERNAL...: retrying cannot help
      }
      const backoff = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** round);
      const sleep = Math.random() * backoff;
      if (Date.now() + sleep >= giveUpAt) break;
      await new Promise((r) => setTimeout(r, sleep));
    }
    throw new UnavailableError(`group ${group}: no leader reachable within ${this.o.totalTimeoutMs} ms (last error: ${lastError})`, this.o.maxBackoffMs);
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

function attempt(client: grpc.Client, call: Call, req: object, timeoutMs: number): Promise<{ ok: true; reply: unknown } | { ok: false; err: grpc.ServiceError }> {
  return new Promise((resolve) => {
    call(client, req, new Date(Date.now() + timeoutMs), (err, reply) => resolve(err ? { ok: false, err } : { ok: true, reply }));
  });
}

function resultBytes(reply: unknown): Uint8Array {
  const r = (reply as { result?: unknown }).result;
  if (!(r instanceof Uint8Array)) throw new Error('storage reply without a result');
  return r;
}
