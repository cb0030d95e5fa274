import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { expectArn } from '../arns.js';
import { type SfnBackend } from '../backend.js';
import { validation } from '../checks.js';
import { requiredArn } from '../shapes.js';

/**
 * AWS: deleting a missing state machine succeeds; a version or alias ARN is refused (they have
 * their own delete actions). The machine's versions, aliases and workflow group go with it.
 */
export const deleteStateMachine = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DeleteStateMachine',
    input: t.struct({ stateMachineArn: requiredArn }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      const arn = expectArn(input.stateMachineArn, 'stateMachine');
      if (arn.version !== undefined || arn.alias !== undefined || arn.label !== undefined) {
        throw validation(`Qualified state machine ARN not supported: '${input.stateMachineArn}'`);
      }
      if (arn.region !== sfn.opts.region || arn.account !== sfn.opts.accountId) return {};
      await sfn.meta({ type: 'deleteStateMachine', name: arn.name, account: sfn.opts.accountId }, { missingOk: true });
      return {};
    },
  }),
);
