// A deterministic fake host around the interpreter: a virtual clock that only moves when the
// next scheduled thing (a timer, a task's scripted answer) is due, fake resources in place of
// Lambda/SQS/activity workers, and a JSON round-trip of the execution state between every step
// so nothing survives in memory that a host reloading committed state would not see.
//
// In crash mode the host "dies" after every step: whatever it kept in memory about timers and
// the effects of the step just taken is lost, and it rebuilds its work from the committed
// state's openTasks/openTimers, as the Standard executor does after a leader change. The outside
// world (a worker holding a task token, a function still running) keeps going meanwhile.
import { newExecution, step } from '../../../workflows/engine/index.js';
import {
  type EngineInput,
  type ExecutionInfo,
  type ExecutionState,
  type ExecutionStatus,
  type HistoryEvent,
  type OpenTask,
  type Step,
} from '../../../workflows/engine/types.js';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { type Json } from '../../../workflows/language/json.js';
import { type Case, type Handler, TaskFailure, TaskScript } from './case.js';

/** Every execution starts at the same instant, so timestamps in expectations are fixed. */
export const START_ISO = '2024-01-01T00:00:00.000Z';
export const START_MS = Date.parse(START_ISO);

export const INFO: ExecutionInfo = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:Conformance:exec-1',
  name: 'exec-1',
  startTime: START_ISO,
  roleArn: 'arn:aws:iam::123456789012:role/StepFunctionsRole',
  stateMachineId: 'arn:aws:states:us-east-1:123456789012:stateMachine:Conformance',
  stateMachineName: 'Conformance',
  redriveCount: 0,
  taskTokenPrefix: 'tok-',
};

/** mulberry32: a tiny seeded generator, so jitter and MathRandom are repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Invocation {
  id: string;
  resource: string;
  state: string;
  input: Json;
  token?: string;
  /** Virtual ms since start. */
  atMs: number;
}

export interface RunResult {
  status: ExecutionStatus;
  output?: Json;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  elapsedMs: number;
  invocations: Invocation[];
  maxConcurrency: number;
  /** The execution was still RUNNING with nothing left to deliver: a hang in the engine or a case. */
  stuck: boolean;
}

export interface RunOptions {
  crash?: boolean;
  seed?: number;
  /** A guard against an engine that loops forever. */
  maxSteps?: number;
}

interface Pending {
  atMs: number;
  seq: number;
  input: EngineInput;
  source: 'timer' | 'task';
  id: string;
  /** The task's last answer: it is no longer open once delivered. */
  final: boolean;
}

const CALLBACK_SUFFIX = '.waitForTaskToken';
const ACTIVITY = /^arn:aws:states:[^:]*:[^:]*:activity:/;

function roundTrip(state: ExecutionState): ExecutionState {
  return JSON.parse(JSON.stringify(state)) as ExecutionState;
}

class FakeHost {
  private now = START_MS;
  private seq = 0;
  private queue: Pending[] = [];
  private open = new Set<string>();
  /** Task ids the outside world has received: survives a host crash, unlike `queue` timers. */
  private issued = new Set<string>();
  private calls = new Map<string, number>();
  private state: ExecutionState = roundTrip(newExecution());
  private readonly random: () => number;
  readonly events: HistoryEvent[] = [];
  readonly invocations: Invocation[] = [];
  maxConcurrency = 0;

  constructor(
    private readonly definition: StateMachineDefinition,
    private readonly resources: Record<string, Handler>,
    private readonly crash: boolean,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  async run(input: Json, maxSteps: number): Promise<RunResult> {
    // The host writes ExecutionStarted (event 1) itself; the engine numbers its events from 2.
    this.events.push({
      id: 1,
      previousEventId: 0,
      timestamp: START_MS,
      type: 'ExecutionStarted',
      details: { key: 'executionStartedEventDetails', value: { input: JSON.stringify(input), inputDetails: { truncated: false }, roleArn: INFO.roleArn } },
    });
    await this.feed({ type: 'start', input });
    let steps = 0;
    let stuck = false;
    while (this.state.status === 'RUNNING') {
      const next = this.takeNext();
      if (next === undefined) {
        stuck = true;
        break;
      }
      if (++steps > maxSteps) throw new Error(`more than ${maxSteps} steps: the engine seems to loop`);
      this.now = Math.max(this.now, next.atMs);
      if (next.source === 'task' && next.final) this.open.delete(next.id);
      await this.feed(next.input);
    }
    const s = this.state;
    return {
      status: s.status,
      ...(s.output !== undefined ? { output: s.output } : {}),
      ...(s.error !== undefined ? { error: s.error } : {}),
      ...(s.cause !== undefined ? { cause: s.cause } : {}),
      events: this.events,
      elapsedMs: this.now - START_MS,
      invocations: this.invocations,
      maxConcurrency: this.maxConcurrency,
      stuck,
    };
  }

  private takeNext(): Pending | undefined {
    if (this.queue.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.queue.length; i++) {
      const p = this.queue[i]!;
      const b = this.queue[best]!;
      if (p.atMs < b.atMs || (p.atMs === b.atMs && p.seq < b.seq)) best = i;
    }
    return this.queue.splice(best, 1)[0];
  }

  private async feed(input: EngineInput): Promise<void> {
    const result: Step = await step(this.definition, INFO, this.state, input, { nowMs: this.now, random: this.random });
    this.events.push(...result.events);
    // What a host reloading committed state would see: plain JSON, no shared references.
    this.state = roundTrip(result.state);
    if (this.crash) this.recover();
    else this.apply(result);
    this.maxConcurrency = Math.max(this.maxConcurrency, this.open.size);
  }

  private apply(result: Step): void {
    for (const e of result.effects) {
      if (e.type === 'task') this.issue(e);
      else if (e.type === 'timer') this.push(e.atMs, { type: 'timerFired', id: e.id }, 'timer', e.id, false);
      else {
        this.queue = this.queue.filter((p) => p.id !== e.id);
        this.open.delete(e.id);
      }
    }
  }

  /** Rebuild the host's work from committed state alone, as after a crash. */
  private recover(): void {
    const openIds = new Set(this.state.openTasks.map((t) => t.id));
    // Timers lived in the dead host's memory; answers to tasks the engine closed go nowhere.
    this.queue = this.queue.filter((p) => p.source === 'task' && openIds.has(p.id));
    this.open = openIds;
    for (const t of this.state.openTasks) {
      // A task whose effect was lost with the crash is issued now; one the world already has
      // is re-sent too (at-least-once) but the world answers it only once.
      if (!this.issued.has(t.id)) this.issue(t);
    }
    for (const t of this.state.openTimers) this.push(t.atMs, { type: 'timerFired', id: t.id }, 'timer', t.id, false);
  }

  private issue(t: OpenTask): void {
    this.issued.add(t.id);
    this.open.add(t.id);
    const atMs = this.now - START_MS;
    this.invocations.push({
      id: t.id,
      resource: t.resource,
      state: t.state,
      input: t.input,
      ...(t.token !== undefined ? { token: t.token } : {}),
      atMs,
    });
    const handler = this.resources[t.resource];
    if (handler === undefined) throw new Error(`case has no fake resource for ${t.resource}`);
    const call = (this.calls.get(t.resource) ?? 0) + 1;
    this.calls.set(t.resource, call);
    let answer: Json | TaskScript;
    try {
      answer = handler(t.input, {
        id: t.id,
        resource: t.resource,
        state: t.state,
        ...(t.token !== undefined ? { token: t.token } : {}),
        atMs,
        call,
      });
    } catch (err) {
      if (!(err instanceof TaskFailure)) throw err;
      this.push(this.now, { type: 'taskFailed', id: t.id, error: err.error, cause: err.cause }, 'task', t.id, true);
      return;
    }
    // A callback task counts as started once its message went out; an activity waits for a worker.
    if (t.resource.endsWith(CALLBACK_SUFFIX) && !ACTIVITY.test(t.resource)) {
      this.push(this.now, { type: 'taskStarted', id: t.id }, 'task', t.id, false);
    }
    if (!(answer instanceof TaskScript)) {
      this.push(this.now, { type: 'taskSucceeded', id: t.id, output: answer }, 'task', t.id, true);
      return;
    }
    for (const s of answer.steps) {
      const at = this.now + s.afterMs;
      if (s.kind === 'started') {
        const w = s.workerName !== undefined ? { workerName: s.workerName } : {};
        this.push(at, { type: 'taskStarted', id: t.id, ...w }, 'task', t.id, false);
      } else if (s.kind === 'heartbeat') this.push(at, { type: 'taskHeartbeat', id: t.id }, 'task', t.id, false);
      else if (s.kind === 'success') this.push(at, { type: 'taskSucceeded', id: t.id, output: s.output }, 'task', t.id, true);
      else this.push(at, { type: 'taskFailed', id: t.id, error: s.error, cause: s.cause }, 'task', t.id, true);
    }
  }

  private push(atMs: number, input: EngineInput, source: Pending['source'], id: string, final: boolean): void {
    this.queue.push({ atMs, seq: this.seq++, input, source, id, final });
  }
}

export async function runCase(c: Case, opts: RunOptions = {}): Promise<RunResult> {
  // Definitions are plain JSON in the cases; their field names are ASL's, which the types mirror.
  const definition = c.definition as unknown as StateMachineDefinition;
  const host = new FakeHost(definition, c.resources ?? {}, opts.crash === true, opts.seed ?? 42);
  return host.run(c.input, opts.maxSteps ?? 20_000);
}
