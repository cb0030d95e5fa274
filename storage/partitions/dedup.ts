import { type KvOp } from '../engine/engine.js';
import { DecodeError, Reader, Writer, concatBytes, fromUtf8, prefixEnd, utf8 } from './codec.js';
import { type Command, errorResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';

/** Default number of sequence numbers per client whose results are remembered. */
export const WINDOW = 1024;
/** Default bound on the number of clients the table remembers. */
export const MAX_CLIENTS = 10_000;

/**
 * Relative key prefix of the dedup table. Keys starting with 0x00 are reserved for machinery
 * shared by all kinds; the kinds themselves use printable prefixes.
 * Entry key: DEDUP_PREFIX | u8 clientIdLen | clientId | u64 seq. The length byte keeps one
 * client's keys from being a prefix range of another's ("a" vs "ab").
 */
export const DEDUP_PREFIX = new Uint8Array([0x00, 0x64]);
const ENTRY_VERSION = 1;

export interface DedupOptions {
  window?: number;
  maxClients?: number;
}

interface ClientState {
  /** Key prefix of this client's entries. */
  prefix: Uint8Array;
  /** Highest seq applied (0: none yet). */
  highest: number;
  /** Result by seq, for the seqs in (highest − window, highest] that were applied. */
  results: Map<number, Uint8Array>;
  /** Raft index of the client's most recent applied command: the eviction order. */
  lastIndex: number;
}

/**
 * Exactly-once application of proposals, keyed by (clientId, seq).
 *
 * Contract (part of the API; clients must respect it):
 * - A client may have many requests in flight and they may commit in any order. For each client
 *   the table remembers the result of every applied seq greater than `highest − WINDOW`, where
 *   `highest` is the largest seq of that client applied so far (WINDOW = 1024 by default).
 * - A command whose seq is remembered is not applied again; apply returns the original result
 *   byte for byte (even if state changed since).
 * - A command whose seq is ≤ `highest − WINDOW` gets `SequenceTooOld` and is not applied, whether
 *   or not it was applied before: it is never applied twice, but it may never be applied. So a
 *   client must not let its oldest unanswered seq fall WINDOW or more behind its newest one.
 * - A seq inside the window that was never applied is applied (out-of-order arrival is fine).
 * - At most MAX_CLIENTS (10,000 by default) clients are remembered. Admitting a new client beyond
 *   that evicts the client whose latest applied command has the lowest Raft index, forgetting all
 *   its results; a retry from an evicted client would be applied again. Clients should therefore
 *   be long-lived (one per front-end process, not per request) and retries prompt.
 * - Duplicates and SequenceTooOld rejections change nothing: no ops, no recency update.
 *
 * Memory: up to maxClients × window results are held in memory (apply cannot read the store).
 * Results of the kinds are small (tens of bytes), and typical clients keep far fewer than
 * WINDOW requests outstanding, since entries leave the window as newer seqs apply.
 */
export class DedupTable {
  readonly window: number;
  readonly maxClients: number;
  /** Insertion order is recency order: a client is re-inserted whenever it applies. */
  private clients = new Map<string, ClientState>();

  constructor(opts: DedupOptions = {}) {
    this.window = opts.window ?? WINDOW;
    this.maxClients = opts.maxClients ?? MAX_CLIENTS;
    if (!Number.isSafeInteger(this.window) || this.window < 1) throw new RangeError('window must be ≥ 1');
    if (!Number.isSafeInteger(this.maxClients) || this.maxClients < 1) throw new RangeError('maxClients must be ≥ 1');
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Client ids from least to most recently applied; for tests and diagnostics. */
  clientIds(): string[] {
    return [...this.clients.keys()];
  }

  /** The remembered result of (clientId, seq), if any. */
  lookup(clientId: string, seq: number): Uint8Array | undefined {
    return this.clients.get(clientId)?.results.get(seq);
  }

  async load(store: PartitionStore): Promise<void> {
    const loaded = new Map<string, ClientState>();
    const end = prefixEnd(DEDUP_PREFIX) as Uint8Array;
    for await (const [key, value] of store.scan({ gte: DEDUP_PREFIX, lt: end })) {
      const { clientId, prefix, seq } = parseKey(key);
      const { index, result } = parseValue(value);
      let c = loaded.get(clientId);
      if (c === undefined) {
        c = { prefix, highest: 0, results: new Map(), lastIndex: 0 };
        loaded.set(clientId, c);
      }
      c.results.set(seq, result.slice());
      if (seq > c.highest) c.highest = seq;
      if (index > c.lastIndex) c.lastIndex = index;
    }
    // Rebuild the recency order apply() produced: each index applies one command, so lastIndex
    // values are distinct; the id tie-break only guards against a hand-made store.
    const ordered = [...loaded.entries()].sort(
      ([a, x], [b, y]) => x.lastIndex - y.lastIndex || (a < b ? -1 : a > b ? 1 : 0),
    );
    this.clients = new Map(ordered);
  }

  /**
   * Applies `cmd` with `applyFn` unless the table already holds its result (see the class
   * contract). applyFn appends its own ops to ctx.ops; the table's ops follow them.
   */
  applyOnce(cmd: Command, ctx: ApplyContext, applyFn: (cmd: Command, ctx: ApplyContext) => Uint8Array): Uint8Array {
    let c = this.clients.get(cmd.clientId);
    if (c !== undefined) {
      const remembered = c.results.get(cmd.seq);
      if (remembered !== undefined) return remembered;
      if (cmd.seq <= c.highest - this.window) {
        return errorResult(
          'SequenceTooOld',
          `seq ${cmd.seq} of client ${cmd.clientId} is outside the dedup window ` +
            `(highest applied ${c.highest}, window ${this.window})`,
        );
      }
    }

    const result = applyFn(cmd, ctx);

    if (c === undefined) {
      if (this.clients.size >= this.maxClients) this.evictOldest(ctx.ops);
      c = { prefix: clientPrefix(cmd.clientId), highest: 0, results: new Map(), lastIndex: 0 };
    } else {
      this.clients.delete(cmd.clientId);
    }
    this.clients.set(cmd.clientId, c);
    c.lastIndex = ctx.index;

    if (cmd.seq > c.highest) {
      const oldHighest = c.highest;
      c.highest = cmd.seq;
      this.slideWindow(c, oldHighest, ctx.ops);
    }
    c.results.set(cmd.seq, result);
    ctx.ops.push({ type: 'put', key: entryKey(c.prefix, cmd.seq), value: encodeValue(ctx.index, result) });
    return result;
  }

  /** Forgets results that fell out of the window after highest moved up from oldHighest. */
  private slideWindow(c: ClientState, oldHighest: number, ops: KvOp[]): void {
    const floor = c.highest - this.window; // seqs ≤ floor leave the window
    if (floor < 1 || c.results.size === 0) return;
    // Point deletes rather than a range tombstone: only remembered seqs have keys, and the
    // number removed per apply is bounded by the window.
    if (c.highest - oldHighest >= this.window) {
      for (const seq of [...c.results.keys()].sort((a, b) => a - b)) {
        if (seq > floor) continue;
        c.results.delete(seq);
        ops.push({ type: 'del', key: entryKey(c.prefix, seq) });
      }
      return;
    }
    for (let seq = Math.max(1, oldHighest - this.window + 1); seq <= floor; seq++) {
      if (c.results.delete(seq)) ops.push({ type: 'del', key: entryKey(c.prefix, seq) });
    }
  }

  private evictOldest(ops: KvOp[]): void {
    const first = this.clients.entries().next();
    if (first.done === true) return;
    const [clientId, c] = first.value;
    this.clients.delete(clientId);
    for (const seq of [...c.results.keys()].sort((a, b) => a - b)) {
      ops.push({ type: 'del', key: entryKey(c.prefix, seq) });
    }
  }
}

function clientPrefix(clientId: string): Uint8Array {
  const id = utf8(clientId);
  return concatBytes(DEDUP_PREFIX, new Uint8Array([id.length]), id);
}

function entryKey(prefix: Uint8Array, seq: number): Uint8Array {
  return new Writer(prefix.length + 8).raw(prefix).u64(seq).finish();
}

function encodeValue(index: number, result: Uint8Array): Uint8Array {
  return new Writer(9 + result.length).u8(ENTRY_VERSION).u64(index).raw(result).finish();
}

function parseKey(key: Uint8Array): { clientId: string; prefix: Uint8Array; seq: number } {
  try {
    const r = new Reader(key);
    r.raw(DEDUP_PREFIX.length);
    const len = r.u8('clientId length');
    const clientId = fromUtf8(r.raw(len, 'clientId'));
    const seq = r.u64('seq');
    r.end('dedup key');
    return { clientId, prefix: key.slice(0, DEDUP_PREFIX.length + 1 + len), seq };
  } catch (e) {
    throw corrupt('key', e);
  }
}

function parseValue(value: Uint8Array): { index: number; result: Uint8Array } {
  try {
    const r = new Reader(value);
    const version = r.u8('version');
    if (version !== ENTRY_VERSION) throw new DecodeError(`unsupported dedup entry version ${version}`);
    return { index: r.u64('index'), result: r.rest() };
  } catch (e) {
    throw corrupt('value', e);
  }
}

function corrupt(what: string, e: unknown): Error {
  return new Error(`corrupt dedup ${what}: ${e instanceof Error ? e.message : String(e)}`);
}
