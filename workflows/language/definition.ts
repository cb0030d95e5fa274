// The Amazon States Language as the engine reads it: the types a definition has once
// validate.ts accepted it. Field names are ASL's own, so a definition parses into these types
// without renaming; only what the engine needs is spelled out (validation checks the rest).
import { type Json } from './json.js';

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface StateMachineDefinition {
  StartAt: string;
  States: Record<string, State>;
  Comment?: string;
  Version?: string;
  TimeoutSeconds?: number;
  QueryLanguage?: QueryLanguage;
}

/** A Parallel branch or a Map's ItemProcessor: a state machine of its own (no TimeoutSeconds). */
export interface SubMachine {
  StartAt: string;
  States: Record<string, State>;
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  ProcessorConfig?: { Mode?: 'INLINE' | 'DISTRIBUTED'; ExecutionType?: 'STANDARD' | 'EXPRESS' };
}

export type State = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

/** Fields every state may carry. */
interface StateBase {
  Comment?: string;
  /** Overrides the machine's; absent: inherited. */
  QueryLanguage?: QueryLanguage;
  /** JSONata: variables assigned when the state completes (JSONPath too: `"x.$": "$.path"`). */
  Assign?: Record<string, Json>;
}

/** Next or End: every non-terminal state but Choice. */
interface Transition {
  Next?: string;
  End?: boolean;
}

/** JSONPath-mode input/output fields. */
interface PathFields {
  InputPath?: string | null;
  OutputPath?: string | null;
}

/** JSONata-mode output (any state but Choice's rules and Fail). */
interface JsonataOutput {
  Output?: Json;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  /** JSONPath only. */
  ResultPath?: string | null;
  /** JSONata only. */
  Output?: Json;
  Assign?: Record<string, Json>;
}

export interface PassState extends StateBase, Transition, PathFields, JsonataOutput {
  Type: 'Pass';
  Result?: Json;
  ResultPath?: string | null;
  Parameters?: Json;
}

export interface TaskState extends StateBase, Transition, PathFields, JsonataOutput {
  Type: 'Task';
  /** Literal ARN; in JSONata mode it may not be an expression. */
  Resource: string;
  Parameters?: Json;
  /** JSONata's Parameters. */
  Arguments?: Json;
  ResultSelector?: Json;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
  /** Number, or (JSONata) a `{% %}` string. */
  TimeoutSeconds?: number | string;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | string;
  HeartbeatSecondsPath?: string;
  Credentials?: Json;
}

export type ChoiceRule = Record<string, Json> & { Next?: string };

export interface ChoiceState extends StateBase, PathFields, JsonataOutput {
  Type: 'Choice';
  /** JSONPath: comparison rules (`Variable`, a comparator, `And`/`Or`/`Not`); JSONata: `{ Condition, Next, Output?, Assign? }`. */
  Choices: ChoiceRule[];
  Default?: string;
}

export interface WaitState extends StateBase, Transition, PathFields, JsonataOutput {
  Type: 'Wait';
  Seconds?: number | string;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

export interface SucceedState extends StateBase, PathFields, JsonataOutput {
  Type: 'Succeed';
}

export interface FailState extends StateBase {
  Type: 'Fail';
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
}

export interface ParallelState extends StateBase, Transition, PathFields, JsonataOutput {
  Type: 'Parallel';
  Branches: SubMachine[];
  Parameters?: Json;
  Arguments?: Json;
  ResultSelector?: Json;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

export interface MapState extends StateBase, Transition, PathFields, JsonataOutput {
  Type: 'Map';
  /** ItemProcessor, or the older Iterator (same shape). */
  ItemProcessor?: SubMachine;
  Iterator?: SubMachine;
  ItemsPath?: string;
  /** JSONata: an array or an expression giving one. */
  Items?: Json;
  ItemSelector?: Json;
  /** The older name of ItemSelector. */
  Parameters?: Json;
  ResultSelector?: Json;
  ResultPath?: string | null;
  MaxConcurrency?: number | string;
  MaxConcurrencyPath?: string;
  ToleratedFailureCount?: number | string;
  ToleratedFailureCountPath?: string;
  ToleratedFailurePercentage?: number | string;
  ToleratedFailurePercentagePath?: string;
  Label?: string;
  ItemReader?: Json;
  ItemBatcher?: Json;
  ResultWriter?: Json;
  Retry?: Retrier[];
  Catch?: Catcher[];
}

/** The states that end a branch when reached: Succeed, Fail, or any with End: true. */
export function isTerminal(s: State): boolean {
  return s.Type === 'Succeed' || s.Type === 'Fail' || ('End' in s && s.End === true);
}

/** A state's effective query language: its own, else its machine's, else JSONPath. */
export function queryLanguageOf(s: State, machine: QueryLanguage | undefined): QueryLanguage {
  return s.QueryLanguage ?? machine ?? 'JSONPath';
}
