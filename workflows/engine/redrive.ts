// RedriveExecution: resume every branch from the state that failed (or was stopped), with that
// state's original input; Parallel and Map states resume only their unfinished branches/iterations.
import { type Run, type Scope } from './run.js';
import { type Frame } from './frames.js';
import { drive, enterState, type Outcome } from './flow.js';
import { redriveParallel } from './states/parallel.js';
import { redriveMap } from './states/map.js';

export async function redriveFrame(run: Run, f: Frame, scope: Scope): Promise<Outcome> {
  const w = f.w;
  const state = scope.m.States[f.s];
  if (w?.k === 'par' && state?.Type === 'Parallel') return drive(run, f, scope, await redriveParallel(run, f, scope, state, w));
  if (w?.k === 'map' && state?.Type === 'Map') return drive(run, f, scope, await redriveMap(run, f, scope, state, w));
  return drive(run, f, scope, await enterState(run, f, scope));
}
