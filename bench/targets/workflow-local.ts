// The peer of bench/workflows.ts: the `aws-local-stepfunctions` npm package, an interpreter of
// the Amazon States Language, running the same definitions inside the benchmark process. One
// StateMachine object per workload (built once, as its README suggests: run() may be called
// concurrently); an execution is `run(input).result`. Nothing is stored: executions live in
// memory and die with the process, so this is the ceiling for an engine with no durability and
// no network hop, not a peer in kind for Standard executions.
import { StateMachine } from 'aws-local-stepfunctions';
import type { Mode, WorkflowRunner, WorkflowTarget } from '../lib/workflow-target.js';
import type { Workload } from '../lib/workflow-workloads.js';

export function localWorkflowTarget(): WorkflowTarget {
  const name = 'aws-local-stepfunctions';
  const machines = new Map<string, StateMachine>();
  const machine = (w: Workload): StateMachine => {
    const m = machines.get(w.name);
    if (!m) throw new Error(`${name}: workload ${w.name} used before setup`);
    return m;
  };

  return {
    name,
    describe: 'the aws-local-stepfunctions interpreter in the benchmark process (StateMachine.run, in memory, not durable, no network hop)',
    modes: ['in-process'],
    async setup(workloads: readonly Workload[]): Promise<void> {
      for (const w of workloads) {
        // The constructor writes defaults into the definition (QueryLanguage on every state): a copy keeps the shared one as sent to Stratus.
        machines.set(w.name, new StateMachine(structuredClone(w.definition)));
      }
    },
    runner(w: Workload, mode: Mode): WorkflowRunner {
      if (mode !== 'in-process') throw new Error(`${name}: no ${mode} mode`);
      const sm = machine(w);
      const execute = async (): Promise<void> => {
        w.check(await sm.run(w.input).result);
      };
      return {
        async single() {
          await execute();
          return {};
        },
        loaded: execute,
        async settle() {
          // run() rejects on a failed execution, so loaded() already reported any.
        },
        async countTransitions() {
          const { result, eventLogs } = sm.run(w.input);
          let entered = 0;
          // Map iterations' events are forwarded into the root log, so nested states count too.
          for await (const e of eventLogs) if (e.type === 'StateEntered') entered++;
          w.check(await result);
          return entered;
        },
      };
    },
    async teardown(): Promise<void> {
      machines.clear();
    },
  };
}
