import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { expectArn } from '../arns.js';
import { type SfnBackend } from '../backend.js';
import { requiredArn } from '../shapes.js';

/** AWS: deleting a missing activity succeeds. Its task queue (workflow group) goes with it. */
export const deleteActivity = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DeleteActivity',
    input: t.struct({ activityArn: requiredArn }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      const arn = expectArn(input.activityArn, 'activity');
      if (arn.region !== sfn.opts.region || arn.account !== sfn.opts.accountId) return {};
      await sfn.meta({ type: 'deleteActivity', name: arn.name, account: sfn.opts.accountId }, { missingOk: true });
      return {};
    },
  }),
);
