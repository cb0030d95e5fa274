// Drives a `workflow` group command by command with leader timestamps chosen by the test.
import { type KvOp } from '../../storage/engine/engine.js';
import { type CommandResult, type Decoded, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type ExecutionRecordInput,
  type HistoryEvent,
  type LeaseRecord,
  type TransitionItem,
  type TransitionOutcome,
  type WorkflowCommand,
  type WorkflowQuery,
  EXECUTOR_LEASE,
  WorkflowStateMachine,
  decodeLeaseResult,
  decodeTransitionsResult,
  decodeWorkflowResult,
  encodeWorkflowCommand,
  encodeWorkflowQuery,
} from '../../storage/partitions/workflow.js';
import { Harness } from './memory-store.js';

export const SM_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:flow';
export const DEF = '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}';

export function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

export function started(ts: number): HistoryEvent {
  return { id: 1, previousEventId: 0, timestamp: ts, type: 'ExecutionStarted', details: { key: 'executionStartedEventDetails', value: { input: '{}' } } };
}

export function record(name: string, extra: Partial<ExecutionRecordInput> = {}): ExecutionRecordInput {
  return { executionArn: `arn:aws:states:us-east-1:000000000000:execution:flow:${name}`, stateMachineArn: SM_ARN, definitionId: 'd1', roleArn: 'arn:aws:iam::000000000000:role/r', input: '{"x":1}', ...extra };
}

/** Events id..id+n-1, chained. */
export function events(from: number, n: number, ts = 0): HistoryEvent[] {
  return Array.from({ length: n }, (_, i) => ({ id: from + i, previousEventId: from + i - 1, timestamp: ts, type: 'PassStateEntered' }));
}

export class WorkflowHarness extends Harness<WorkflowStateMachine> {
  seq = 0;
  lease: LeaseRecord | undefined;

  constructor() {
    super(new WorkflowStateMachine());
  }

  send(cmd: WorkflowCommand, timestampMs: number): { result: Uint8Array; ops: KvOp[] } {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeWorkflowCommand(cmd) }));
  }

  run(cmd: WorkflowCommand, timestampMs: number): CommandResult {
    return decodeResult(this.send(cmd, timestampMs).result);
  }

  /** The ok body as JSON, or throws with the refusal. */
  ok<T>(cmd: WorkflowCommand, timestampMs: number): T {
    return unwrap(decodeWorkflowResult<T>(this.send(cmd, timestampMs).result));
  }

  async q<T>(query: WorkflowQuery): Promise<T> {
    return unwrap(decodeWorkflowResult<T>(await this.read(encodeWorkflowQuery(query))));
  }

  async qr(query: WorkflowQuery): Promise<CommandResult> {
    return decodeResult(await this.read(encodeWorkflowQuery(query)));
  }

  acquire(owner: string, now: number, ttlMs = 10_000, steal = false): LeaseRecord {
    this.lease = unwrap(decodeLeaseResult(this.send({ type: 'acquireLease', name: EXECUTOR_LEASE, owner, ttlMs, steal }, now).result));
    return this.lease;
  }

  start(name: string, now: number, extra: Partial<ExecutionRecordInput> = {}, maxOpen = 1000): CommandResult {
    return this.run({ type: 'startExecution', name, record: record(name, extra), definition: DEF, startedEvent: started(now), maxOpen }, now);
  }

  step(items: TransitionItem[], now: number, lease = this.lease): TransitionOutcome[] {
    if (lease === undefined) throw new Error('no lease');
    return unwrap(decodeTransitionsResult(this.send({ type: 'transitions', owner: lease.owner, token: lease.token, items }, now).result));
  }
}

export function item(name: string, version: number, ev: HistoryEvent[], extra: Partial<TransitionItem> = {}): TransitionItem {
  return { name, version, state: `{"v":1,"version":${version}}`, events: ev, consumeInbox: [], openTokens: [], ...extra };
}
