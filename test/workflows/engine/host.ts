// A fake host for the interpreter: a manual clock, scripted resources, and the bookkeeping a real
// host does (open tasks and timers, cancels), optionally JSON round-tripping the committed state
// between steps as the Standard host does through Raft.
import { type Json } from '../../../workflows/language/json.js';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { newExecution, step, type StepOptions } from '../../../workflows/engine/index.js';
import { type Effect, type EngineInput, type ExecutionInfo, type ExecutionState, type HistoryEvent } from '../../../workflows/engine/types.js';

export type TaskEffect = Extract<Effect, { type: 'task' }>;
/** What a resource does with a task: answer now, or leave it open (undefined). */
export type Resource = (input: Json, task: TaskEffect, host: FakeHost) => { output: Json } | { error: string; cause?: string } | undefined;

export function seeded(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), t | 1);
    r ^= r + Math.imul(r ^ (r >>> 7), r | 61);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

export const START_MS = Date.UTC(2024, 0, 1);

export function infoFor(name = 'exec1'): ExecutionInfo {
  return {
    id: `arn:aws:states:us-east-1:123456789012:execution:sm:${name}`,
    name,
    startTime: new Date(START_MS).toISOString(),
    roleArn: 'arn:aws:iam::123456789012:role/r',
    stateMachineId: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
    stateMachineName: 'sm',
    redriveCount: 0,
    taskTokenPrefix: 'tok:exec1:',
  };
}

export class FakeHost {
  state: ExecutionState = newExecution();
  events: HistoryEvent[] = [];
  now = START_MS;
  timers = new Map<string, number>();
  tasks = new Map<string, TaskEffect>();
  /** Tasks the resources answered, waiting for `pump` to report (FIFO). */
  private answers: EngineInput[] = [];
  log: TaskEffect[] = [];
  effects: Effect[] = [];
  transitions = 0;
  maxOpen = 0;
  info: ExecutionInfo = infoFor();

  constructor(
    readonly def: StateMachineDefinition,
    readonly resources: Record<string, Resource> = {},
    readonly opts: { roundTrip?: boolean; random?: () => number; step?: StepOptions } = {},
  ) {
    this.events.push({
      id: 1,
      previousEventId: 0,
      timestamp: this.now,
      type: 'ExecutionStarted',
      details: { key: 'executionStartedEventDetails', value: {} },
    });
  }

  async feed(input: EngineInput): Promise<HistoryEvent[]> {
    const r = await step(this.def, this.info, this.state, input, { nowMs: this.now, random: this.opts.random ?? seeded(1) }, this.opts.step);
    this.state = this.opts.roundTrip ? (JSON.parse(JSON.stringify(r.state)) as ExecutionState) : r.state;
    this.events.push(...r.events);
    this.transitions += r.transitions;
    this.effects.push(...r.effects);
    for (const e of r.effects) {
      if (e.type === 'timer') this.timers.set(e.id, e.atMs);
      else if (e.type === 'cancel') {
        this.timers.delete(e.id);
        this.tasks.delete(e.id);
      } else {
        this.tasks.set(e.id, e);
        this.log.push(e);
        const fn = this.resources[e.resource];
        const out = fn ? fn(e.input, e, this) : { error: 'NoSuchResource', cause: e.resource };
        if (out && 'output' in out) this.answers.push({ type: 'taskSucceeded', id: e.id, output: out.output });
        else if (out) this.answers.push({ type: 'taskFailed', id: e.id, error: out.error, cause: out.cause ?? '' });
      }
    }
    // Bookkeeping follows the state, as a host recovering from it would.
    for (const id of [...this.timers.keys()]) if (!this.state.openTimers.some((t) => t.id === id)) this.timers.delete(id);
    for (const id of [...this.tasks.keys()]) if (!this.state.openTasks.some((t) => t.id === id)) this.tasks.delete(id);
    this.maxOpen = Math.max(this.maxOpen, this.state.openTasks.length);
    return r.events;
  }

  async start(input: Json): Promise<void> {
    await this.feed({ type: 'start', input });
  }

  /** Delivers every answered task, then fires timers in time order, until nothing is left to do. */
  async run(limit = 10_000): Promise<ExecutionState> {
    for (let i = 0; i < limit; i++) {
      const a = this.answers.shift();
      if (a) {
        if ('id' in a && this.tasks.has(a.id)) await this.feed(a);
        continue;
      }
      if (this.state.status !== 'RUNNING' || this.timers.size === 0) return this.state;
      const [id, at] = [...this.timers.entries()].sort((x, y) => x[1] - y[1])[0] as [string, number];
      this.now = Math.max(this.now, at);
      await this.feed({ type: 'timerFired', id });
    }
    throw new Error('host loop did not settle');
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  detail(type: string, nth = 0): Record<string, Json> | undefined {
    return this.events.filter((e) => e.type === type)[nth]?.details?.value;
  }
}

export function ok(output: Json): Resource {
  return () => ({ output });
}

export function echo(): Resource {
  return (input) => ({ output: input });
}

export function fail(error: string, cause = ''): Resource {
  return () => ({ error, cause });
}

/** Fails the first `n` calls, then answers. */
export function flaky(n: number, error: string, output: Json): Resource {
  let calls = 0;
  return () => (++calls <= n ? { error, cause: `attempt ${calls}` } : { output });
}

export const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:fn';
export const LAMBDA2 = 'arn:aws:lambda:us-east-1:123456789012:function:fn2';
export const ACTIVITY = 'arn:aws:states:us-east-1:123456789012:activity:act';
export const SQS_CALLBACK = 'arn:aws:states:::sqs:sendMessage.waitForTaskToken';
export const SNS = 'arn:aws:states:::sns:publish';
