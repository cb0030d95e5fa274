// Named, fenced leases kept inside a partition group: one worker at a time owns a piece of the
// group's work (a shard's consumer, a topic's delivery, a state machine's executor) and names
// its lease's token in every command that acts on that work, so a worker that lost its lease to
// another cannot act any more. Shared by the `stream`, `topic` and `workflow` kinds; the record
// layout and the results are part of those kinds' on-disk and wire formats.
import { type KvOp } from '../engine/engine.js';
import { fromUtf8, prefixEnd, utf8 } from './codec.js';
import { type Decoded, decodeResultWith, errorResult, okResult } from './envelope.js';
import { type PartitionStore } from './kind.js';

export interface LeaseRecord {
  name: string;
  /** '' when released. */
  owner: string;
  /** Grows whenever the lease changes hands: a checkpoint names it, so a worker that lost its lease cannot move the position. */
  token: number;
  expiresAtMs: number;
}

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

/** The leases of one group, stored under `prefix + name` as JSON LeaseRecords. */
export class LeaseTable {
  leases = new Map<string, LeaseRecord>();

  constructor(private readonly prefix: string) {}

  async load(store: PartitionStore): Promise<void> {
    const gte = utf8(this.prefix);
    const leases = new Map<string, LeaseRecord>();
    for await (const [, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) {
      const l = JSON.parse(fromUtf8(v)) as LeaseRecord;
      leases.set(l.name, l);
    }
    this.leases = leases;
  }

  get(name: string): LeaseRecord | undefined {
    return this.leases.get(name);
  }

  /** Whether `owner` holds the lease with `token` at `now` (an expired lease fences like a lost one). */
  holds(name: string, owner: string, token: number, now: number): boolean {
    const cur = this.leases.get(name);
    return cur !== undefined && cur.owner === owner && cur.token === token && cur.expiresAtMs > now;
  }

  /**
   * Takes a free or expired lease, extends one the owner holds (same token), or with `steal`
   * takes it from a live holder; the token grows whenever the holder changes or its hold lapsed.
   */
  acquire(c: { name: string; owner: string; ttlMs: number; steal: boolean }, now: number, ops: KvOp[]): Uint8Array {
    const cur = this.leases.get(c.name);
    const free = cur === undefined || cur.owner === '' || cur.expiresAtMs <= now;
    if (!free && cur.owner !== c.owner && !c.steal) {
      return errorResult('FailedPrecondition', `lease ${c.name} is held by ${cur.owner} until ${cur.expiresAtMs}`);
    }
    const token = cur === undefined ? 1 : cur.owner === c.owner && cur.expiresAtMs > now ? cur.token : cur.token + 1;
    return this.put({ name: c.name, owner: c.owner, token, expiresAtMs: now + c.ttlMs }, ops);
  }

  /** Extends a lease its holder still holds; refused once it expired or changed hands. */
  renew(c: { name: string; owner: string; token: number; ttlMs: number }, now: number, ops: KvOp[]): Uint8Array {
    const cur = this.leases.get(c.name);
    if (cur === undefined || !this.holds(c.name, c.owner, c.token, now)) {
      return errorResult('FailedPrecondition', `lease ${c.name} is no longer held by ${c.owner}`);
    }
    return this.put({ ...cur, expiresAtMs: now + c.ttlMs }, ops);
  }

  /** Idempotent: releasing a lease one no longer holds answers the current record (or null). */
  release(c: { name: string; owner: string; token: number }, ops: KvOp[]): Uint8Array {
    const cur = this.leases.get(c.name);
    if (cur === undefined || cur.owner !== c.owner || cur.token !== c.token) return okResult(json(cur ?? null));
    return this.put({ ...cur, owner: '', expiresAtMs: 0 }, ops);
  }

  private put(lease: LeaseRecord, ops: KvOp[]): Uint8Array {
    this.leases.set(lease.name, lease);
    const body = json(lease);
    ops.push({ type: 'put', key: utf8(this.prefix + lease.name), value: body });
    return okResult(body);
  }
}

function toLease(v: unknown): LeaseRecord {
  const o = v as Record<string, unknown>;
  return { name: String(o.name), owner: String(o.owner), token: Number(o.token), expiresAtMs: Number(o.expiresAtMs) };
}

export function decodeLeaseResult(bytes: Uint8Array): Decoded<LeaseRecord> {
  return decodeResultWith(bytes, (b) => toLease(JSON.parse(fromUtf8(b))));
}
