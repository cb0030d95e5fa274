// The state machines bench/workflows.ts runs, identical for every target: the definitions are
// sent as JSON to Stratus (CreateStateMachine) and handed as objects to the in-process peer.
//
// `transitions` is the number of states one execution enters (AWS's "state transitions" as
// billed: every StateEntered event, Map iterations included); throughput in transitions/s is
// executions/s x transitions. The runner checks it once per workload against the targets' own
// histories where they keep one.
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

export type Json = Parameters<StateMachine['run']>[0];

export interface Workload {
  /** Short label for tables and state machine names ([a-z-]). */
  readonly name: string;
  /** One line for the report. */
  readonly describe: string;
  readonly definition: StateMachineDefinition;
  readonly input: Json;
  readonly transitions: number;
  /** Throws unless `output` (the execution's parsed output) is what the definition computes from `input`. */
  check(output: unknown): void;
}

export const CHAIN_LENGTH = 10;
export const MAP_ITEMS = 100;
export const LOOP_LIMIT = 10;

const fail = (workload: string, what: string, output: unknown): never => {
  throw new Error(`${workload}: wrong output (${what}): ${JSON.stringify(output)?.slice(0, 300)}`);
};

function chain(): Workload {
  const names = Array.from({ length: CHAIN_LENGTH }, (_, i) => `Step${i + 1}`);
  const States: StateMachineDefinition['States'] = {};
  names.forEach((n, i) => {
    const next = names[i + 1];
    States[n] = next === undefined ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: next };
  });
  return {
    name: 'chain',
    describe: `${CHAIN_LENGTH} Pass states in a row, input passed through`,
    definition: { StartAt: names[0] ?? 'Step1', States },
    input: { id: 'bench', n: 1 },
    transitions: CHAIN_LENGTH,
    check(output) {
      const o = output as { id?: unknown; n?: unknown } | null;
      if (o?.id !== 'bench' || o.n !== 1) fail('chain', 'the input back', output);
    },
  };
}

function map(): Workload {
  // The peer's types predate ProcessorConfig (its interpreter accepts it); a variable, unlike an
  // object literal in place, is not checked for properties its type does not list.
  const ItemProcessor = { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } } as const;
  return {
    name: 'map',
    describe: `an inline Map over ${MAP_ITEMS} items (MaxConcurrency left out), each item through one Pass state`,
    definition: {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor,
          End: true,
        },
      },
    },
    input: { items: Array.from({ length: MAP_ITEMS }, (_, i) => i) },
    transitions: 1 + MAP_ITEMS,
    check(output) {
      if (!Array.isArray(output) || output.length !== MAP_ITEMS || output.some((v, i) => v !== i)) fail('map', `the ${MAP_ITEMS} items in order`, output);
    },
  };
}

function loop(): Workload {
  return {
    name: 'loop',
    describe: `a Choice loop: a Pass adds 1 to $.count (States.MathAdd) until a Choice sees ${LOOP_LIMIT}, then Succeed`,
    definition: {
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Variable: '$.count', NumericLessThan: LOOP_LIMIT, Next: 'Increment' }], Default: 'Done' },
        Increment: { Type: 'Pass', Parameters: { 'count.$': 'States.MathAdd($.count, 1)' }, Next: 'Check' },
        Done: { Type: 'Succeed' },
      },
    },
    input: { count: 0 },
    // Check x (LOOP_LIMIT + 1), Increment x LOOP_LIMIT, Done x 1.
    transitions: 2 * LOOP_LIMIT + 2,
    check(output) {
      if ((output as { count?: unknown } | null)?.count !== LOOP_LIMIT) fail('loop', `count ${LOOP_LIMIT}`, output);
    },
  };
}

export const WORKLOADS: readonly Workload[] = [chain(), map(), loop()];
