// The node's ready loop: one cycle drains the Ready of every group that has one, then
//   1. persists all their entries, hard states and snapshots in ONE synced write (group commit),
//   2. sends all their messages, batched per peer,
//   3. applies committed entries to the state machines and writes the results (unsynced: the
//      log is durable, so a crash replays them), then answers proposers and readers,
//   4. advances every group.
// Only one cycle runs at a time; work arriving meanwhile (proposals, messages, ticks) waits for
// the next cycle, which is what batches it.
import { type KvOp } from '../../storage/engine/engine.js';
import { type GroupCommitter } from '../../storage/engine/index.js';
import { smKey } from '../../storage/engine/keys.js';
import { decodeConfChange, EntryType, type Ready, StateRole } from '../../storage/raft/index.js';
import { type Span } from '@opentelemetry/api';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';
import { type RaftTransport } from './transport.js';
import { toWire } from './raft-wire.js';
import { type Replica } from './replica.js';
import { type StorageMetrics } from './storage-metrics.js';
import { detached } from '../telemetry/tracing.js';

const TRACE = process.env.STRATUS_TRACE_CYCLES === '1';

interface Drained {
  rep: Replica;
  rd: Ready;
}

export class ReadyLoop {
  private running = false;
  private again = false;
  private readonly dirty = new Set<Replica>();
  cycles = 0;
  snapshotsReceived = 0;

  constructor(
    private readonly committer: GroupCommitter,
    private readonly transport: RaftTransport,
    private readonly onFatal: (err: unknown) => void,
    private readonly afterApply: (rep: Replica) => void,
    private readonly metrics?: StorageMetrics,
  ) {}

  /** The replica may have a Ready: make sure a cycle looks at it soon. */
  mark(rep: Replica): void {
    this.dirty.add(rep);
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // The loop serves every group: it must not run inside the trace of the request that woke it.
    setImmediate(() => detached(() => void this.loop()));
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await withSpan(SpanName.StorageCycle, {}, (span) => this.cycle(span));
      } while (this.again || this.dirty.size > 0);
    } catch (err) {
      // Persisting or applying failed: the node cannot keep its promises; stop it.
      this.onFatal(err);
    } finally {
      this.running = false;
    }
  }

  private async cycle(span: Span): Promise<void> {
    const drained: Drained[] = [];
    for (const rep of this.dirty) {
      if (!rep.closed && rep.raw.hasReady()) drained.push({ rep, rd: rep.raw.ready() });
    }
    this.dirty.clear();
    if (drained.length === 0) return;
    this.cycles++;

    const trace = TRACE ? [performance.now()] : undefined;
    // 1. Persist, once for all groups.
    let mustSync = false;
    for (const { rep, rd } of drained) {
      const ops = rep.storage.persistReady(rd);
      // A received snapshot replaces the state machine in the same synced write as the log, so
      // a crash can never leave a log that starts after what the state machine holds.
      if (rd.snapshot) ops.push(...rep.storage.restoreSnapshotOps(rd.snapshot));
      this.committer.add(ops, rd.entries.length);
      mustSync ||= rd.mustSync;
    }
    await this.committer.flush(mustSync);
    trace?.push(performance.now());
    span.setAttributes({ [Attr.Groups]: drained.length, [Attr.Synced]: mustSync });

    // 2. Send.
    for (const { rep, rd } of drained) {
      for (const m of rd.messages) this.transport.enqueue(m.to, toWire(rep.group, m));
    }
    this.transport.flush();

    // 3. Apply.
    const results: { rep: Replica; index: number; term: number; result: Uint8Array }[] = [];
    const applyOps: KvOp[] = [];
    for (const { rep, rd } of drained) {
      if (rd.softState && rd.softState.role !== StateRole.Leader) rep.failPending('leadership changed');
      if (rd.softState) this.metrics?.observeLeader(rep, rd.softState.lead);
      if (rd.snapshot) {
        this.snapshotsReceived++;
        await rep.sm.load(rep.store);
        rep.appliedTo(rd.snapshot.metadata.index, rd.snapshot.metadata.confState);
      }
      let confState = rep.confState;
      let last = 0;
      for (const e of rd.committedEntries) {
        last = e.index;
        if (e.type === EntryType.ConfChange) {
          confState = rep.raw.applyConfChange(decodeConfChange(e.data));
        } else if (e.data.byteLength > 0) {
          const ctx = { index: e.index, ops: [] as KvOp[] };
          const result = rep.sm.apply(e.data, ctx);
          for (const op of ctx.ops) applyOps.push(relocate(rep.group, op));
          results.push({ rep, index: e.index, term: e.term, result });
        }
      }
      if (last > 0) applyOps.push(...rep.storage.appliedOps(last, confState));
      rep.confState = confState;
    }
    if (applyOps.length > 0) {
      this.committer.add(applyOps, 0);
      await this.committer.flush(false);
    }

    trace?.push(performance.now());
    // 4. Answer and advance.
    for (const r of results) r.rep.resolveProposal(r.index, r.term, r.result);
    for (const { rep, rd } of drained) {
      const last = rd.committedEntries[rd.committedEntries.length - 1];
      if (last) {
        rep.appliedTo(last.index, rep.confState);
        this.afterApply(rep);
      }
      for (const rs of rd.readStates) rep.readConfirmed(rs.requestCtx, rs.index);
      rep.raw.advance(rd);
      // advance() may release more work (the next committed entries): look again next cycle.
      if (rep.raw.hasReady()) this.dirty.add(rep);
    }
    if (trace) {
      const t = trace.map((x) => (x - trace[0]!).toFixed(2)).join(' ');
      const d = drained.map(({ rep, rd }) => `g${rep.group}:e${rd.entries.length}c${rd.committedEntries.length}m${rd.messages.length}${rd.mustSync ? 's' : ''}`).join(',');
      process.stderr.write(`cycle ${performance.now().toFixed(2)} [${t}] ${d}\n`);
    }
  }
}

/** State machines write relative keys; the group's prefix is added here. */
function relocate(group: number, op: KvOp): KvOp {
  switch (op.type) {
    case 'put':
      return { type: 'put', key: smKey(group, op.key), value: op.value };
    case 'del':
      return { type: 'del', key: smKey(group, op.key) };
    case 'delRange':
      return { type: 'delRange', start: smKey(group, op.start), end: smKey(group, op.end) };
  }
}
