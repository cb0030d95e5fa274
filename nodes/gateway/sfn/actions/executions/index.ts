// The execution actions, in the order of AWS's API reference.
import { type AnyAction } from '../../../action.js';
import { type SfnBackend } from '../../backend.js';
import { describeExecution } from './describe-execution.js';
import { describeStateMachineForExecution } from './describe-state-machine-for-execution.js';
import { getActivityTask } from './get-activity-task.js';
import { getExecutionHistory } from './get-execution-history.js';
import { listExecutions } from './list-executions.js';
import { describeMapRun, listMapRuns, updateMapRun } from './map-runs.js';
import { redriveExecution } from './redrive-execution.js';
import { sendTaskFailure } from './send-task-failure.js';
import { sendTaskHeartbeat } from './send-task-heartbeat.js';
import { sendTaskSuccess } from './send-task-success.js';
import { startExecution } from './start-execution.js';
import { startSyncExecution } from './start-sync-execution.js';
import { stopExecution } from './stop-execution.js';
import { testStateAction } from './test-state.js';

export const EXECUTION_ACTIONS: AnyAction<SfnBackend>[] = [
  startExecution,
  startSyncExecution,
  describeExecution,
  describeStateMachineForExecution,
  listExecutions,
  getExecutionHistory,
  stopExecution,
  redriveExecution,
  sendTaskSuccess,
  sendTaskFailure,
  sendTaskHeartbeat,
  getActivityTask,
  testStateAction,
  listMapRuns,
  describeMapRun,
  updateMapRun,
];
