// One step's working context: the definition, the execution's identity, the outside world
// (clock, randomness), and what the step produced so far (events, transitions).
import { type Json, type JsonObject, MAX_PAYLOAD_BYTES } from '../language/json.js';
import { StatesError, States } from '../language/errors.js';
import { type QueryLanguage, type State, type StateMachineDefinition } from '../language/definition.js';
import { type PathEnv } from '../language/payload.js';
import { type JsonataBindings } from '../language/jsonata.js';
import { type ExecutionInfo, type ExecutionState, type HistoryEvent, type OpenTask, type StepEnv } from './types.js';
import { type Frame, type Inner, type TimerRef, type Vars } from './frames.js';

/** A state machine or one of its sub-machines (Parallel branch, Map ItemProcessor). */
export interface Machine {
  StartAt: string;
  States: Record<string, State>;
  QueryLanguage?: QueryLanguage;
}

/** Where a frame runs: its machine, the inherited query language, and the enclosing scopes' variables. */
export interface Scope {
  m: Machine;
  ql: QueryLanguage | undefined;
  outer: Vars;
}

export interface Run {
  def: StateMachineDefinition;
  info: ExecutionInfo;
  env: StepEnv;
  st: ExecutionState;
  inner: Inner;
  events: HistoryEvent[];
  transitions: number;
  maxEvents: number;
  region: string;
  /** TestState's caller-supplied context object, used instead of the built one. */
  ctx?: JsonObject;
  /** Open tasks by id: the incoming state's plus those this step scheduled. */
  tasks: Map<string, OpenTask>;
}

/** Thrown by `emit` when the history would pass its limit; the step fails the execution. */
export class HistoryLimit extends Error {}

/** A history event with `prev` as previousEventId; returns its id. */
export function emit(run: Run, prev: number, type: string, key?: string, value?: Record<string, Json>, closing = false): number {
  const id = run.st.nextEventId;
  // As AWS: the last slot is for ExecutionSucceeded or the ExecutionFailed that reports the overflow.
  if (id >= run.maxEvents && !(closing && id === run.maxEvents)) throw new HistoryLimit();
  run.st.nextEventId = id + 1;
  const ev: HistoryEvent = { id, previousEventId: prev, timestamp: run.env.nowMs, type };
  if (key !== undefined && value !== undefined) ev.details = { key, value };
  run.events.push(ev);
  return id;
}

/** Emits on a frame's chain and moves the frame's chain on. */
export function emitF(run: Run, f: Frame, type: string, key?: string, value?: Record<string, Json>): number {
  const id = emit(run, f.p, type, key, value);
  f.p = id;
  return id;
}

export function nextId(run: Run, prefix: string): string {
  run.inner.seq += 1;
  return `${prefix}${run.inner.seq}`;
}

export function timer(run: Run, delayMs: number): TimerRef {
  return { id: nextId(run, 'w'), at: run.env.nowMs + Math.max(0, Math.round(delayMs)) };
}

/** JSON text of a payload, failing with States.DataLimitExceeded past 256 KiB. */
export function payloadText(v: Json, what: string): string {
  const s = JSON.stringify(v);
  // Only long strings can be over the limit; measuring bytes costs a pass over the text.
  if (s.length * 3 > MAX_PAYLOAD_BYTES && Buffer.byteLength(s, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new StatesError(States.DataLimitExceeded, `The state/task '${what}' returned a result with a size exceeding the maximum number of bytes service limit.`);
  }
  return s;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The `$$` object for a frame's current state. */
export function contextObject(run: Run, f: Frame, extra?: { token?: string; item?: { index: number; value: Json } }): JsonObject {
  if (run.ctx) {
    const given: JsonObject = { ...run.ctx };
    if (extra?.item) given.Map = { Item: { Index: extra.item.index, Value: extra.item.value } };
    return given;
  }
  const i = run.info;
  const execution: JsonObject = {
    Id: i.id,
    Input: run.inner.in ?? {},
    Name: i.name,
    RoleArn: i.roleArn,
    StartTime: i.startTime,
    RedriveCount: i.redriveCount,
  };
  if (i.redriveTime !== undefined) execution.RedriveTime = i.redriveTime;
  const ctx: JsonObject = {
    Execution: execution,
    State: { EnteredTime: iso(f.t), Name: f.s, RetryCount: f.rc ?? 0 },
    StateMachine: { Id: i.stateMachineId, Name: i.stateMachineName },
  };
  if (extra?.token !== undefined) ctx.Task = { Token: extra.token };
  if (extra?.item) ctx.Map = { Item: { Index: extra.item.index, Value: extra.item.value } };
  return ctx;
}

/** Variables a frame sees: its enclosing scopes' and its own (own win). */
export function varsOf(scope: Scope, f: Frame): Vars {
  if (!f.v) return scope.outer;
  return { ...scope.outer, ...f.v };
}

export function pathEnv(run: Run, scope: Scope, f: Frame, context: Json): PathEnv {
  return { context, variables: varsOf(scope, f), random: run.env.random };
}

export function bindings(run: Run, scope: Scope, f: Frame, context: Json, extra?: { result?: Json; errorOutput?: Json }): JsonataBindings {
  const b: JsonataBindings = {
    input: f.in,
    context,
    variables: varsOf(scope, f),
    random: run.env.random,
    now: () => run.env.nowMs,
  };
  if (extra?.result !== undefined) b.result = extra.result;
  if (extra?.errorOutput !== undefined) b.errorOutput = extra.errorOutput;
  return b;
}

/** A caught exception as the interpreter's error (non-States errors are engine bugs: States.Runtime). */
export function asStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  if (e instanceof HistoryLimit) throw e;
  return new StatesError(States.Runtime, e instanceof Error ? e.message : String(e));
}

/** The state a frame sits in. */
export function stateOf(scope: Scope, f: Frame): State {
  const s = scope.m.States[f.s];
  if (!s) throw new StatesError(States.Runtime, `State '${f.s}' does not exist`);
  return s;
}
