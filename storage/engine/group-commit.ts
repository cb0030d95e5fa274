import { type Engine, type KvOp } from './engine.js';

export interface GroupCommitStats {
  /** Engine writes issued. */
  writes: number;
  /** Synced engine writes (each one fsync of the write-ahead log). */
  fsyncs: number;
  /** Log entries made durable, as reported by callers of add(). */
  entriesSynced: number;
  /** Key and value bytes written. */
  bytes: number;
  ops: number;
}

export interface GroupCommitMark extends GroupCommitStats {
  at: number;
}

export interface GroupCommitRates {
  seconds: number;
  fsyncsPerSecond: number;
  entriesPerFsync: number;
  bytesPerSecond: number;
}

interface Batch {
  ops: KvOp[];
  /** Someone asked for this batch to be durable. */
  wantSync: boolean;
  /** Someone said this batch need not be durable. */
  declinedSync: boolean;
  entries: number;
  /** Set once flush() scheduled the batch: the promise of its write. */
  done: Promise<void> | undefined;
}

/**
 * Group commit: the ops of many Raft groups (one ready-loop cycle) go to the engine in one
 * write, so a cycle costs one fsync however many groups had something to persist.
 *
 * add() queues ops into the open batch; flush() closes it and writes it once the previous
 * write has finished. Writes never overlap and land in add() order. While one write is in
 * flight, new ops queue into the next batch (pipelining): a burst of cycles costs two fsyncs,
 * not one each. flush() resolves once every op added before the call is durable, and rejects
 * if the write carrying them failed.
 *
 * Sync: a batch is fsynced if any add() or flush() asked for sync, or if nobody said either
 * way; it is written without fsync only when the only explicit word was `false` (e.g. applied
 * state, which the log can rebuild). Losing an unsynced batch is safe only for such data.
 */
export class GroupCommitter {
  private open: Batch | undefined;
  private last: Promise<void> = Promise.resolve();
  private readonly totals: GroupCommitStats = { writes: 0, fsyncs: 0, entriesSynced: 0, bytes: 0, ops: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly now: () => number = () => performance.now(),
    /** Told of every write once it completed: whether it was synced and how long it took (ms). */
    private readonly onWrite?: (w: { synced: boolean; ms: number; ops: number }) => void,
  ) {}

  /**
   * Queues ops. The second argument is the number of log entries they persist (for the stats),
   * or options also saying whether these ops need an fsync.
   */
  add(ops: KvOp[], opts: number | { sync?: boolean; entries?: number } = {}): void {
    if (ops.length === 0) return;
    const o = typeof opts === 'number' ? { entries: opts } : opts;
    const b = this.batch();
    for (const op of ops) b.ops.push(op);
    this.vote(b, o.sync);
    b.entries += o.entries ?? 0;
  }

  /** Ops queued and not yet handed to the engine. */
  pending(): number {
    return this.open?.ops.length ?? 0;
  }

  /**
   * Writes everything queued so far, after the write in flight (if any). `sync` adds a vote on
   * whether the batch is fsynced (see the class comment).
   */
  flush(sync?: boolean): Promise<void> {
    const b = this.open;
    if (b === undefined) return this.last;
    this.vote(b, sync);
    if (b.done === undefined) {
      b.done = this.last
        .catch(() => undefined)
        .then(() => {
          // From here on, add() starts the next batch.
          if (this.open === b) this.open = undefined;
          return this.write(b);
        });
      this.last = b.done;
    }
    return b.done;
  }

  private batch(): Batch {
    this.open ??= { ops: [], wantSync: false, declinedSync: false, entries: 0, done: undefined };
    return this.open;
  }

  private vote(b: Batch, sync: boolean | undefined): void {
    if (sync === true) b.wantSync = true;
    else if (sync === false) b.declinedSync = true;
  }

  private async write(b: Batch): Promise<void> {
    const sync = b.wantSync || !b.declinedSync;
    const t0 = this.onWrite ? this.now() : 0;
    await this.engine.write(b.ops, { sync });
    this.onWrite?.({ synced: sync, ms: this.now() - t0, ops: b.ops.length });
    this.totals.writes++;
    this.totals.ops += b.ops.length;
    this.totals.bytes += opBytes(b.ops);
    if (sync) {
      this.totals.fsyncs++;
      this.totals.entriesSynced += b.entries;
    }
  }

  get stats(): GroupCommitStats {
    return { ...this.totals };
  }

  /** A reference point for rates(). */
  mark(): GroupCommitMark {
    return { ...this.totals, at: this.now() };
  }

  /** Rates since `mark`. */
  rates(mark: GroupCommitMark): GroupCommitRates {
    const seconds = (this.now() - mark.at) / 1000;
    const fsyncs = this.totals.fsyncs - mark.fsyncs;
    const entries = this.totals.entriesSynced - mark.entriesSynced;
    const bytes = this.totals.bytes - mark.bytes;
    return {
      seconds,
      fsyncsPerSecond: seconds > 0 ? fsyncs / seconds : 0,
      entriesPerFsync: fsyncs > 0 ? entries / fsyncs : 0,
      bytesPerSecond: seconds > 0 ? bytes / seconds : 0,
    };
  }
}

function opBytes(ops: KvOp[]): number {
  let n = 0;
  for (const op of ops) {
    if (op.type === 'put') n += op.key.byteLength + op.value.byteLength;
    else if (op.type === 'del') n += op.key.byteLength;
    else n += op.start.byteLength + op.end.byteLength;
  }
  return n;
}
