// Whether an execution can be redriven, worded as DescribeExecution reports it.
import { DEFAULT_MAX_REDRIVES, DEFAULT_REDRIVE_WINDOW_MS, type ExecutionRecord } from '../../../../../storage/partitions/workflow-codec.js';

export function redriveStatusOf(d: Pick<ExecutionRecord, 'status' | 'stopDate' | 'redriveCount'>, nowMs: number): { status: 'REDRIVABLE' | 'NOT_REDRIVABLE'; reason?: string } {
  if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') return { status: 'NOT_REDRIVABLE', reason: 'Execution is RUNNING and cannot be redriven' };
  if (d.status === 'SUCCEEDED') return { status: 'NOT_REDRIVABLE', reason: 'Execution is SUCCEEDED and cannot be redriven' };
  if (d.redriveCount >= DEFAULT_MAX_REDRIVES) return { status: 'NOT_REDRIVABLE', reason: `Execution has been redriven ${DEFAULT_MAX_REDRIVES} times` };
  if (d.stopDate !== undefined && nowMs - d.stopDate > DEFAULT_REDRIVE_WINDOW_MS) return { status: 'NOT_REDRIVABLE', reason: 'Execution can only be redriven within 14 days of its stop' };
  return { status: 'REDRIVABLE' };
}
