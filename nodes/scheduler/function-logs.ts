// Ships each invocation's log text (START/END/REPORT and the function's output) into the
// function's own log in the cluster (`lambda.<function name>`, a `log` partition), batched per
// function so a busy function costs one replicated append per flush, not one per invocation.
// Shipping is off the invocation's path: a caller never waits for its logs to be stored.
import { randomUUID } from 'node:crypto';
import { encodeLogCommand } from '../../storage/partitions/log-codec.js';
import { type ClusterClient } from '../cluster/client.js';
import { type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';

export const functionLogName = (fn: string): string => `lambda.${fn}`;

/** One record holds at most this much of an invocation's output (the log kind's limit is 1 MiB). */
const MAX_RECORD_BYTES = 256 * 1024;
const FLUSH_MS = 200;

interface Pending {
  records: { key: Uint8Array; value: Uint8Array }[];
}

export class FunctionLogs {
  private readonly sequencer = new Sequencer(`lambda-logs-${randomUUID()}`);
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly log: (line: string) => void,
    /** The cluster log a key's records go to: a function's (the default) or a workflow log group's. */
    private readonly logName: (key: string) => string = functionLogName,
  ) {}

  /** Creates the function's log (idempotent: an existing log is kept). */
  async ensure(fn: string): Promise<void> {
    if (await this.placement.log(this.logName(fn))) return;
    const up = (await this.placement.current()).upNodes;
    const r = await this.placement.createLog((p) => this.sequencer.propose(p, (b) => this.client.propose(0, b)), {
      name: this.logName(fn),
      partitions: 1,
      replicationFactor: Math.max(1, Math.min(3, up)),
      retentionMs: 0,
    });
    if (!r.ok && r.code !== 'AlreadyExists') throw new Error(`function log ${fn}: ${r.message}`);
  }

  async drop(fn: string): Promise<void> {
    this.pending.delete(fn);
    const r = await this.placement.deleteLog((p) => this.sequencer.propose(p, (b) => this.client.propose(0, b)), this.logName(fn));
    if (!r.ok && r.code !== 'NotFound') throw new Error(`function log ${fn}: ${r.message}`);
  }

  add(fn: string, requestId: string, text: string): void {
    let value = Buffer.from(text, 'utf8');
    if (value.length > MAX_RECORD_BYTES) value = Buffer.concat([value.subarray(0, MAX_RECORD_BYTES), Buffer.from('\n[log truncated]\n')]);
    let p = this.pending.get(fn);
    if (!p) this.pending.set(fn, (p = { records: [] }));
    p.records.push({ key: Buffer.from(requestId), value });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, FLUSH_MS);
  }

  private async flush(): Promise<void> {
    const batches = [...this.pending.entries()];
    this.pending.clear();
    await Promise.all(
      batches.map(async ([fn, p]) => {
        try {
          const entry = await this.placement.log(this.logName(fn));
          const group = entry?.groupIds[0];
          if (group === undefined) return; // deleted meanwhile: its logs go with it
          await this.sequencer.propose(encodeLogCommand({ type: 'append', records: p.records }), (b) => this.client.propose(group, b));
        } catch (err) {
          this.log(`scheduler: logs of ${fn} not stored (${err instanceof Error ? err.message : String(err)})`);
        }
      }),
    );
  }

  /** Stores what is buffered (shutdown, tests). */
  async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
  }
}
