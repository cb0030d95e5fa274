// TestState: one state run on its own, as AWS's TestState API does: no waiting, a Task's result
// mocked or produced by the caller's `invoke`, and a report of where it would go next plus (at
// DEBUG/TRACE) each input/output processing stage.
import { type Json, type JsonObject } from '../language/json.js';
import { StatesError, States } from '../language/errors.js';
import { type State, type StateMachineDefinition } from '../language/definition.js';
import { applyResultPath, resolveTemplate, selectPath } from '../language/payload.js';
import { type StepEnv } from './types.js';
import { type Frame } from './frames.js';
import { asStatesError, contextObject, pathEnv, type Run, type Scope } from './run.js';
import { act, errorMatches, retryDelaySeconds, type StateResult } from './flow.js';
import { catchOutput, effectiveParameters, isJsonata, resultOutput } from './io.js';
import { exitWait } from './states/wait.js';
import { newExecution, step } from './index.js';

export interface TestStateOptions {
  inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE';
  mockResult?: Json;
  mockError?: { error: string; cause: string };
  variables?: Record<string, Json>;
  context?: Json;
  /** Runs a Task's resource when there is no mock (the host's real integrations). */
  invoke?: (resource: string, input: Json) => Promise<Json>;
  /** The state's name (for $$.State.Name and messages). */
  stateName?: string;
  /** stateConfiguration.retrierRetryCount: attempts already used by the matching retrier. */
  retrierRetryCount?: number;
}

export interface TestStateInspection {
  input?: string;
  afterInputPath?: string;
  afterParameters?: string;
  afterArguments?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  variables?: string;
  errorDetails?: { catchIndex?: number; retryIndex?: number; retryBackoffIntervalSeconds?: number };
}

export interface TestStateOutcome {
  status: 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';
  output?: string;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: TestStateInspection;
}

const TEST_EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:TestState:test';

function syntheticRun(name: string, input: Json, opts: TestStateOptions, env: StepEnv): Run {
  const st = newExecution();
  const run: Run = {
    def: { StartAt: name, States: {} },
    info: {
      id: TEST_EXECUTION,
      name: 'test',
      startTime: new Date(env.nowMs).toISOString(),
      roleArn: '',
      stateMachineId: 'arn:aws:states:us-east-1:000000000000:stateMachine:TestState',
      stateMachineName: 'TestState',
      redriveCount: 0,
      taskTokenPrefix: 'test-',
    },
    env,
    st,
    inner: { seq: 0, in: input },
    events: [],
    transitions: 0,
    maxEvents: Number.MAX_SAFE_INTEGER,
    region: 'us-east-1',
    tasks: new Map(),
  };
  if (opts.context && typeof opts.context === 'object' && !Array.isArray(opts.context)) run.ctx = opts.context as JsonObject;
  return run;
}

export async function testState(state: State, input: Json, opts: TestStateOptions, env: StepEnv): Promise<TestStateOutcome> {
  const name = opts.stateName ?? 'TestState';
  const run = syntheticRun(name, input, opts, env);
  const scope: Scope = { m: { StartAt: name, States: { [name]: state } }, ql: undefined, outer: opts.variables ?? {} };
  const f: Frame = { s: name, in: input, p: 0, t: env.nowMs };
  const debug = opts.inspectionLevel === 'DEBUG' || opts.inspectionLevel === 'TRACE';
  const insp: TestStateInspection = { input: JSON.stringify(input) };
  const finishInspection = (): TestStateInspection | undefined => {
    if (!debug) return undefined;
    insp.variables = JSON.stringify({ ...scope.outer, ...(f.v ?? {}) });
    return insp;
  };
  let res: StateResult;
  try {
    if (debug && !isJsonata(scope, state) && 'InputPath' in state) {
      const ctx = contextObject(run, f);
      const env = pathEnv(run, scope, f, ctx);
      if (state.Type === 'Pass' && state.Result !== undefined) {
        // A Pass with a Result reports it as the result; its input stages do not apply (as AWS's TestState).
        insp.result = JSON.stringify(state.Result);
        insp.afterResultSelector = insp.result;
        insp.afterResultPath = JSON.stringify(applyResultPath(state.ResultPath, input, state.Result));
      } else {
        const eff = selectPath(state.InputPath, input, env);
        insp.afterInputPath = JSON.stringify(eff);
        const params = 'Parameters' in state && state.Parameters !== undefined ? resolveTemplate(state.Parameters, eff, env) : eff;
        insp.afterParameters = JSON.stringify(params);
        if (state.Type === 'Pass') {
          // AWS reports a Pass state's ResultSelector and ResultPath stages too: its result is what Parameters made.
          insp.afterResultSelector = insp.afterParameters;
          insp.afterResultPath = JSON.stringify(applyResultPath(state.ResultPath, input, params));
        }
      }
    }
    res = await runOne(run, f, scope, state, opts, insp, debug);
  } catch (e) {
    res = { k: 'fail', ...asStatesError(e) };
  }
  if (res.k === 'fail') return failed(run, f, scope, state, res, opts, insp, finishInspection);
  const out: TestStateOutcome = { status: 'SUCCEEDED' };
  if (res.k === 'next' || res.k === 'end') out.output = JSON.stringify(res.out);
  if (res.k === 'next') out.nextState = res.next;
  const data = finishInspection();
  if (data) out.inspectionData = data;
  return out;
}

async function runOne(run: Run, f: Frame, scope: Scope, state: State, opts: TestStateOptions, insp: TestStateInspection, debug: boolean): Promise<StateResult> {
  if (state.Type === 'Wait') {
    // TestState does not wait; it reports what the state would do.
    const r = await act(run, f, scope, state);
    return r.k === 'wait' ? exitWait(run, f, scope, state) : r;
  }
  if (state.Type === 'Task' || ((state.Type === 'Map' || state.Type === 'Parallel') && (opts.mockResult !== undefined || opts.mockError))) {
    const ctx = contextObject(run, f, { token: `${run.info.taskTokenPrefix}t0` });
    const params = await effectiveParameters(run, scope, f, state as State & { Arguments?: Json }, ctx);
    if (debug && isJsonata(scope, state)) insp.afterArguments = JSON.stringify(params);
    let result: Json;
    if (opts.mockError) return { k: 'fail', error: opts.mockError.error, cause: opts.mockError.cause };
    if (opts.mockResult !== undefined) result = opts.mockResult;
    else if (state.Type === 'Task' && opts.invoke) {
      try {
        result = await opts.invoke(state.Resource, params);
      } catch (e) {
        const s = asStatesError(e);
        return { k: 'fail', error: s.error, cause: s.cause };
      }
    } else throw new StatesError(States.Runtime, 'TestState needs a mock or an invoke function to run a Task state');
    if (debug) {
      insp.result = JSON.stringify(result);
      if (!isJsonata(scope, state)) {
        const rs = 'ResultSelector' in state ? state.ResultSelector : undefined;
        const sel = rs === undefined ? result : resolveTemplate(rs, result, pathEnv(run, scope, f, ctx));
        insp.afterResultSelector = JSON.stringify(sel);
        insp.afterResultPath = JSON.stringify(applyResultPath('ResultPath' in state ? state.ResultPath : undefined, f.in, sel));
      }
    }
    const { out, vars } = await resultOutput(run, scope, f, state as State & { ResultSelector?: Json }, ctx, result);
    if (vars) f.v = { ...(f.v ?? {}), ...vars };
    const next = 'Next' in state ? state.Next : undefined;
    return next !== undefined ? { k: 'next', next, out } : { k: 'end', out };
  }
  if (state.Type === 'Map' || state.Type === 'Parallel') return runComposite(run, f, state, opts);
  return act(run, f, scope, state);
}

/** Map/Parallel without a mock: the interpreter runs them to the end, tasks through `invoke`, timers at once. */
async function runComposite(run: Run, f: Frame, state: State, opts: TestStateOptions): Promise<StateResult> {
  const bare = { ...state, End: true } as State & { Next?: string; Retry?: unknown; Catch?: unknown };
  delete bare.Next;
  delete bare.Retry;
  delete bare.Catch;
  const def: StateMachineDefinition = { StartAt: f.s, States: { [f.s]: bare } };
  let now = run.env.nowMs;
  let r = await step(def, run.info, newExecution(), { type: 'start', input: f.in }, { nowMs: now, random: run.env.random });
  const queue = [...r.effects];
  while (r.state.status === 'RUNNING' && queue.length > 0) {
    const e = queue.shift();
    if (!e || e.type === 'cancel') continue;
    let next;
    if (e.type === 'timer') {
      now = Math.max(now, e.atMs);
      next = { type: 'timerFired' as const, id: e.id };
    } else {
      try {
        if (!opts.invoke) throw new StatesError(States.Runtime, 'TestState needs an invoke function to run the tasks of a Map or Parallel state');
        next = { type: 'taskSucceeded' as const, id: e.id, output: await opts.invoke(e.resource, e.input) };
      } catch (err) {
        const s = asStatesError(err);
        next = { type: 'taskFailed' as const, id: e.id, error: s.error, cause: s.cause };
      }
    }
    r = await step(def, run.info, r.state, next, { nowMs: now, random: run.env.random }, { inPlace: true });
    queue.push(...r.effects);
  }
  if (r.state.status === 'SUCCEEDED') {
    const out = r.state.output ?? null;
    const next = 'Next' in state ? state.Next : undefined;
    return next !== undefined ? { k: 'next', next, out } : { k: 'end', out };
  }
  return { k: 'fail', error: r.state.error ?? States.Runtime, cause: r.state.cause ?? '' };
}

/** RETRIABLE when a retrier has attempts left, CAUGHT_ERROR when a catcher takes it, else FAILED. */
async function failed(
  run: Run,
  f: Frame,
  scope: Scope,
  state: State,
  res: { error: string; cause: string },
  opts: TestStateOptions,
  insp: TestStateInspection,
  finishInspection: () => TestStateInspection | undefined,
): Promise<TestStateOutcome> {
  const base = (status: TestStateOutcome['status']): TestStateOutcome => {
    const o: TestStateOutcome = { status, error: res.error, cause: res.cause };
    const data = finishInspection();
    if (data) o.inspectionData = data;
    return o;
  };
  const composite = state.Type === 'Task' || state.Type === 'Parallel' || state.Type === 'Map';
  if (!composite) return base('FAILED');
  const ri = (state.Retry ?? []).findIndex((r) => errorMatches(r.ErrorEquals, res.error));
  const r = state.Retry?.[ri];
  const used = opts.retrierRetryCount ?? 0;
  if (r && used < (r.MaxAttempts ?? 3)) {
    insp.errorDetails = { retryIndex: ri, retryBackoffIntervalSeconds: retryDelaySeconds(r, used, run.env.random) };
    const o = base('RETRIABLE');
    if (!o.inspectionData) o.inspectionData = { errorDetails: insp.errorDetails };
    return o;
  }
  const ci = (state.Catch ?? []).findIndex((c) => errorMatches(c.ErrorEquals, res.error));
  const c = state.Catch?.[ci];
  if (!c) return base('FAILED');
  try {
    const { out, vars } = await catchOutput(run, scope, f, state, c, contextObject(run, f), { Error: res.error, Cause: res.cause });
    if (vars) f.v = { ...(f.v ?? {}), ...vars };
    insp.errorDetails = { catchIndex: ci };
    const o = base('CAUGHT_ERROR');
    o.output = JSON.stringify(out);
    o.nextState = c.Next;
    if (!o.inspectionData) o.inspectionData = { errorDetails: insp.errorDetails };
    return o;
  } catch (e) {
    const s = asStatesError(e);
    return { status: 'FAILED', error: s.error, cause: s.cause };
  }
}
