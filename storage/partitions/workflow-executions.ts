// The executions of one state machine (all its versions and aliases) as the `workflow` kind holds
// them: commands that start, advance, stop, call back and redrive executions. apply() cannot read
// the store, so every decision here rests on the in-memory mirror (records, open tokens, the
// inbox's seq → name map, the counters); inputs, outputs, states and events only go to disk.
import { createHash } from 'node:crypto';
import { type KvOp } from '../engine/engine.js';
import { fromUtf8, utf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type PartitionStore } from './kind.js';
import {
  COUNTERS_KEY,
  DEF_PREFIX,
  EXEC_PREFIX,
  INBOX_PREFIX,
  defKey,
  eventKey,
  execKey,
  inboxKey,
  inputKey,
  range,
  resultKey,
  stateKey,
} from './workflow-keys.js';
import {
  type ExecutionRecord,
  type HistoryEvent,
  type InboxItem,
  type StartExecutionResult,
  type StopExecutionResult,
  type TransitionItem,
  type TransitionOutcome,
  type WorkflowCommand,
  DEFAULT_MAX_REDRIVES,
  DEFAULT_REDRIVE_WINDOW_MS,
} from './workflow-types.js';

type Cmd<T extends WorkflowCommand['type']> = Extract<WorkflowCommand, { type: T }>;

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));

/**
 * A copy with a fixed member order: a record built live and one parsed after a reload hold their
 * members in different orders, and whatever is written or answered must not show it.
 */
export function canonicalRecord(r: ExecutionRecord): ExecutionRecord {
  const o: Partial<ExecutionRecord> = { name: r.name, executionArn: r.executionArn, stateMachineArn: r.stateMachineArn };
  if (r.versionArn !== undefined) o.versionArn = r.versionArn;
  if (r.aliasArn !== undefined) o.aliasArn = r.aliasArn;
  o.definitionId = r.definitionId;
  o.roleArn = r.roleArn;
  if (r.traceHeader !== undefined) o.traceHeader = r.traceHeader;
  if (r.parent !== undefined) o.parent = { group: r.parent.group, name: r.parent.name, taskId: r.parent.taskId };
  o.status = r.status;
  o.startDate = r.startDate;
  if (r.stopDate !== undefined) o.stopDate = r.stopDate;
  o.redriveCount = r.redriveCount;
  if (r.redriveDate !== undefined) o.redriveDate = r.redriveDate;
  o.version = r.version;
  o.eventCount = r.eventCount;
  o.startSeq = r.startSeq;
  o.inputHash = r.inputHash;
  o.openTokens = [...r.openTokens];
  return o as ExecutionRecord;
}

export const recordJson = (r: ExecutionRecord): Uint8Array => json(canonicalRecord(r));

const hashOf = (input: string): string => createHash('sha256').update(input, 'utf8').digest('hex');

export class Executions {
  readonly byName = new Map<string, ExecutionRecord>();
  /** Every execution by startSeq, ascending (executions are never removed, seqs only grow). */
  readonly ordered: ExecutionRecord[] = [];
  readonly running = new Set<ExecutionRecord>();
  /** Pending inbox items: seq → execution name. */
  readonly inbox = new Map<number, string>();
  readonly definitions = new Set<string>();
  nextStartSeq = 1;
  nextInboxSeq = 1;

  static async load(store: PartitionStore): Promise<Executions> {
    const x = new Executions();
    const counters = await store.get(COUNTERS_KEY);
    if (counters !== undefined) {
      const c = JSON.parse(fromUtf8(counters)) as { startSeq: number; inboxSeq: number };
      x.nextStartSeq = c.startSeq;
      x.nextInboxSeq = c.inboxSeq;
    }
    const records: ExecutionRecord[] = [];
    for await (const [, v] of store.scan(range(EXEC_PREFIX))) records.push(JSON.parse(fromUtf8(v)) as ExecutionRecord);
    records.sort((a, b) => a.startSeq - b.startSeq);
    for (const r of records) x.add(r);
    for await (const [, v] of store.scan(range(INBOX_PREFIX))) {
      const item = JSON.parse(fromUtf8(v)) as InboxItem;
      x.inbox.set(item.seq, item.name);
    }
    for await (const [k] of store.scan(range(DEF_PREFIX))) x.definitions.add(fromUtf8(k.subarray(1)));
    return x;
  }

  private add(r: ExecutionRecord): void {
    this.byName.set(r.name, r);
    this.ordered.push(r);
    if (r.status === 'RUNNING') this.running.add(r);
  }

  private counters(ops: KvOp[]): void {
    ops.push({ type: 'put', key: COUNTERS_KEY, value: json({ startSeq: this.nextStartSeq, inboxSeq: this.nextInboxSeq }) });
  }

  private save(r: ExecutionRecord, ops: KvOp[]): void {
    ops.push({ type: 'put', key: execKey(r.name), value: recordJson(r) });
  }

  private setRunning(r: ExecutionRecord, running: boolean): void {
    if (running) this.running.add(r);
    else this.running.delete(r);
  }

  private addInbox(item: Omit<InboxItem, 'seq'>, ops: KvOp[]): number {
    const seq = this.nextInboxSeq++;
    const full: InboxItem = { seq, ...item };
    this.inbox.set(seq, item.name);
    ops.push({ type: 'put', key: inboxKey(seq), value: json(full) });
    this.counters(ops);
    return seq;
  }

  /** Drops every pending inbox item of an execution (they are moot once it closed or restarts). */
  private purgeInbox(name: string, ops: KvOp[]): void {
    const seqs: number[] = [];
    for (const [seq, n] of this.inbox) if (n === name) seqs.push(seq);
    // Sorted: a reloaded replica's map is in seq order, a live one's too, but ops must not depend on it.
    for (const seq of seqs.sort((a, b) => a - b)) {
      this.inbox.delete(seq);
      ops.push({ type: 'del', key: inboxKey(seq) });
    }
  }

  /** Deletes the listed items that are pending and (when `name` is given) belong to that execution. */
  consume(seqs: number[], name: string | undefined, ops: KvOp[]): number {
    let deleted = 0;
    for (const seq of seqs) {
      const owner = this.inbox.get(seq);
      if (owner === undefined || (name !== undefined && owner !== name)) continue;
      this.inbox.delete(seq);
      ops.push({ type: 'del', key: inboxKey(seq) });
      deleted++;
    }
    return deleted;
  }

  start(c: Cmd<'startExecution'>, now: number, ops: KvOp[]): Uint8Array {
    const inputHash = hashOf(c.record.input);
    const existing = this.byName.get(c.name);
    if (existing !== undefined) {
      // AWS: StartExecution with the name and input of a running execution answers it again.
      if (existing.status === 'RUNNING' && existing.inputHash === inputHash) {
        return okResult(json({ executionArn: existing.executionArn, startDate: existing.startDate, existed: true } satisfies StartExecutionResult));
      }
      return errorResult('AlreadyExists', `execution ${c.name} already exists (${existing.status})`);
    }
    if (c.startedEvent.id !== 1 || c.startedEvent.previousEventId !== 0) {
      return errorResult('InvalidArgument', `the started event must have id 1 and previousEventId 0, got ${c.startedEvent.id}/${c.startedEvent.previousEventId}`);
    }
    const defId = c.record.definitionId;
    if (!this.definitions.has(defId) && c.definition === undefined) {
      return errorResult('FailedPrecondition', `DefinitionMissing: definition ${defId} is not stored and the command carries no text`);
    }
    if (this.running.size >= c.maxOpen) {
      return errorResult('FailedPrecondition', `ExecutionLimitExceeded: ${this.running.size} executions are running, the limit is ${c.maxOpen}`);
    }
    if (!this.definitions.has(defId) && c.definition !== undefined) {
      this.definitions.add(defId);
      ops.push({ type: 'put', key: defKey(defId), value: utf8(c.definition) });
    }
    const { input, ...fields } = c.record;
    const r: ExecutionRecord = {
      ...fields,
      name: c.name,
      status: 'RUNNING',
      startDate: now,
      redriveCount: 0,
      version: 1,
      eventCount: 1,
      startSeq: this.nextStartSeq++,
      inputHash,
      openTokens: [],
    };
    this.add(r);
    this.save(r, ops);
    ops.push({ type: 'put', key: inputKey(c.name), value: utf8(input) });
    ops.push({ type: 'put', key: eventKey(c.name, 1), value: json(c.startedEvent) });
    this.counters(ops);
    // A first step whose events do not follow ExecutionStarted is refused by transition() before
    // it writes anything: the execution then starts unstepped, and the executor steps it.
    if (c.first !== undefined) this.transition({ ...c.first, name: c.name, version: r.version, consumeInbox: [] }, now, ops);
    return okResult(json({ executionArn: r.executionArn, startDate: now, existed: false } satisfies StartExecutionResult));
  }

  /** The caller has checked the executor lease. */
  transitions(items: TransitionItem[], now: number, ops: KvOp[]): Uint8Array {
    return okResult(json(items.map((item) => this.transition(item, now, ops))));
  }

  private transition(item: TransitionItem, now: number, ops: KvOp[]): TransitionOutcome {
    const r = this.byName.get(item.name);
    if (r === undefined) return { type: 'notFound' };
    if (r.status !== 'RUNNING') {
      // Closed under the executor (StopExecution): what it consumed is moot, so drop it. A
      // RUNNING execution keeps its items on a version conflict: the executor will see them again.
      this.consume(item.consumeInbox, item.name, ops);
      return { type: 'conflict', status: r.status, version: r.version };
    }
    if (r.version !== item.version) return { type: 'conflict', status: r.status, version: r.version };
    for (let i = 0; i < item.events.length; i++) {
      const e = item.events[i] as HistoryEvent;
      if (e.id !== r.eventCount + 1 + i) return { type: 'invalid', message: `event ${i} has id ${e.id}, expected ${r.eventCount + 1 + i}` };
    }
    this.consume(item.consumeInbox, item.name, ops);
    ops.push({ type: 'put', key: stateKey(r.name), value: utf8(item.state) });
    for (const e of item.events) ops.push({ type: 'put', key: eventKey(r.name, e.id), value: json(e) });
    r.eventCount += item.events.length;
    r.version++;
    if (item.close !== undefined) {
      const { status, ...result } = item.close;
      r.status = status;
      r.stopDate = now;
      r.openTokens = [];
      this.setRunning(r, false);
      ops.push({ type: 'put', key: resultKey(r.name), value: json(result) });
      this.purgeInbox(r.name, ops);
    } else {
      r.openTokens = [...item.openTokens];
    }
    this.save(r, ops);
    return { type: 'ok', version: r.version };
  }

  stop(c: Cmd<'stopExecution'>, now: number, ops: KvOp[]): Uint8Array {
    const r = this.byName.get(c.name);
    if (r === undefined) return errorResult('NotFound', `execution ${c.name} does not exist`);
    if (r.status !== 'RUNNING') {
      return okResult(json({ stopDate: r.stopDate ?? r.startDate, stopped: false, status: r.status } satisfies StopExecutionResult));
    }
    const details: Record<string, string> = {};
    if (c.error !== undefined) details.error = c.error;
    if (c.cause !== undefined) details.cause = c.cause;
    const id = r.eventCount + 1;
    const event: HistoryEvent = { id, previousEventId: r.eventCount, timestamp: now, type: 'ExecutionAborted', details: { key: 'executionAbortedEventDetails', value: details } };
    ops.push({ type: 'put', key: eventKey(r.name, id), value: json(event) });
    ops.push({ type: 'put', key: resultKey(r.name), value: json(details) });
    r.eventCount = id;
    r.status = 'ABORTED';
    r.stopDate = now;
    r.version++;
    r.openTokens = [];
    this.setRunning(r, false);
    this.save(r, ops);
    this.purgeInbox(r.name, ops);
    this.addInbox({ name: r.name, kind: 'stopped', atMs: now }, ops);
    return okResult(json({ stopDate: now, stopped: true, status: r.status } satisfies StopExecutionResult));
  }

  callback(c: Cmd<'taskCallback'>, now: number, ops: KvOp[]): Uint8Array {
    const r = this.byName.get(c.name);
    if (r === undefined) return errorResult('NotFound', `execution ${c.name} does not exist`);
    if (r.status !== 'RUNNING') return errorResult('FailedPrecondition', `TaskDoesNotExist: execution ${c.name} is ${r.status}`);
    const at = r.openTokens.indexOf(c.taskId);
    if (at < 0) return errorResult('FailedPrecondition', `TaskDoesNotExist: task ${c.taskId} of execution ${c.name} is not open`);
    if (c.kind === 'success' || c.kind === 'failure') {
      // Closed at once, so a second outcome for the same task is refused.
      r.openTokens = r.openTokens.filter((t) => t !== c.taskId);
      this.save(r, ops);
    }
    const item: Omit<InboxItem, 'seq'> = { name: c.name, kind: c.kind, atMs: now, taskId: c.taskId };
    if (c.output !== undefined) item.output = c.output;
    if (c.error !== undefined) item.error = c.error;
    if (c.cause !== undefined) item.cause = c.cause;
    if (c.workerName !== undefined) item.workerName = c.workerName;
    return okResult(json({ seq: this.addInbox(item, ops) }));
  }

  redrive(c: Cmd<'redriveExecution'>, now: number, ops: KvOp[]): Uint8Array {
    const r = this.byName.get(c.name);
    if (r === undefined) return errorResult('NotFound', `execution ${c.name} does not exist`);
    const refuse = (reason: string, detail: string): Uint8Array => errorResult('FailedPrecondition', `ExecutionNotRedrivable: ${reason}: ${detail}`);
    if (r.status === 'RUNNING' || r.status === 'PENDING_REDRIVE') return refuse('running', `execution ${c.name} is ${r.status}`);
    if (r.status === 'SUCCEEDED') return refuse('succeeded', `execution ${c.name} succeeded`);
    const windowMs = c.windowMs ?? DEFAULT_REDRIVE_WINDOW_MS;
    if (now - (r.stopDate ?? r.startDate) > windowMs) return refuse('expired', `execution ${c.name} stopped more than ${windowMs} ms ago`);
    const max = c.maxRedrives ?? DEFAULT_MAX_REDRIVES;
    if (r.redriveCount >= max) return refuse('limit', `execution ${c.name} was redriven ${r.redriveCount} times, the limit is ${max}`);
    r.status = 'RUNNING';
    r.redriveCount++;
    r.redriveDate = now;
    delete r.stopDate;
    r.version++;
    this.setRunning(r, true);
    this.save(r, ops);
    ops.push({ type: 'del', key: resultKey(r.name) });
    this.purgeInbox(r.name, ops);
    this.addInbox({ name: r.name, kind: 'redrive', atMs: now }, ops);
    return okResult(json({ redriveCount: r.redriveCount, redriveDate: now }));
  }
}
