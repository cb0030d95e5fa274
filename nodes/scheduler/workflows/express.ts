// Express executions: run in memory where they are started, at least once, for at most five
// minutes, with no history kept (AWS keeps none either; their log lines go to the state
// machine's logging destination). StartSyncExecution waits for the result; StartExecution
// returns at once and the execution runs on.
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { type Json } from '../../../workflows/language/json.js';
import { newExecution } from '../../../workflows/engine/index.js';
import { type ExecutionInfo, type ExecutionState, type HistoryEvent } from '../../../workflows/engine/types.js';
import { type DriverHost, ExecutionDriver } from './driver.js';
import { type TaskRunner } from './tasks.js';

/** AWS: an Express execution runs for at most five minutes. */
export const EXPRESS_MAX_SECONDS = 300;

export interface ExpressResult {
  state: ExecutionState;
  /** Every event the execution produced, for its logs. */
  events: HistoryEvent[];
  /** States entered (AWS bills Express by duration, but StartSyncExecution reports this). */
  transitions: number;
  startMs: number;
  stopMs: number;
}

export interface ExpressOptions {
  tasks: TaskRunner;
  log: (line: string) => void;
  now?: () => number;
  random?: () => number;
}

export class ExpressExecutions {
  private readonly live = new Map<string, ExecutionDriver>();

  constructor(private readonly o: ExpressOptions) {}

  get running(): number {
    return this.live.size;
  }

  /** Starts an execution; the promise settles when it closed. `startedEvent` is its first history event. */
  run(definition: StateMachineDefinition, info: ExecutionInfo, input: Json, startedEvent: HistoryEvent, traceHeader?: string): Promise<ExpressResult> {
    const now = this.o.now ?? Date.now;
    const random = this.o.random ?? Math.random;
    const events: HistoryEvent[] = [startedEvent];
    let transitions = 0;
    const startMs = now();
    return new Promise<ExpressResult>((resolve) => {
      const host: DriverHost = {
        async commit(_driver, step) {
          events.push(...step.events);
          transitions += step.transitions;
          return true;
        },
        tasks: this.o.tasks,
        env: () => ({ nowMs: now(), random }),
        log: this.o.log,
        maxDurationSeconds: EXPRESS_MAX_SECONDS,
        closed: (driver) => {
          this.live.delete(info.id);
          resolve({ state: driver.state, events, transitions, startMs, stopMs: now() });
        },
        crashed: (driver, err) => {
          driver.stop();
          this.live.delete(info.id);
          const cause = err instanceof Error ? err.message : String(err);
          resolve({ state: { ...driver.state, status: 'FAILED', error: 'States.Runtime', cause }, events, transitions, startMs, stopMs: now() });
        },
      };
      const driver = new ExecutionDriver(definition, info, newExecution(), 0, host, traceHeader);
      this.live.set(info.id, driver);
      void driver.feed({ type: 'start', input });
    });
  }

  /** Stops every execution in flight (the process is stopping): they end with the process, as AWS's at-least-once Express allows. */
  stopAll(): void {
    for (const d of this.live.values()) d.stop();
    this.live.clear();
  }
}
