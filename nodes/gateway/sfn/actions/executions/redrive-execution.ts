import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type RedriveResult, refusalOf } from '../../../../../storage/partitions/workflow-codec.js';
import { GroupRefusal } from '../../../../scheduler/workflows/group.js';
import { type SfnBackend } from '../../backend.js';
import { requiredArn, seconds, timestamp } from '../../shapes.js';

const WHY: Record<string, string> = {
  running: 'Execution is RUNNING and cannot be redriven',
  succeeded: 'Execution is SUCCEEDED and cannot be redriven',
  expired: 'Execution can only be redriven within 14 days of its stop',
  limit: 'Execution has reached the maximum number of redrives (1000)',
};

export const redriveExecution = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'RedriveExecution',
    input: t.struct({ executionArn: requiredArn, clientToken: t.string({ min: 1, max: 64 }) }),
    output: t.struct({ redriveDate: timestamp }),
    async handler(input, _ctx, sfn) {
      const { machine, group, name, express } = await sfn.executions.locate(input.executionArn);
      if (express || machine.type === 'EXPRESS') throw new AwsError('ExecutionNotRedrivable', `Execution '${input.executionArn}' is an Express execution and cannot be redriven`);
      try {
        const r = await group.command<RedriveResult>({ type: 'redriveExecution', name });
        return { redriveDate: seconds(r.redriveDate) };
      } catch (err) {
        if (!(err instanceof GroupRefusal)) throw err;
        if (err.result.code === 'NotFound') throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${input.executionArn}'`);
        const refusal = refusalOf(err.result);
        if (refusal?.code === 'ExecutionNotRedrivable') {
          const kind = refusal.detail.split(':')[0] ?? '';
          throw new AwsError('ExecutionNotRedrivable', `Execution '${input.executionArn}' cannot be redriven: ${WHY[kind] ?? refusal.detail}`);
        }
        throw err;
      }
    },
  }),
);
