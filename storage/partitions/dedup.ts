import { type KvOp } from '../engine/engine.js';
import { DecodeError, Reader, Writer, concatBytes, fromUtf8, prefixEnd, utf8 } from './codec.js';
import { type Command, CommandError, decodeCommand, errorResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';

/** Without acknowledgements from the client, the results of this many recent seqs are kept. */
export const WINDOW = 1024;
/** Default bound on the number of clients the table remembers. */
export const MAX_CLIENTS = 10_000;
/** Bound on the results kept for one client, whatever it acknowledges. */
export const MAX_RESULTS_PER_CLIENT = 100_000;

/**
 * Relative key prefix of the dedup table. Keys starting with 0x00 are reserved for machinery
 * shared by all kinds; the kinds themselves use printable prefixes.
 * Entry key: DEDUP_PREFIX | u8 clientIdLen | clientId | u64 seq. The length byte keeps one
 * client's keys from being a prefix range of another's ("a" vs "ab"). Seq 0 (never a valid
 * seq) holds the client's floor.
 */
export const DEDUP_PREFIX = new Uint8Array([0x00, 0x64]);
const ENTRY_VERSION = 1;
const FLOOR_SEQ = 0;

export interface DedupOptions {
  window?: number;
  maxClients?: number;
  maxResultsPerClient?: number;
}

interface ClientState {
  /** Key prefix of this client's entries. */
  prefix: Uint8Array;
  /** Highest seq applied (0: none yet). */
  highest: number;
  /** Seqs at or below the floor are forgotten: a command carrying one is refused, never applied. */
  floor: number;
  /** Result by seq, for applied seqs above the floor. */
  results: Map<number, Uint8Array>;
  /** Raft index of the client's most recent applied command: the eviction order. */
  lastIndex: number;
}

/**
 * Exactly-once application of proposals, keyed by (clientId, seq) — the client-session scheme
 * of the Raft dissertation (§6.3).
 *
 * Contract (part of the API; clients must respect it):
 * - A client may have many requests in flight and they may commit in any order; a retry is the
 *   same command with the same (clientId, seq).
 * - A command whose seq is remembered is not applied again; apply returns the original result
 *   byte for byte (even if state changed since).
 * - Each command tells the table the client's lowest seq still waiting for an answer
 *   (`lowestUnacked`): results below it are forgotten. So a client that fills it in may keep a
 *   request unanswered for as long as it likes (up to MAX_RESULTS_PER_CLIENT newer ones) and
 *   its retry is still recognised. A client that sends 0 gets a fixed window instead: results
 *   of seqs above `highest − WINDOW` are kept (WINDOW = 1024).
 * - A seq at or below the client's floor (forgotten: acknowledged, out of the window, or beyond
 *   MAX_RESULTS_PER_CLIENT) gets `SequenceTooOld` and is not applied: never applied twice, but
 *   maybe never applied.
 * - A seq above the floor that was never applied is applied (out-of-order arrival is fine).
 * - At most MAX_CLIENTS (10,000 by default) clients are remembered. Admitting a new client beyond
 *   that evicts the client whose latest applied command has the lowest Raft index, forgetting all
 *   its results; a retry from an evicted client would be applied again. Clients should therefore
 *   be long-lived (one per front-end process, not per request) and retries prompt.
 * - Duplicates and SequenceTooOld rejections change nothing: no ops, no recency update.
 *
 * Memory: the results above each client's floor are held in memory (apply cannot read the
 * store); results of the kinds are small (tens of bytes).
 */
export class DedupTable {
  readonly window: number;
  readonly maxClients: number;
  readonly maxResultsPerClient: number;
  /** Insertion order is recency order: a client is re-inserted whenever it applies. */
  private clients = new Map<string, ClientState>();

  constructor(opts: DedupOptions = {}) {
    this.window = opts.window ?? WINDOW;
    this.maxClients = opts.maxClients ?? MAX_CLIENTS;
    this.maxResultsPerClient = opts.maxResultsPerClient ?? MAX_RESULTS_PER_CLIENT;
    if (!Number.isSafeInteger(this.window) || this.window < 1) throw new RangeError('window must be ≥ 1');
    if (!Number.isSafeInteger(this.maxClients) || this.maxClients < 1) throw new RangeError('maxClients must be ≥ 1');
    if (!Number.isSafeInteger(this.maxResultsPerClient) || this.maxResultsPerClient < 1) throw new RangeError('maxResultsPerClient must be ≥ 1');
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
        c = { prefix, highest: 0, floor: 0, results: new Map(), lastIndex: 0 };
        loaded.set(clientId, c);
      }
      if (seq === FLOOR_SEQ) {
        c.floor = new Reader(result).u64('floor');
        continue;
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
   * Decodes an enveloped command and applies it once (applyOnce). A command that cannot be
   * decoded gets an InvalidArgument result: it is in the log, so apply must not throw on it.
   */
  applyEncoded(command: Uint8Array, ctx: ApplyContext, applyFn: (cmd: Command, ctx: ApplyContext) => Uint8Array): Uint8Array {
    let cmd: Command;
    try {
      cmd = decodeCommand(command);
    } catch (e) {
      if (e instanceof CommandError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    return this.applyOnce(cmd, ctx, applyFn);
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
      if (cmd.seq <= c.floor) {
        return errorResult(
          'SequenceTooOld',
          `seq ${cmd.seq} of client ${cmd.clientId} is at or below its forgotten floor ${c.floor} ` +
            '(already answered, or too old to tell): it is not applied',
        );
      }
    }

    const result = applyFn(cmd, ctx);

    if (c === undefined) {
      if (this.clients.size >= this.maxClients) this.evictOldest(ctx.ops);
      c = { prefix: clientPrefix(cmd.clientId), highest: 0, floor: 0, results: new Map(), lastIndex: 0 };
    } else {
      this.clients.delete(cmd.clientId);
    }
    this.clients.set(cmd.clientId, c);
    c.lastIndex = ctx.index;
    if (cmd.seq > c.highest) c.highest = cmd.seq;
    c.results.set(cmd.seq, result);
    ctx.ops.push({ type: 'put', key: entryKey(c.prefix, cmd.seq), value: encodeValue(ctx.index, result) });

    const lowest = cmd.lowestUnacked ?? 0;
    let floor = lowest > 0 ? Math.max(c.floor, lowest - 1) : Math.max(c.floor, c.highest - this.window);
    if (c.results.size > this.maxResultsPerClient) floor = Math.max(floor, smallestSeqs(c.results, c.results.size - this.maxResultsPerClient));
    if (floor > c.floor) this.raiseFloor(c, floor, ctx);
    return result;
  }

  /** Forgets the results at or below `floor` and records the new floor. */
  private raiseFloor(c: ClientState, floor: number, ctx: ApplyContext): void {
    const ops = ctx.ops;
    // Point deletes rather than a range tombstone: only remembered seqs have keys. Walk the seq
    // range when it is shorter than the map, else the map (a client that jumped far ahead).
    if (floor - c.floor <= c.results.size) {
      for (let seq = c.floor + 1; seq <= floor; seq++) {
        if (c.results.delete(seq)) ops.push({ type: 'del', key: entryKey(c.prefix, seq) });
      }
    } else {
      for (const seq of [...c.results.keys()].sort((a, b) => a - b)) {
        if (seq > floor) continue;
        c.results.delete(seq);
        ops.push({ type: 'del', key: entryKey(c.prefix, seq) });
      }
    }
    c.floor = floor;
    ops.push({ type: 'put', key: entryKey(c.prefix, FLOOR_SEQ), value: encodeValue(ctx.index, new Writer(8).u64(floor).finish()) });
  }

  private evictOldest(ops: KvOp[]): void {
    const first = this.clients.entries().next();
    if (first.done === true) return;
    const [clientId, c] = first.value;
    this.clients.delete(clientId);
    ops.push({ type: 'del', key: entryKey(c.prefix, FLOOR_SEQ) });
    for (const seq of [...c.results.keys()].sort((a, b) => a - b)) {
      ops.push({ type: 'del', key: entryKey(c.prefix, seq) });
    }
  }
}

/** The n-th smallest seq of the map (n ≥ 1): dropping everything up to it leaves the cap. */
function smallestSeqs(results: Map<number, Uint8Array>, n: number): number {
  return [...results.keys()].sort((a, b) => a - b)[n - 1]!;
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
