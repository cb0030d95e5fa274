// What an execution knows about itself (the context object's Execution and StateMachine parts,
// and where its task tokens route), the same whoever steps it: the starter or an executor.
import { type ExecutionInfo } from '../../../workflows/engine/types.js';
import { taskTokenPrefix } from './tokens.js';

export interface ExecutionFacts {
  executionArn: string;
  name: string;
  startDate: number;
  roleArn: string;
  stateMachineArn: string;
  versionArn?: string;
  redriveCount: number;
  redriveDate?: number;
}

export function executionInfo(r: ExecutionFacts, machineName: string, group: number): ExecutionInfo {
  return {
    id: r.executionArn,
    name: r.name,
    startTime: new Date(r.startDate).toISOString(),
    roleArn: r.roleArn,
    stateMachineId: r.versionArn ?? r.stateMachineArn,
    stateMachineName: machineName,
    redriveCount: r.redriveCount,
    ...(r.redriveDate !== undefined ? { redriveTime: new Date(r.redriveDate).toISOString() } : {}),
    taskTokenPrefix: taskTokenPrefix(group, r.name),
  };
}
