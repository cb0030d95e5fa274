// Routing a host input (a task's outcome, a timer) to the frame waiting on its id, then letting
// that frame — and every Parallel/Map above it that the news completes — run on.
import { type EngineInput } from './types.js';
import { type Run, type Scope } from './run.js';
import { type Frame } from './frames.js';
import { act, drive, type Outcome, type StateResult } from './flow.js';
import { onTaskInput, taskOwns } from './states/task.js';
import { exitWait } from './states/wait.js';
import { branchScope, onBranch } from './states/parallel.js';
import { iterationScope, onIteration, pump } from './states/map.js';

/** null: no frame here waits on that id. 'noop': it does, but the input changes nothing. */
export type Delivery = Outcome | 'noop' | null;

type IdInput = Exclude<EngineInput, { type: 'start' } | { type: 'stop' } | { type: 'redrive' }>;

export async function deliver(run: Run, f: Frame, scope: Scope, input: IdInput): Promise<Delivery> {
  const w = f.w;
  if (!w) return null;
  const state = scope.m.States[f.s];
  if (!state) return null;
  let res: StateResult | null;
  switch (w.k) {
    case 'task':
      if (!taskOwns(w, input.id) || state.Type !== 'Task') return null;
      // A timer id only answers timerFired, a task id only the task reports.
      if ((input.type === 'timerFired') !== (input.id !== w.id)) return 'noop';
      res = await onTaskInput(run, f, scope, state, w, input);
      if (!res) return 'noop';
      break;
    case 'wait':
      if (w.tm.id !== input.id || input.type !== 'timerFired' || state.Type !== 'Wait') return w.tm.id === input.id ? 'noop' : null;
      res = await exitWait(run, f, scope, state);
      break;
    case 'retry':
      if (w.tm.id !== input.id) return null;
      if (input.type !== 'timerFired') return 'noop';
      f.w = undefined;
      res = await act(run, f, scope, state);
      break;
    case 'par': {
      if (state.Type !== 'Parallel' || w.f) return null;
      res = null;
      for (let i = 0; i < w.kids.length && res === null; i++) {
        const kid = w.kids[i];
        if (!kid) continue;
        const d = await deliver(run, kid, branchScope(scope, f, state, i), input);
        if (d === null) continue;
        if (d === 'noop') return d;
        res = await onBranch(run, f, scope, state, w, i, d);
      }
      if (res === null) return null;
      break;
    }
    case 'map': {
      if (state.Type !== 'Map' || w.f) return null;
      const inner = iterationScope(scope, f, state);
      res = null;
      for (const [key, kid] of Object.entries(w.run)) {
        const d = await deliver(run, kid, inner, input);
        if (d === null) continue;
        if (d === 'noop') return d;
        res = (await onIteration(run, f, scope, state, w, Number(key), d)) ?? (await pump(run, f, scope, state, w));
        break;
      }
      if (res === null) return null;
      break;
    }
    default:
      return null;
  }
  return drive(run, f, scope, res);
}
