import { type KvOp } from '../engine/engine.js';
import { DecodeError, fromUtf8, utf8 } from './codec.js';
import { type DedupOptions } from './dedup.js';
import { type Command, decodeResult, errorResult, okResult } from './envelope.js';
import { type PartitionStore } from './kind.js';
import { CHECKPOINT_PREFIX, StreamStateMachine } from './stream.js';
import { type CheckpointsCommand, type PublishEntry, type PublishOutcome, DEDUP_WINDOW_MS, DELIVERY_LEASE, decodeTopicCommand, encodePublishOutcomes, isTopicOp } from './topic-codec.js';

export * from './topic-codec.js';

/*
 * The `topic` kind: one SNS topic. It is a stream shard (log, leases, checkpoints; see
 * stream.ts) plus:
 *   'D' + dedupId → JSON { offset, messageId, expiresAtMs }: FIFO deduplication for 5 minutes
 * Expiry is decided against the publishing command's leader timestamp, so every replica keeps
 * and drops the same entries.
 */

const DEDUP_PREFIX = 'D';

interface DedupEntry {
  offset: number;
  messageId: string;
  expiresAtMs: number;
}

export class TopicStateMachine extends StreamStateMachine {
  private dedupIds = new Map<string, DedupEntry>();

  constructor(opts: { dedup?: DedupOptions } = {}) {
    super(opts);
  }

  override async load(store: PartitionStore): Promise<void> {
    await super.load(store);
    const ids = new Map<string, DedupEntry>();
    const gte = utf8(DEDUP_PREFIX);
    const lt = utf8(String.fromCharCode(DEDUP_PREFIX.charCodeAt(0) + 1));
    for await (const [k, v] of store.scan({ gte, lt })) ids.set(fromUtf8(k).slice(1), JSON.parse(fromUtf8(v)) as DedupEntry);
    this.dedupIds = ids;
  }

  protected override applyOp(cmd: Command, ops: KvOp[]): Uint8Array {
    if (!isTopicOp(cmd.op)) return super.applyOp(cmd, ops);
    let c;
    try {
      c = decodeTopicCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError) return errorResult('InvalidArgument', `malformed topic command: ${e.message}`);
      throw e;
    }
    return c.type === 'publish' ? this.publish(c.entries, cmd.timestampMs, ops) : this.moveCheckpoints(c, cmd.timestampMs, ops);
  }

  private publish(entries: PublishEntry[], now: number, ops: KvOp[]): Uint8Array {
    this.expireDedup(now, ops);
    const out: PublishOutcome[] = [];
    const fresh: PublishEntry[] = [];
    // Offsets of the records this command appends, known before appending: the log gives
    // consecutive offsets from nextOffset.
    let next = this.nextOffset;
    const seen = new Map<string, PublishOutcome>();
    for (const e of entries) {
      const prior = e.dedupId === '' ? undefined : (seen.get(e.dedupId) ?? this.dedupIds.get(e.dedupId));
      if (prior !== undefined) {
        out.push({ offset: prior.offset, messageId: prior.messageId, duplicate: true });
        continue;
      }
      const o: PublishOutcome = { offset: next++, messageId: e.messageId, duplicate: false };
      if (e.dedupId !== '') seen.set(e.dedupId, o);
      fresh.push(e);
      out.push(o);
    }
    if (fresh.length > 0) {
      const r = this.append(fresh.map((e) => ({ key: e.key, value: e.value })), now, ops);
      if (!decodeResult(r).ok) return r;
    }
    for (const [id, o] of seen) {
      const d: DedupEntry = { offset: o.offset, messageId: o.messageId, expiresAtMs: now + DEDUP_WINDOW_MS };
      this.dedupIds.set(id, d);
      ops.push({ type: 'put', key: utf8(DEDUP_PREFIX + id), value: utf8(JSON.stringify(d)) });
    }
    return okResult(encodePublishOutcomes(out));
  }

  private expireDedup(now: number, ops: KvOp[]): void {
    // Sorted: a replica that reloaded holds the map in key order, one that applied live in
    // insertion order, and every replica must emit the same ops.
    const expired: string[] = [];
    for (const [id, d] of this.dedupIds) if (d.expiresAtMs <= now) expired.push(id);
    for (const id of expired.sort()) {
      this.dedupIds.delete(id);
      ops.push({ type: 'del', key: utf8(DEDUP_PREFIX + id) });
    }
  }

  private moveCheckpoints(c: CheckpointsCommand, now: number, ops: KvOp[]): Uint8Array {
    const lease = this.leases.get(DELIVERY_LEASE);
    if (lease === undefined || lease.owner !== c.owner || lease.token !== c.token || lease.expiresAtMs <= now) {
      return errorResult('FailedPrecondition', `the delivery lease is no longer held by ${c.owner}`);
    }
    for (const p of c.positions) {
      const cp = { name: p.name, offset: Math.min(p.offset, this.nextOffset), updatedAtMs: now };
      this.checkpoints.set(p.name, cp);
      ops.push({ type: 'put', key: utf8(CHECKPOINT_PREFIX + p.name), value: utf8(JSON.stringify(cp)) });
    }
    for (const name of c.drop) {
      if (!this.checkpoints.delete(name)) continue;
      ops.push({ type: 'del', key: utf8(CHECKPOINT_PREFIX + name) });
    }
    return okResult(new Uint8Array(0));
  }
}
