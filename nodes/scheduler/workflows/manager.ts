// Runs the Standard executions of every state machine this scheduler may run. Every second it
// reads the state machines from the catalog (the placement cache) and keeps one executor per
// Standard machine; the executors contend for each machine's lease, so exactly one scheduler
// drives a machine's executions at a time and another takes over when it stops renewing. With
// several schedulers a machine's first choice (rendezvous hashing of its name) takes a free
// lease at once and the rest only take one left expired, which spreads machines out.
import { randomUUID } from 'node:crypto';
import { type ClusterClient } from '../../cluster/client.js';
import { type Placement } from '../../cluster/placement.js';
import { Reconciler } from '../reconciler.js';
import { StandardExecutor } from './executor.js';
import { WorkflowGroup } from './group.js';
import { type TaskRunner } from './tasks.js';
import { type ExecutionLogs } from './execution-logs.js';
import { type StateMachineRecord } from '../../../storage/partitions/meta-workflow-codec.js';

export interface WorkflowExecutorsOptions {
  tasks: TaskRunner;
  logs?: ExecutionLogs;
  log: (line: string) => void;
  /** The ARN of a state machine by name. */
  arnOf: (name: string) => string;
  /** Whether this scheduler is the machine's first choice (always true with one scheduler). */
  prefers: (machine: string) => boolean;
  refreshMs?: number;
}

export class WorkflowExecutors extends Reconciler<StandardExecutor> {
  /** The latest catalog record of each machine (its logging configuration can change). */
  private records = new Map<string, StateMachineRecord>();
  readonly owner = `sfn-${randomUUID()}`;

  constructor(
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly o: WorkflowExecutorsOptions,
  ) {
    super('workflow executors', o.log, o.refreshMs ?? 1000);
  }

  executor(machine: string): StandardExecutor | undefined {
    return this.running.get(machine);
  }

  /** A machine just got an execution: look at the catalog now if no executor runs it yet. */
  ensure(machine: string): void {
    if (this.running.has(machine) || this.abort.signal.aborted) return;
    this.reconcile().catch((err: unknown) => this.log(`scheduler: workflow executors: ${err instanceof Error ? err.message : String(err)}`));
  }

  async reconcile(): Promise<void> {
    const p = await this.placement.current(this.refreshMs);
    const want = new Map(p.stateMachines.filter((m) => m.type === 'STANDARD').map((m) => [m.name, m]));
    this.records = want;
    for (const [name, e] of this.running) {
      // Deleted, or deleted and created again (a new group): this executor is done.
      if (want.get(name)?.groupId === e.group.id) continue;
      this.running.delete(name);
      await e.stop(true);
    }
    for (const [name, m] of want) {
      if (this.running.has(name) || this.abort.signal.aborted) continue;
      const executor = new StandardExecutor(
        {
          owner: this.owner,
          tasks: this.o.tasks,
          log: this.o.log,
          preferred: this.o.prefers(name),
          ...(this.o.logs ? { logs: this.o.logs } : {}),
          logging: () => this.records.get(name)?.loggingConfiguration,
        },
        new WorkflowGroup(this.client, m.groupId),
        { name, arn: this.o.arnOf(name) },
      );
      this.running.set(name, executor);
    }
  }
}
