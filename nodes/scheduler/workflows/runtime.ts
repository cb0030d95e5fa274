// Assembles Step Functions in one process: the task runner (functions, queues, topics, nested
// executions, activities), Express executions (run where they start: a gateway), the execution
// layer the gateway's actions use, and — in a process that runs functions — the executors of
// Standard executions.
import { type ClusterClient } from '../../cluster/client.js';
import { type Placement } from '../../cluster/placement.js';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { type SfnBackend } from '../../gateway/sfn/backend.js';
import { Executions, workflowPort } from '../../gateway/sfn/executions.js';
import { schedulerOrder } from '../remote.js';
import { ExpressExecutions } from './express.js';
import { ExecutionLogs, workflowLogName } from './execution-logs.js';
import { FunctionLogs } from '../function-logs.js';
import { WorkflowExecutors } from './manager.js';
import { type ServicePort, TaskRunner, type WorkflowPort } from './tasks.js';
import { stateMachineArn } from '../../gateway/sfn/arns.js';

export interface WorkflowRuntimeOptions {
  client: ClusterClient;
  placement: Placement;
  sfn: SfnBackend;
  lambda: LambdaBackend | undefined;
  /** The services task integrations call, by signing name ('sqs', 'sns', 'kinesis', 'states'). */
  services: (name: string) => ServicePort | undefined;
  baseUrl: () => string;
  log: (line: string) => void;
  /** Runs Standard executions here (a process with a scheduler). */
  runExecutors: boolean;
  schedulers: readonly string[];
  self?: string;
}

export interface WorkflowRuntime {
  executions: Executions;
  executors: WorkflowExecutors | undefined;
  express: ExpressExecutions;
  stop(): Promise<void>;
}

export function startWorkflowRuntime(o: WorkflowRuntimeOptions): WorkflowRuntime {
  const { sfn } = o;
  // Tasks start nested executions through the execution layer, which runs Express executions
  // with these same tasks: the port is bound once both exist.
  let port: WorkflowPort | undefined;
  const bound = (): WorkflowPort => port!;
  const tasks = new TaskRunner({
    accountId: sfn.opts.accountId,
    region: sfn.opts.region,
    baseUrl: o.baseUrl,
    lambda: o.lambda,
    services: o.services,
    workflows: {
      startExecution: (params, ctx) => bound().startExecution(params, ctx),
      awaitClose: (arn, signal) => bound().awaitClose(arn, signal),
      enqueueActivityTask: (a, token, input, hb) => bound().enqueueActivityTask(a, token, input, hb),
    },
  });
  const express = new ExpressExecutions({ tasks, log: o.log });
  const logStore = new FunctionLogs(o.client, o.placement, o.log, workflowLogName);
  const logs = new ExecutionLogs(logStore, o.log);
  const ex = new Executions(sfn, express, tasks, logs);
  sfn.executions = ex;
  port = workflowPort(ex, sfn);
  const self = o.self;
  const executors = o.runExecutors
    ? new WorkflowExecutors(o.client, o.placement, {
        tasks,
        logs,
        log: o.log,
        arnOf: (name) => stateMachineArn(sfn.scope, name),
        prefers: (machine) => (o.schedulers.length > 1 && self !== undefined ? schedulerOrder(`sfn:${machine}`, o.schedulers)[0] === self : true),
      })
    : undefined;
  executors?.start();
  if (executors) ex.onStandardStart = (m) => executors.ensure(m.name);
  return {
    executions: ex,
    executors,
    express,
    async stop() {
      await executors?.stop();
      express.stopAll();
      await logStore.drain();
    },
  };
}
