// What bench/workflows.ts drives: one Step Functions implementation running the workloads of
// bench/lib/workflow-workloads.ts in one or more modes (Stratus: durable Standard and in-memory
// Express machines; the in-process peer: its one mode).
//
// Lifecycle, per run: factory → setup(workloads) (state machines created, ready to start) → for
// every workload and mode: runner() → single() repeatedly, one at a time (latency) → loaded()
// from many concurrent callers (throughput) → settle(); finally teardown(). A fresh target
// object per run.
import type { Workload } from './workflow-workloads.js';

export type Mode = 'standard' | 'express' | 'in-process';

export interface SingleResult {
  /** The engine's own start → stop time, when the target reports one (DescribeExecution / StartSyncExecution dates). */
  serverMs?: number;
}

export interface WorkflowRunner {
  /**
   * Starts one execution and resolves once it is seen finished (the caller times this: the
   * start-to-finish latency); throws unless it SUCCEEDED with the expected output.
   */
  single(): Promise<SingleResult>;
  /** One execution among many concurrent ones (throughput): resolves once it has finished. */
  loaded(): Promise<void>;
  /** After a throughput phase: throws if any execution started in it did not succeed. */
  settle(): Promise<void>;
  /** States entered by one execution, counted from the target's own event history; undefined when it keeps none. */
  countTransitions(): Promise<number | undefined>;
}

export interface WorkflowTarget {
  /** Label used in the table ("stratus", "aws-local-stepfunctions"). */
  readonly name: string;
  /** One line on how the target runs executions (durability, replication, process), for the report. */
  readonly describe: string;
  readonly modes: readonly Mode[];
  /** Starts the system and registers every workload's state machine in every mode. */
  setup(workloads: readonly Workload[]): Promise<void>;
  runner(workload: Workload, mode: Mode): WorkflowRunner;
  /** Stops every process it started and removes its data; safe after a failed setup(). */
  teardown(): Promise<void>;
}

export interface WorkflowTargetOptions {
  /** Parent directory for data dirs. */
  dataRoot: string;
  /** Most executions the runner will have in flight at once. */
  maxConcurrency: number;
  /** Standard executions: DescribeExecution interval while waiting for one execution (latency phase). */
  describePollMs: number;
  /** Standard executions: ListExecutions (RUNNING) interval while waiting for many (throughput phase). */
  listPollMs: number;
  /** STRATUS_CPU_PROFILE for every Stratus process: each writes a V8 CPU profile here when it stops. */
  profileDir?: string;
}

export type WorkflowTargetFactory = (options: WorkflowTargetOptions) => WorkflowTarget;
