// One workflow group as the gateway and the executor see it: typed commands and queries over the
// cluster client. Transitions of many executions share proposals: one proposal travels at a time
// per group and whatever queues behind it goes in the next, so a busy state machine costs one
// Raft append per batch of steps rather than per step.
import { type ClusterClient } from '../../cluster/client.js';
import { Sequencer } from '../../cluster/sequencer.js';
import { type CommandPayload, type ErrorResult } from '../../../storage/partitions/envelope.js';
import {
  EXECUTOR_LEASE,
  type ExecutionDescription,
  type ExecutionListItem,
  type HistoryEvent,
  type InboxItem,
  type LeaseRecord,
  type Page,
  type RunnableExecution,
  type TransitionItem,
  type TransitionOutcome,
  type WorkflowCommand,
  type WorkflowQuery,
  decodeWorkflowResult,
  encodeWorkflowCommand,
  encodeWorkflowQuery,
  refusalOf,
} from '../../../storage/partitions/workflow-codec.js';
import { Attr, SpanName, withSpan } from '../../telemetry/index.js';

/** A refusal from the group (not a transport failure): callers map it to the API's error. */
export class GroupRefusal extends Error {
  constructor(readonly result: ErrorResult) {
    super(result.message);
  }

  get code(): string {
    return refusalOf(this.result)?.code ?? this.result.code;
  }
}

/** Steps per transitions proposal: bounded so one Raft entry stays well under a few MiB. */
const MAX_BATCH_ITEMS = 256;

interface Pending {
  item: TransitionItem;
  resolve: (o: TransitionOutcome) => void;
  reject: (e: unknown) => void;
}

export class WorkflowGroup {
  private readonly sequencer = new Sequencer();
  private queue: Pending[] = [];
  private inFlight = false;

  constructor(
    private readonly client: ClusterClient,
    readonly id: number,
  ) {}

  async command<T>(cmd: WorkflowCommand): Promise<T> {
    const bytes = await this.sequencer.propose(encodeWorkflowCommand(cmd) satisfies CommandPayload, (b) => this.client.propose(this.id, b));
    const r = decodeWorkflowResult<T>(bytes);
    if (!r.ok) throw new GroupRefusal(r);
    return r.value;
  }

  async query<T>(q: WorkflowQuery, stale = false): Promise<T> {
    const r = decodeWorkflowResult<T>(await this.client.read(this.id, encodeWorkflowQuery(q), { stale }));
    if (!r.ok) throw new GroupRefusal(r);
    return r.value;
  }

  describe(name: string): Promise<ExecutionDescription> {
    return this.query<ExecutionDescription>({ type: 'describeExecution', name });
  }

  list(q: Omit<Extract<WorkflowQuery, { type: 'listExecutions' }>, 'type'>): Promise<Page<ExecutionListItem>> {
    return this.query<Page<ExecutionListItem>>({ type: 'listExecutions', ...q });
  }

  history(name: string, reverse: boolean, afterId: number | undefined, limit: number): Promise<Page<HistoryEvent>> {
    return this.query<Page<HistoryEvent>>({ type: 'history', name, reverse, limit, ...(afterId !== undefined ? { afterId } : {}) });
  }

  runnable(after: string | undefined, limit: number): Promise<Page<RunnableExecution>> {
    return this.query<Page<RunnableExecution>>({ type: 'runnable', limit, ...(after !== undefined ? { after } : {}) });
  }

  inbox(afterSeq: number, limit: number): Promise<Page<InboxItem>> {
    return this.query<Page<InboxItem>>({ type: 'inbox', afterSeq, limit });
  }

  definition(id: string): Promise<string> {
    return this.query<string>({ type: 'definition', id });
  }

  acquire(owner: string, ttlMs: number): Promise<LeaseRecord | undefined> {
    return this.command<LeaseRecord>({ type: 'acquireLease', name: EXECUTOR_LEASE, owner, ttlMs, steal: false }).catch((e: unknown) => {
      if (e instanceof GroupRefusal && e.result.code === 'FailedPrecondition') return undefined;
      throw e;
    });
  }

  renew(lease: LeaseRecord, ttlMs: number): Promise<LeaseRecord> {
    return this.command<LeaseRecord>({ type: 'renewLease', name: EXECUTOR_LEASE, owner: lease.owner, token: lease.token, ttlMs });
  }

  async release(lease: LeaseRecord): Promise<void> {
    await this.command<unknown>({ type: 'releaseLease', name: EXECUTOR_LEASE, owner: lease.owner, token: lease.token });
  }

  async leases(): Promise<LeaseRecord[]> {
    return this.query<LeaseRecord[]>({ type: 'leases' });
  }

  /** Waits (up to waitMs) until the group applied past `after`; gives its applied index. */
  watch(after: number, waitMs: number): Promise<number> {
    return this.client.watch(this.id, after, waitMs);
  }

  /** Commits one execution's step under the lease; concurrent calls share proposals. */
  transition(lease: () => LeaseRecord | undefined, item: TransitionItem): Promise<TransitionOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump(lease);
    });
  }

  private pump(lease: () => LeaseRecord | undefined): void {
    if (this.inFlight || this.queue.length === 0) return;
    const l = lease();
    const batch = this.queue.splice(0, MAX_BATCH_ITEMS);
    if (!l) {
      for (const p of batch) p.reject(new Error('the executor lease is not held'));
      return;
    }
    this.inFlight = true;
    withSpan(SpanName.WorkflowCommit, { [Attr.Group]: this.id, [Attr.Commands]: batch.length }, () =>
      this.command<TransitionOutcome[]>({ type: 'transitions', owner: l.owner, token: l.token, items: batch.map((p) => p.item) }),
    )
      .then(
        (outcomes) => batch.forEach((p, i) => p.resolve(outcomes[i] ?? { type: 'notFound' })),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight = false;
        this.pump(lease);
      });
  }
}
