import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { expectArn } from '../arns.js';
import { type SfnBackend } from '../backend.js';
import { validation } from '../checks.js';
import { requiredArn } from '../shapes.js';

/** AWS: a missing version deletes fine; one an alias routes to is a ConflictException. */
export const deleteStateMachineVersion = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DeleteStateMachineVersion',
    input: t.struct({ stateMachineVersionArn: requiredArn }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      const arn = expectArn(input.stateMachineVersionArn, 'stateMachine');
      if (arn.version === undefined) throw validation(`Invalid version ARN: '${input.stateMachineVersionArn}'`);
      if (arn.region !== sfn.opts.region || arn.account !== sfn.opts.accountId) return {};
      await sfn.meta({ type: 'deleteVersion', name: arn.name, account: sfn.opts.accountId, version: arn.version }, { missingOk: true });
      return {};
    },
  }),
);
