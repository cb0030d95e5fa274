import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type StopExecutionResult } from '../../../../../storage/partitions/workflow-codec.js';
import { GroupRefusal } from '../../../../scheduler/workflows/group.js';
import { type SfnBackend } from '../../backend.js';
import { requiredArn, seconds, timestamp } from '../../shapes.js';
import { cause, errorName } from './shapes.js';

export const stopExecution = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'StopExecution',
    input: t.struct({ executionArn: requiredArn, error: errorName, cause }),
    output: t.struct({ stopDate: timestamp }),
    async handler(input, _ctx, sfn) {
      const { machine, group, name, express } = await sfn.executions.locate(input.executionArn);
      if (express || machine.type === 'EXPRESS') throw new AwsError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
      try {
        const r = await group.command<StopExecutionResult>({ type: 'stopExecution', name, ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}) });
        return { stopDate: seconds(r.stopDate) };
      } catch (err) {
        if (err instanceof GroupRefusal && err.result.code === 'NotFound') throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
        throw err;
      }
    },
  }),
);
