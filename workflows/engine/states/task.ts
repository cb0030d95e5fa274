// Task: hands the resource to the host as a `task` effect, with TimeoutSeconds/HeartbeatSeconds
// timers, and turns the host's report (or a timer) into the state's result or error.
import { type Json } from '../../language/json.js';
import { StatesError, States } from '../../language/errors.js';
import { type TaskState } from '../../language/definition.js';
import { selectPath } from '../../language/payload.js';
import { type EngineInput, type OpenTask } from '../types.js';
import { contextObject, emitF, nextId, pathEnv, payloadText, type Run, type Scope, timer } from '../run.js';
import { type Frame, type TaskWait } from '../frames.js';
import { effectiveParameters, isJsonata, numberField, resultOutput } from '../io.js';
import { failure, finishState, type StateResult } from '../flow.js';
import {
  classifyResource,
  type EventSpec,
  failedEvent,
  heartbeats,
  scheduledEvents,
  startedEvent,
  succeededEvent,
  timedOutEvent,
  usesToken,
} from '../task-events.js';

function emitSpec(run: Run, f: Frame, e: EventSpec): void {
  emitF(run, f, e.type, e.key, e.value);
}

function tokenOf(run: Run, taskId: string): string {
  return run.info.taskTokenPrefix + taskId;
}

export async function actTask(run: Run, f: Frame, scope: Scope, state: TaskState): Promise<StateResult> {
  const id = nextId(run, 't');
  const token = tokenOf(run, id);
  const ctx = contextObject(run, f, { token });
  const input = await effectiveParameters(run, scope, f, state, ctx);
  const inputText = payloadText(input, f.s);
  // JSONPath *Path fields read the effective input (after InputPath); JSONata expressions $states.input.
  const pathInput = isJsonata(scope, state) ? f.in : selectPath(state.InputPath, f.in, pathEnv(run, scope, f, ctx));
  const timeout = await numberField(run, scope, f, ctx, 'TimeoutSeconds', state.TimeoutSeconds, state.TimeoutSecondsPath, pathInput);
  const heartbeat = await numberField(run, scope, f, ctx, 'HeartbeatSeconds', state.HeartbeatSeconds, state.HeartbeatSecondsPath, pathInput);
  const kind = classifyResource(state.Resource);
  const task: OpenTask = { id, resource: state.Resource, input, state: f.s };
  if (usesToken(kind)) task.token = token;
  if (timeout !== undefined) task.timeoutSeconds = timeout;
  if (heartbeat !== undefined) task.heartbeatSeconds = heartbeat;
  for (const e of scheduledEvents(kind, state.Resource, run.region, inputText, timeout, heartbeat)) emitSpec(run, f, e);
  run.tasks.set(id, task);
  const w: TaskWait = { k: 'task', id };
  if (timeout !== undefined) w.to = timer(run, timeout * 1000);
  if (heartbeat !== undefined && heartbeats(kind)) {
    w.hbs = heartbeat;
    w.hb = timer(run, heartbeat * 1000);
  }
  f.w = w;
  return { k: 'wait' };
}

/** Which of a task wait's ids an input is for, if any. */
export function taskOwns(w: TaskWait, id: string): boolean {
  return w.id === id || w.to?.id === id || w.hb?.id === id;
}

/**
 * A host report or a timer for this task. `null`: nothing to do (a duplicate taskStarted, a
 * heartbeat with no HeartbeatSeconds).
 */
export async function onTaskInput(run: Run, f: Frame, scope: Scope, state: TaskState, w: TaskWait, input: EngineInput): Promise<StateResult | null> {
  const kind = classifyResource(state.Resource);
  switch (input.type) {
    case 'timerFired': {
      const hb = w.hb?.id === input.id;
      const error = hb ? States.HeartbeatTimeout : States.Timeout;
      f.w = undefined;
      emitSpec(run, f, timedOutEvent(kind, error, ''));
      return { k: 'fail', error, cause: '' };
    }
    case 'taskStarted': {
      // A host may send the output of the submitting call (the contract's optional `output`).
      const out = 'output' in input ? (input as { output?: Json }).output : undefined;
      const e = startedEvent(kind, input.workerName, JSON.stringify(out ?? {}));
      if (w.st || (!e && !w.hb)) return null;
      w.st = 1;
      if (e) emitSpec(run, f, e);
      if (w.hb && w.hbs !== undefined) w.hb = timer(run, w.hbs * 1000);
      return { k: 'wait' };
    }
    case 'taskHeartbeat':
      if (!w.hb || w.hbs === undefined) return null;
      w.hb = timer(run, w.hbs * 1000);
      return { k: 'wait' };
    case 'taskFailed':
      f.w = undefined;
      emitSpec(run, f, failedEvent(kind, input.error, input.cause));
      return { k: 'fail', error: input.error, cause: input.cause };
    case 'taskSucceeded': {
      f.w = undefined;
      let text: string;
      try {
        text = payloadText(input.output, f.s);
      } catch (e) {
        return failure(e);
      }
      emitSpec(run, f, succeededEvent(kind, text));
      try {
        const ctx = contextObject(run, f, { token: tokenOf(run, w.id) });
        const { out, vars } = await resultOutput(run, scope, f, state, ctx, input.output);
        return finishState(run, f, state, out, vars);
      } catch (e) {
        return failure(e);
      }
    }
    default:
      throw new StatesError(States.Runtime, `unexpected input ${input.type} for a task`);
  }
}
