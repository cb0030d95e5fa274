// The interpreter's private state: a tree of frames. A frame is one running branch (the
// execution itself, a Parallel branch, a Map iteration) sitting in one state; a Parallel or Map
// state's frame holds its children. Everything here is plain JSON so the Standard host can commit
// it, and compact (short keys, finished Map iterations kept only as outputs) because the host
// serializes it after every step.
import { type Json } from '../language/json.js';

export type Vars = Record<string, Json>;

export interface TimerRef {
  id: string;
  at: number;
}

/**
 * A Task state waiting on its resource. The task itself (resource, input, token) lives only in
 * ExecutionState.openTasks, so a large input is not stored twice.
 */
export interface TaskWait {
  k: 'task';
  id: string;
  /** HeartbeatSeconds, for re-arming the heartbeat timer. */
  hbs?: number;
  /** TimeoutSeconds / HeartbeatSeconds timers. */
  to?: TimerRef;
  hb?: TimerRef;
  /** taskStarted seen (ActivityStarted / TaskSubmitted written). */
  st?: 1;
}

/** A Parallel state's branches: `kids[i]` is null once branch i finished with `outs[i]`. */
export interface ParWait {
  k: 'par';
  kids: (Frame | null)[];
  outs: Json[];
  left: number;
  /** Failed or aborted: the kids are kept only so a redrive can resume them. */
  f?: 1;
}

/** A Map state's iterations. */
export interface MapWait {
  k: 'map';
  items: Json[];
  /** The effective input ItemSelector reads; only kept when there is a selector. */
  eff?: Json;
  /** The next item index to start. */
  next: number;
  /** Running (or, once failed, failed/aborted) iterations by index. */
  run: Record<string, Frame>;
  nrun: number;
  outs: Json[];
  ok: number;
  bad: number;
  max: number;
  tolN?: number;
  tolP?: number;
  f?: 1;
  /** The last state event of the last finished iteration: the next MapIterationStarted's previousEventId, as AWS. */
  lp?: number;
  /** Iterations whose failure failed the Map (re-run on redrive). */
  fk?: string[];
}

export type Wait =
  | TaskWait
  | { k: 'wait'; tm: TimerRef }
  | { k: 'retry'; tm: TimerRef }
  | ParWait
  | MapWait
  /** The state failed and nothing caught it: a redrive re-enters it. */
  | { k: 'failed' }
  /** Stopped (StopExecution, execution timeout, a failing sibling): a redrive re-enters it. */
  | { k: 'aborted' };

export interface Frame {
  /** Current state name. */
  s: string;
  /** The state's raw input. */
  in: Json;
  /** The branch's last history event id (the next event's previousEventId). */
  p: number;
  /** When the state was entered (epoch ms): $$.State.EnteredTime. */
  t: number;
  /** The current state's Entered event id (AWS names it in a runtime failure's cause). */
  e?: number;
  /** Variables this scope assigned. */
  v?: Vars;
  /** Attempts used per retrier index of the current state. */
  r?: number[];
  /** Retries so far in the current state: $$.State.RetryCount. */
  rc?: number;
  w?: Wait;
}

/** The interpreter's `inner`. */
export interface Inner {
  seq: number;
  /** The execution input ($$.Execution.Input). */
  in?: Json;
  root?: Frame;
  /** The execution's TimeoutSeconds (or the host's maximum duration) timer. */
  xt?: TimerRef;
}

/** Every task id and timer the tree has outstanding, in tree order. */
export function collectOpen(inner: Inner, tasks: string[], timers: TimerRef[]): void {
  if (inner.xt) timers.push(inner.xt);
  if (inner.root) collectFrame(inner.root, tasks, timers);
}

function collectFrame(f: Frame, tasks: string[], timers: TimerRef[]): void {
  const w = f.w;
  if (!w) return;
  switch (w.k) {
    case 'task':
      tasks.push(w.id);
      if (w.to) timers.push(w.to);
      if (w.hb) timers.push(w.hb);
      return;
    case 'wait':
    case 'retry':
      timers.push(w.tm);
      return;
    case 'par':
      for (const k of w.kids) if (k) collectFrame(k, tasks, timers);
      return;
    case 'map':
      for (const k of Object.values(w.run)) collectFrame(k, tasks, timers);
      return;
    default:
      return;
  }
}
