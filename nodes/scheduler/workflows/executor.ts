// Drives one state machine's Standard executions on this scheduler while it holds the group's
// executor lease. Every step is committed (state, history events, inbox items answered) under the
// lease's token before its effects start, so a scheduler that crashes or is cut off loses only
// work in flight: the next holder loads each running execution's last committed state and
// re-issues what it had open. Callbacks, stops and redrives reach it through the group's inbox;
// new executions through the group's runnable list; both are looked at whenever the group
// applies something (a watch on its applied index), so nothing waits for a poll.
import { type LeaseRecord } from '../../../storage/partitions/lease.js';
import { type LoggingConfiguration } from '../../../storage/partitions/meta-workflow-codec.js';
import { type ExecutionLogs } from './execution-logs.js';
import { type ExecutionRecord, type InboxItem, type RunnableExecution } from '../../../storage/partitions/workflow-codec.js';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { type Json } from '../../../workflows/language/json.js';
import { newExecution } from '../../../workflows/engine/index.js';
import { type EngineInput, type ExecutionInfo, type ExecutionState, type Step } from '../../../workflows/engine/types.js';
import { settledWithin, sleep } from '../../sleep.js';
import { type DriverHost, ExecutionDriver } from './driver.js';
import { GroupRefusal, type WorkflowGroup } from './group.js';
import { type TaskRunner } from './tasks.js';
import { executionInfo } from './execution-info.js';
import { transitionItem } from './commit.js';

export const LEASE_TTL_MS = 15_000;
const RENEW_EVERY_MS = 4000;
const WATCH_MS = 1000;
const PAGE = 500;
const STOP_WAIT_MS = 2000;
/** AWS: an execution's history holds at most 25,000 events. */
export const MAX_EVENTS = 25_000;

export interface ExecutorDeps {
  owner: string;
  tasks: TaskRunner;
  log: (line: string) => void;
  /** Whether to take a free lease at once (this scheduler is the machine's first choice) or only one left expired. */
  preferred: boolean;
  now?: () => number;
  random?: () => number;
  /** CloudWatch-style logs of the machine's executions, as its current loggingConfiguration asks. */
  logs?: ExecutionLogs;
  logging?: () => LoggingConfiguration | undefined;
}

export class StandardExecutor {
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  private lease: LeaseRecord | undefined;
  private readonly drivers = new Map<string, ExecutionDriver>();
  private readonly definitions = new Map<string, Promise<StateMachineDefinition>>();
  private inboxCursor = 0;
  /** When the lease was last taken or extended (kept across hold() rounds that an error ended). */
  private renewedAt = 0;
  private startCursor: string | undefined;
  private readonly host: DriverHost;

  constructor(
    private readonly d: ExecutorDeps,
    readonly group: WorkflowGroup,
    readonly machine: { name: string; arn: string },
  ) {
    const now = d.now ?? Date.now;
    const random = d.random ?? Math.random;
    this.host = {
      commit: (driver, step, consumed) => this.commit(driver, step, consumed),
      tasks: d.tasks,
      env: () => ({ nowMs: now(), random }),
      log: d.log,
      maxEvents: MAX_EVENTS,
      closed: (driver) => this.drivers.get(driver.info.name) === driver && this.drivers.delete(driver.info.name),
    };
    this.done = this.run().catch((err: unknown) => {
      if (!this.abort.signal.aborted) d.log(`scheduler: state machine ${machine.name}: ${errText(err)}`);
    });
  }

  get holding(): boolean {
    return this.lease !== undefined;
  }

  get running(): number {
    return this.drivers.size;
  }

  /** Stops driving; `groupGone` when the state machine was deleted. */
  async stop(groupGone = false): Promise<void> {
    this.abort.abort();
    await settledWithin(this.done, STOP_WAIT_MS);
    this.dropDrivers();
    const lease = this.lease;
    this.lease = undefined;
    // Handed back: another scheduler takes over at once instead of after the TTL.
    if (lease && !groupGone) await settledWithin(this.group.release(lease), STOP_WAIT_MS);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if (!this.lease) {
          this.lease = await this.tryAcquire();
          this.renewedAt = Date.now();
          if (!this.lease) {
            await sleep(this.d.preferred ? 1000 : LEASE_TTL_MS / 3, signal);
            continue;
          }
          await this.resume();
        }
        await this.hold();
      } catch (err) {
        if (signal.aborted) return;
        this.d.log(`scheduler: state machine ${this.machine.name}: ${errText(err)}`);
        await sleep(500, signal);
      }
    }
  }

  private async tryAcquire(): Promise<LeaseRecord | undefined> {
    if (!this.d.preferred) {
      const l = (await this.group.leases()).find((x) => x.name === 'executor');
      if (l && l.owner !== '' && l.expiresAtMs > Date.now() - LEASE_TTL_MS / 3) return undefined;
    }
    return this.group.acquire(this.d.owner, LEASE_TTL_MS);
  }

  /** Loads every running execution from its committed state and re-issues what it had open. */
  private async resume(): Promise<void> {
    this.dropDrivers();
    this.inboxCursor = 0;
    this.startCursor = undefined;
    await this.pickUpNew();
    await this.drainInbox();
  }

  private async hold(): Promise<void> {
    const signal = this.abort.signal;
    let mark = await this.group.watch(0, 0);
    while (!signal.aborted && this.lease) {
      const applied = await this.group.watch(mark, WATCH_MS);
      if (signal.aborted) return;
      if (applied > mark) {
        mark = applied;
        await this.pickUpNew();
        await this.drainInbox();
      }
      if (Date.now() - this.renewedAt >= RENEW_EVERY_MS) {
        try {
          this.lease = await this.group.renew(this.lease, LEASE_TTL_MS);
          this.renewedAt = Date.now();
        } catch (err) {
          // Unanswered (the group electing a leader): try again next round; the lease holds
          // for its TTL, and a step committed meanwhile is still fenced by it.
          if (!(err instanceof GroupRefusal)) {
            this.d.log(`scheduler: state machine ${this.machine.name}: renewing the executor lease: ${errText(err)}`);
            continue;
          }
          this.d.log(`scheduler: state machine ${this.machine.name}: executor lease lost (${errText(err)}); another scheduler runs it now`);
          this.lease = undefined;
          this.dropDrivers();
          return;
        }
      }
    }
  }

  /** Executions started since the last look (and, after a resume, every running one). */
  private async pickUpNew(): Promise<void> {
    for (;;) {
      const page = await this.group.runnable(this.startCursor, PAGE);
      for (const r of page.items) await this.adopt(r);
      if (page.next === undefined) {
        if (page.items.length > 0) this.startCursor = cursorAfter(page.items[page.items.length - 1]!.record);
        return;
      }
      this.startCursor = page.next;
    }
  }

  /** A driver for a running execution: started (no state yet) or resumed, unless `go` is false. */
  private async adopt(r: RunnableExecution, go = true): Promise<ExecutionDriver | undefined> {
    const known = this.drivers.get(r.record.name);
    if (known && !known.done && go) return known;
    const def = await this.definition(r.record.definitionId);
    const info = this.info(r.record);
    if (r.state === undefined) {
      const driver = new ExecutionDriver(def, info, newExecution(), r.record.version, this.host, r.record.traceHeader);
      this.drivers.set(r.record.name, driver);
      if (go) void driver.feed({ type: 'start', input: parseJson(r.input) });
      return driver;
    }
    const state = JSON.parse(r.state) as ExecutionState;
    const driver = new ExecutionDriver(def, info, state, r.record.version, this.host, r.record.traceHeader);
    this.drivers.set(r.record.name, driver);
    if (go) driver.resume();
    return driver;
  }

  private async drainInbox(): Promise<void> {
    for (;;) {
      const page = await this.group.inbox(this.inboxCursor, PAGE);
      const ack: number[] = [];
      for (const item of page.items) {
        this.inboxCursor = Math.max(this.inboxCursor, item.seq);
        if (!(await this.dispatch(item))) ack.push(item.seq);
      }
      if (ack.length > 0 && this.lease) await this.group.command({ type: 'ackInbox', owner: this.lease.owner, token: this.lease.token, seqs: ack });
      if (page.next === undefined || page.items.length === 0) return;
    }
  }

  /** Hands an inbox item to its execution; false when nothing will consume it (ack it). */
  private async dispatch(item: InboxItem): Promise<boolean> {
    if (item.kind === 'stopped') {
      const driver = this.drivers.get(item.name);
      driver?.stop();
      this.drivers.delete(item.name);
      return false;
    }
    let driver = this.drivers.get(item.name);
    if (item.kind === 'redrive') {
      driver?.stop();
      this.drivers.delete(item.name);
      const r = await this.findRunnable(item.name);
      if (!r) return false;
      driver = await this.adopt(r, false);
      if (!driver) return false;
      // Stopped by StopExecution: the group closed it and wrote ExecutionAborted, but the
      // committed interpreter state is the one from before. Abort it here (the events are
      // already in the history) so the redrive restarts what the stop cut off.
      if (driver.state.status === 'RUNNING') await driver.absorbStop(r.record.eventCount);
      void driver.feed({ type: 'redrive' }, [item.seq]);
      return true;
    }
    if (!driver || driver.done) return false;
    const input = inputOf(item);
    if (!input) return false;
    void driver.feed(input, [item.seq]);
    return true;
  }

  /** One running execution by name (a redriven one is RUNNING again, so the runnable list has it). */
  private async findRunnable(name: string): Promise<RunnableExecution | undefined> {
    let after: string | undefined;
    for (;;) {
      const page = await this.group.runnable(after, PAGE);
      const r = page.items.find((x) => x.record.name === name);
      if (r) return r;
      if (page.next === undefined) return undefined;
      after = page.next;
    }
  }

  private async reload(name: string): Promise<void> {
    try {
      this.drivers.get(name)?.stop();
      this.drivers.delete(name);
      const r = await this.findRunnable(name);
      if (r) await this.adopt(r);
      // The inbox items the stopped driver had taken are still there (a step that did not commit
      // consumed none): read the inbox from the start again. Items of other executions come back
      // too; an input for a task no longer open changes nothing, so that is harmless.
      this.inboxCursor = 0;
    } catch (err) {
      this.d.log(`scheduler: execution ${name}: reload failed: ${errText(err)}`);
    }
  }

  /** Commits a step under the lease, retrying what the cluster did not answer; false: not ours any more. */
  private async commit(driver: ExecutionDriver, step: Step, consumed: number[]): Promise<boolean> {
    const item = transitionItem(driver.info.name, driver.version, step, consumed);
    for (let attempt = 0; ; attempt++) {
      if (!this.lease || this.abort.signal.aborted) return false;
      try {
        const o = await this.group.transition(() => this.lease, item);
        if (o.type !== 'ok') {
          if (o.type === 'invalid') this.d.log(`scheduler: execution ${driver.info.name}: step refused: ${o.message}`);
          // Still running: an earlier send of this step (or another) did commit. Start again from what is committed.
          if (o.type === 'conflict' && o.status === 'RUNNING') queueMicrotask(() => void this.reload(driver.info.name));
          return false;
        }
        driver.version = o.version;
        this.d.logs?.record(this.d.logging?.(), driver.info.id, step.events);
        return true;
      } catch (err) {
        if (/LeaseLost|lease is not held/.test(errText(err))) return false;
        // Unanswered (a leader change, a node down): resent as is; the version check makes a
        // step that did commit come back as a conflict, which stops this driver and the
        // execution is picked up again from what was committed.
        await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)), this.abort.signal).catch(() => undefined);
      }
    }
  }

  private definition(id: string): Promise<StateMachineDefinition> {
    let p = this.definitions.get(id);
    if (!p) {
      p = this.group.definition(id).then((text) => JSON.parse(text) as StateMachineDefinition);
      p.catch(() => this.definitions.delete(id));
      this.definitions.set(id, p);
    }
    return p;
  }

  private info(r: ExecutionRecord): ExecutionInfo {
    return executionInfo(r, this.machine.name, this.group.id);
  }

  private dropDrivers(): void {
    for (const driver of this.drivers.values()) driver.stop();
    this.drivers.clear();
  }
}

function inputOf(item: InboxItem): EngineInput | undefined {
  const id = item.taskId;
  if (id === undefined) return undefined;
  switch (item.kind) {
    case 'success':
      return { type: 'taskSucceeded', id, output: parseJson(item.output ?? 'null') };
    case 'failure':
      return { type: 'taskFailed', id, error: item.error ?? '', cause: item.cause ?? '' };
    case 'heartbeat':
      return { type: 'taskHeartbeat', id };
    case 'started':
      return { type: 'taskStarted', id, ...(item.workerName !== undefined ? { workerName: item.workerName } : {}) };
    default:
      return undefined;
  }
}

function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/** The runnable list's paging position just after an execution (see the workflow kind's runnable query). */
function cursorAfter(r: ExecutionRecord): string {
  return String(r.startSeq);
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
