// The client every tier uses to reach the storage tier: finds a group's leader (cached, then
// the placement map, then NotLeader hints), retries with capped exponential backoff and jitter,
// and only ever resends a write byte for byte — the envelope's client id and sequence make the
// state machine apply it once however many times it arrives.
import { type TokenGrant } from './token-bucket.js';
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, services } from '../grpc/protos.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';
import { traceInterceptor } from '../telemetry/propagation.js';

/**
 * The storage node in this process, when there is one: requests for groups it leads are served
 * in-process, without a gRPC round trip. Each method returns undefined when the local replica is
 * not (known to be) the leader, and the request takes the network path.
 */
export interface LocalGroups {
  proposeLocal(group: number, command: Uint8Array): Promise<Uint8Array> | undefined;
  readLocal(group: number, query: Uint8Array, stale: boolean): Promise<Uint8Array> | undefined;
  acquireTokensLocal?(group: number, bucket: string, rate: number, burst: number, want: number): TokenGrant | undefined;
}

export interface ClusterClientOptions {
  /** Storage node addresses to start from (host:port); the placement map supplies the rest. */
  seeds: string[];
  local?: LocalGroups;
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
const PROPOSE_BATCH = method('proposeBatch');
const READ = method('read');
const WATCH = method('watch');
const NODE_STATUS = method('nodeStatus');
const ACQUIRE_TOKENS = method('acquireTokens');

function metaString(err: grpc.ServiceError, key: string): string | undefined {
  const v = err.metadata?.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}

interface PendingProposal {
  command: Uint8Array;
  resolve: (result: Uint8Array) => void;
  reject: (err: unknown) => void;
  giveUpAt: number;
  attempts: number;
}

interface Batcher {
  queue: PendingProposal[];
  inFlight: number;
}

const MAX_BATCHES_IN_FLIGHT = 8;
const MAX_BATCH_COMMANDS = 512;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export class ClusterClient {
  private readonly batchers = new Map<number, Batcher>();
  private readonly clients = new Map<string, grpc.Client>();
  private readonly leaders = new Map<number, string>();
  private readonly o: Required<Omit<ClusterClientOptions, 'local'>> & Pick<ClusterClientOptions, 'local'>;
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
      c = new Ctor(address, grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, interceptors: [traceInterceptor] });
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

  /**
   * Proposes an enveloped command to the group's leader; resolves with the encoded result.
   * Concurrent proposals to one group share RPCs: up to MAX_BATCHES_IN_FLIGHT batches travel at
   * once and whatever queues meanwhile goes in the next, so a lone proposal leaves at once and a
   * busy group costs one RPC and one Raft append per batch rather than per command.
   */
  propose(group: number, command: Uint8Array): Promise<Uint8Array> {
    return withSpan(SpanName.ClusterPropose, { [Attr.Group]: group }, () => this.proposeRouted(group, command));
  }

  private proposeRouted(group: number, command: Uint8Array): Promise<Uint8Array> {
    let local: Promise<Uint8Array> | undefined;
    try {
      local = this.o.local?.proposeLocal(group, command);
    } catch {
      // Refused before anything was proposed (a leadership transfer under way, backpressure):
      // the network path retries with backoff and follows the new leader.
      local = undefined;
    }
    // A local attempt that fails (leadership moved, outcome unknown) is resent on the network
    // path, byte for byte: the state machine applies it once.
    if (local) return local.catch(() => this.proposeRemote(group, command));
    return this.proposeRemote(group, command);
  }

  private proposeRemote(group: number, command: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      let b = this.batchers.get(group);
      if (!b) this.batchers.set(group, (b = { queue: [], inFlight: 0 }));
      b.queue.push({ command, resolve, reject, giveUpAt: Date.now() + this.o.totalTimeoutMs, attempts: 0 });
      this.pump(group, b);
    });
  }

  private pump(group: number, b: Batcher): void {
    while (b.inFlight < MAX_BATCHES_IN_FLIGHT && b.queue.length > 0 && !this.closed) {
      let bytes = 0;
      let n = 0;
      while (n < b.queue.length && n < MAX_BATCH_COMMANDS && (n === 0 || bytes + b.queue[n]!.command.byteLength <= MAX_BATCH_BYTES)) {
        bytes += b.queue[n]!.command.byteLength;
        n++;
      }
      const items = b.queue.splice(0, n);
      b.inFlight++;
      this.toLeader(group, PROPOSE_BATCH, { group, commands: items.map((i) => i.command) })
        .then(
          (reply) => {
            const outcomes = (reply as { outcomes?: unknown }).outcomes;
            if (!Array.isArray(outcomes) || outcomes.length !== items.length) throw new Error('storage reply: outcomes do not match the batch');
            const retry: PendingProposal[] = [];
            items.forEach((item, i) => {
              const o = outcomes[i] as { result?: unknown; error?: unknown; message?: unknown };
              if (o.result instanceof Uint8Array && !o.error) item.resolve(o.result);
              else if (Date.now() < item.giveUpAt) retry.push(item);
              else item.reject(new UnavailableError(`group ${group}: ${String(o.message ?? o.error)}`, this.o.maxBackoffMs));
            });
            if (retry.length > 0) {
              // Resent byte for byte: the state machine applies each command once.
              const delay = Math.random() * Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** Math.min(10, ++retry[0]!.attempts));
              setTimeout(() => {
                b.queue.unshift(...retry);
                this.pump(group, b);
              }, delay);
            }
          },
          (err: unknown) => items.forEach((i) => i.reject(err)),
        )
        .catch((err: unknown) => items.forEach((i) => i.reject(err)))
        .finally(() => {
          b.inFlight--;
          this.pump(group, b);
        });
    }
  }

  read(group: number, query: Uint8Array, opts: { stale?: boolean } = {}): Promise<Uint8Array> {
    return withSpan(SpanName.ClusterRead, { [Attr.Group]: group, [Attr.Stale]: opts.stale === true }, () => this.readRouted(group, query, opts));
  }

  private readRouted(group: number, query: Uint8Array, opts: { stale?: boolean }): Promise<Uint8Array> {
    const local = this.o.local?.readLocal(group, query, opts.stale === true);
    if (local) return local.catch(() => this.readRemote(group, query, opts));
    return this.readRemote(group, query, opts);
  }

  private readRemote(group: number, query: Uint8Array, opts: { stale?: boolean }): Promise<Uint8Array> {
    return this.toLeader(group, READ, { group, query, consistency: opts.stale ? 1 : 0 }, opts.stale).then((r) => resultBytes(r));
  }

  /** Waits (up to waitMs) until the group's applied index passes `after`, on its leader. */
  async watch(group: number, after: number, waitMs: number): Promise<number> {
    const r = await this.toLeader(group, WATCH, { group, afterIndex: after, waitMs }, true, waitMs + this.o.attemptTimeoutMs);
    const v = (r as { appliedIndex?: unknown }).appliedIndex;
    return typeof v === 'number' ? v : 0;
  }

  /** Up to `want` rate-limit tokens from the bucket `group`'s leader keeps (nodes/storage/token-ledger.ts). */
  async acquireTokens(group: number, bucket: string, rate: number, burst: number, want: number): Promise<TokenGrant> {
    const local = this.o.local?.acquireTokensLocal?.(group, bucket, rate, burst, want);
    if (local) return local;
    const r = (await this.toLeader(group, ACQUIRE_TOKENS, { group, bucket, rate, burst, want })) as { granted?: unknown; retryAfterMs?: unknown };
    return { granted: typeof r.granted === 'number' ? r.granted : 0, retryAfterMs: typeof r.retryAfterMs === 'number' ? r.retryAfterMs : 0 };
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
      while ((hinted !== undefined || queue.length > 0) && !this.closed) {
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
