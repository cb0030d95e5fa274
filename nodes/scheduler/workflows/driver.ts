// Runs one execution on its host: feeds the interpreter one input at a time, has the host commit
// each step before anything it decided happens (a Standard execution's step goes through Raft
// first; an Express execution's commit is a no-op), then starts the step's tasks and arms its
// timers. After a crash the host builds a driver from the committed state and calls resume(),
// which re-issues every task and timer the state still has open: tasks run at least once, and
// a transition happens once because only a committed step takes effect.
import { type Span, trace, context as otelContext } from '@opentelemetry/api';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { type EngineInput, type ExecutionInfo, type ExecutionState, type Step, type StepEnv } from '../../../workflows/engine/types.js';
import { step as engineStep } from '../../../workflows/engine/index.js';
import { Attr, SpanName, failSpan, startSpan } from '../../telemetry/index.js';
import { asyncHop } from '../../telemetry/propagation.js';
import { StateSpans } from './state-spans.js';
import { type TaskEffect, type TaskOutcome, type TaskRunner } from './tasks.js';

export interface DriverHost {
  /** Makes the step durable before its effects; false: the execution is no longer this host's (stopped, lease lost), so the driver stops. */
  commit(driver: ExecutionDriver, step: Step, consumed: number[]): Promise<boolean>;
  tasks: TaskRunner;
  env(): StepEnv;
  log(line: string): void;
  /** Express: AWS's 5-minute limit. */
  maxDurationSeconds?: number;
  maxEvents?: number;
  /** Called once the execution closed (its last step committed). */
  closed?(driver: ExecutionDriver): void;
  /** A step threw (a defect, or a commit that gave up): the execution makes no progress here. */
  crashed?(driver: ExecutionDriver, err: unknown): void;
}

/** setTimeout's longest delay; a longer Wait re-arms in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ExecutionDriver {
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, AbortController>();
  private stopped = false;
  private readonly span: Span;
  private readonly states: StateSpans;

  constructor(
    readonly definition: StateMachineDefinition,
    readonly info: ExecutionInfo,
    public state: ExecutionState,
    /** The committed version of the state (the compare-and-set a Standard commit checks). */
    public version: number,
    private readonly host: DriverHost,
    /** X-Ray header the execution's trace continues (its StartExecution's): one trace per execution, whichever scheduler runs it. */
    traceHeader?: string,
  ) {
    const hop = asyncHop(traceHeader);
    this.span = startSpan(SpanName.WorkflowExecution, { parent: hop.parent, links: hop.links, attributes: { [Attr.ExecutionArn]: info.id, [Attr.StateMachineName]: info.stateMachineName } });
    this.states = new StateSpans(this.span, info.id);
  }

  get done(): boolean {
    return this.stopped || this.state.status !== 'RUNNING';
  }

  /** Queues an input; steps run one at a time in arrival order. `consumed`: inbox items this step answers. */
  feed(input: EngineInput, consumed: number[] = []): Promise<void> {
    const next = this.chain.then(() => this.advance(input, consumed));
    this.chain = next.catch((err: unknown) => {
      this.host.log(`workflow ${this.info.id}: ${err instanceof Error ? err.message : String(err)}`);
      this.host.crashed?.(this, err);
    });
    // The caught chain: callers fire and forget, and a failed step is reported above.
    return this.chain;
  }

  /** Re-issues what the committed state has open (after a crash, or when this host took the execution over). */
  resume(): void {
    for (const t of this.state.openTasks) this.startTask({ type: 'task', ...t });
    for (const t of this.state.openTimers) this.arm(t.id, t.atMs);
  }

  /**
   * Applies a stop the group already recorded (its ExecutionAborted is in the history as event
   * `lastEventId`): the interpreter aborts its branches, nothing is committed or emitted.
   */
  async absorbStop(lastEventId: number): Promise<void> {
    const s = await engineStep(this.definition, this.info, this.state, { type: 'stop' }, this.host.env());
    this.state = { ...s.state, nextEventId: lastEventId + 1 };
  }

  /** Drops everything in flight: the execution closed elsewhere (stopped) or is no longer this host's. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const c of this.running.values()) c.abort();
    this.running.clear();
    this.states.closeAll();
    this.span.end();
  }

  private async advance(input: EngineInput, consumed: number[]): Promise<void> {
    if (this.stopped) return;
    const env = this.host.env();
    // In place: the state before the step is never looked at again (a step that fails to commit
    // stops this driver, and the execution is reloaded from what was committed).
    const s = await engineStep(this.definition, this.info, this.state, input, env, {
      inPlace: true,
      ...(this.host.maxEvents !== undefined ? { maxEvents: this.host.maxEvents } : {}),
      ...(this.host.maxDurationSeconds !== undefined ? { maxDurationSeconds: this.host.maxDurationSeconds } : {}),
    });
    if (s.events.length === 0 && s.effects.length === 0 && consumed.length === 0) return;
    if (!(await this.host.commit(this, s, consumed))) {
      this.stop();
      return;
    }
    this.state = s.state;
    this.states.observe(s.events);
    for (const e of s.effects) {
      if (e.type === 'task') this.startTask(e);
      else if (e.type === 'timer') this.arm(e.id, e.atMs);
      else this.cancel(e.id);
    }
    if (s.state.status !== 'RUNNING') {
      this.closeSpan();
      this.stopped = true;
      this.host.closed?.(this);
    }
  }

  private startTask(e: TaskEffect): void {
    if (this.running.has(e.id) || this.stopped) return;
    const ac = new AbortController();
    this.running.set(e.id, ac);
    const parent = this.states.of(e.state);
    const run = (): Promise<TaskOutcome> => this.host.tasks.run(e, { signal: ac.signal, onSubmitted: () => void this.feed({ type: 'taskStarted', id: e.id }) });
    const p = parent ? otelContext.with(trace.setSpan(otelContext.active(), parent), run) : run();
    p.then(
      (o) => {
        if (ac.signal.aborted) return;
        this.running.delete(e.id);
        if (o.kind === 'succeeded') void this.feed({ type: 'taskSucceeded', id: e.id, output: o.output });
        else if (o.kind === 'failed') void this.feed({ type: 'taskFailed', id: e.id, error: o.error, cause: o.cause });
        else if (o.kind === 'submitted') void this.feed({ type: 'taskStarted', id: e.id });
      },
      (err: unknown) => {
        if (ac.signal.aborted) return;
        this.running.delete(e.id);
        void this.feed({ type: 'taskFailed', id: e.id, error: 'States.TaskFailed', cause: err instanceof Error ? err.message : String(err) });
      },
    );
  }

  private arm(id: string, atMs: number): void {
    if (this.stopped) return;
    const prior = this.timers.get(id);
    if (prior) clearTimeout(prior);
    const delay = atMs - this.host.env().nowMs;
    const t = setTimeout(
      () => {
        this.timers.delete(id);
        if (delay > MAX_TIMER_MS) this.arm(id, atMs);
        else void this.feed({ type: 'timerFired', id });
      },
      Math.max(0, Math.min(delay, MAX_TIMER_MS)),
    );
    this.timers.set(id, t);
  }

  private cancel(id: string): void {
    const t = this.timers.get(id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(id);
    }
    const c = this.running.get(id);
    if (c) {
      c.abort();
      this.running.delete(id);
    }
  }

  private closeSpan(): void {
    this.states.closeAll();
    if (this.state.status !== 'SUCCEEDED') failSpan(this.span, new Error(`${this.state.error ?? this.state.status}: ${this.state.cause ?? ''}`));
    this.span.end();
  }
}
