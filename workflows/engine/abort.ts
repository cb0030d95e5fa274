// Stopping a frame and everything under it: its task and timers stop being open (the step's
// diff turns that into cancel effects) and it remembers where it was, so a redrive can re-enter.
import { type Run, type Scope, emitF } from './run.js';
import { type Frame } from './frames.js';
import { branchScope } from './states/parallel.js';
import { iterationScope } from './states/map.js';

/** `loud`: write the *StateAborted / MapIterationAborted events (a sibling failed); silent for stop and timeout. */
export function abortFrame(run: Run, f: Frame, scope: Scope, loud: boolean): void {
  const w = f.w;
  if (!w) return;
  const state = scope.m.States[f.s];
  switch (w.k) {
    case 'task':
    case 'wait':
    case 'retry':
      f.w = { k: 'aborted' };
      if (loud && state) emitF(run, f, `${state.Type}StateAborted`);
      return;
    case 'par': {
      if (w.f || state?.Type !== 'Parallel') return;
      w.f = 1;
      w.kids.forEach((kid, i) => {
        if (kid) abortFrame(run, kid, branchScope(scope, f, state, i), loud);
      });
      if (loud) emitF(run, f, 'ParallelStateAborted');
      return;
    }
    case 'map': {
      if (w.f || state?.Type !== 'Map') return;
      w.f = 1;
      const inner = iterationScope(scope, f, state);
      for (const [key, kid] of Object.entries(w.run)) {
        abortFrame(run, kid, inner, loud);
        if (loud) kid.p = emitF(run, kid, 'MapIterationAborted', 'mapIterationAbortedEventDetails', { name: f.s, index: Number(key) });
      }
      if (loud) emitF(run, f, 'MapStateAborted');
      return;
    }
    default:
      return;
  }
}
