import { type KvOp } from '../engine/engine.js';
import { DecodeError } from './codec.js';
import { DedupTable, type DedupOptions } from './dedup.js';
import { type Command, CommandError, decodeQuery, errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStateMachine, type PartitionStore } from './kind.js';
import { LeaseTable } from './lease.js';
import { ActivityQueue } from './workflow-activities.js';
import { type WorkflowCommand, type WorkflowQuery, EXECUTOR_LEASE, decodeWorkflowCommand, decodeWorkflowQuery } from './workflow-codec.js';
import { Executions } from './workflow-executions.js';
import { LEASE_PREFIX } from './workflow-keys.js';
import * as reads from './workflow-reads.js';

export * from './workflow-codec.js';

/*
 * The `workflow` kind: one Raft group per state machine, holding its Standard executions (every
 * version and alias), or per activity, holding its task queue; the same kind serves both and a
 * group simply never receives the other half's commands.
 *
 * An execution advances only through `transitions` from the holder of the 'executor' lease, each
 * item compare-and-set on the execution's version, so a deposed executor or one that raced a
 * StopExecution cannot commit. Everything from outside the executor (task callbacks, stops,
 * redrives) lands in the group's inbox with consecutive seqs, which the executor reads, feeds to
 * the interpreter and consumes in the same transition that records the outcome.
 *
 * Keys: workflow-keys.ts. Time: always the command's leader timestamp.
 */
export class WorkflowStateMachine implements PartitionStateMachine {
  private readonly dedupOptions: DedupOptions;
  private dedup: DedupTable;
  private leases = new LeaseTable(LEASE_PREFIX);
  private executions = new Executions();
  private activities = new ActivityQueue();

  constructor(opts: { dedup?: DedupOptions } = {}) {
    this.dedupOptions = opts.dedup ?? {};
    this.dedup = new DedupTable(this.dedupOptions);
  }

  async load(store: PartitionStore): Promise<void> {
    const dedup = new DedupTable(this.dedupOptions);
    await dedup.load(store);
    const leases = new LeaseTable(LEASE_PREFIX);
    await leases.load(store);
    const executions = await Executions.load(store);
    const activities = await ActivityQueue.load(store);
    // Assigned together once everything decoded, so a failed load leaves the old state intact.
    this.dedup = dedup;
    this.leases = leases;
    this.executions = executions;
    this.activities = activities;
  }

  apply(command: Uint8Array, ctx: ApplyContext): Uint8Array {
    return this.dedup.applyEncoded(command, ctx, (c, cx) => this.applyOp(c, cx.ops));
  }

  private applyOp(cmd: Command, ops: KvOp[]): Uint8Array {
    let c: WorkflowCommand;
    try {
      c = decodeWorkflowCommand(cmd.op, cmd.body);
    } catch (e) {
      if (e instanceof DecodeError || e instanceof TypeError) return errorResult('InvalidArgument', `malformed workflow command: ${e.message}`);
      throw e;
    }
    const now = cmd.timestampMs;
    const x = this.executions;
    switch (c.type) {
      case 'acquireLease':
        return this.leases.acquire(c, now, ops);
      case 'renewLease':
        return this.leases.renew(c, now, ops);
      case 'releaseLease':
        return this.leases.release(c, ops);
      case 'startExecution':
        return x.start(c, now, ops);
      case 'transitions':
        if (!this.leases.holds(EXECUTOR_LEASE, c.owner, c.token, now)) return this.leaseLost(c.owner);
        return x.transitions(c.items, now, ops);
      case 'ackInbox':
        if (!this.leases.holds(EXECUTOR_LEASE, c.owner, c.token, now)) return this.leaseLost(c.owner);
        return okResult(new TextEncoder().encode(JSON.stringify({ deleted: x.consume(c.seqs, undefined, ops) })));
      case 'stopExecution':
        return x.stop(c, now, ops);
      case 'taskCallback':
        return x.callback(c, now, ops);
      case 'redriveExecution':
        return x.redrive(c, now, ops);
      case 'enqueueActivityTask':
        return this.activities.enqueue(c, now, ops);
      case 'takeActivityTask':
        return this.activities.take(c, now, ops);
      case 'dropActivityTask':
        return this.activities.drop(c, ops);
    }
  }

  private leaseLost(owner: string): Uint8Array {
    return errorResult('FailedPrecondition', `LeaseLost: the ${EXECUTOR_LEASE} lease is not held by ${owner}`);
  }

  async read(query: Uint8Array, store: PartitionStore): Promise<Uint8Array> {
    let q: WorkflowQuery;
    try {
      const { op, body } = decodeQuery(query);
      q = decodeWorkflowQuery(op, body);
    } catch (e) {
      if (e instanceof CommandError || e instanceof DecodeError || e instanceof TypeError) return errorResult('InvalidArgument', e.message);
      throw e;
    }
    const x = this.executions;
    switch (q.type) {
      case 'describeExecution':
        return reads.describeExecution(x, q, store);
      case 'listExecutions':
        return reads.listExecutions(x, q);
      case 'history':
        return reads.history(x, q, store);
      case 'runnable':
        return reads.runnable(x, q, store);
      case 'inbox':
        return reads.inbox(q, store);
      case 'definition':
        return reads.definition(q, store);
      case 'leases':
        return reads.leases(this.leases);
      case 'activityQueueLength':
        return reads.activityQueueLength(this.activities);
      case 'activityTask':
        return reads.activityTask(this.activities, q, store);
    }
  }
}
