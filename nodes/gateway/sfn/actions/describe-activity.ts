import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { arn, encryptionConfiguration, encryptionOut, requiredArn, seconds, timestamp } from '../shapes.js';

export const describeActivity = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DescribeActivity',
    input: t.struct({ activityArn: requiredArn }),
    output: t.struct({ activityArn: arn, name: t.string(), creationDate: timestamp, encryptionConfiguration }),
    async handler(input, _ctx, sfn) {
      const { activity } = await sfn.activityOf(input.activityArn);
      if (!activity) throw new AwsError('ActivityDoesNotExist', `Activity Does Not Exist: '${input.activityArn}'`);
      const encryption = encryptionOut(activity.encryptionConfiguration);
      return {
        activityArn: sfn.activityArn(activity.name),
        name: activity.name,
        creationDate: seconds(activity.creationDate),
        ...(encryption ? { encryptionConfiguration: encryption } : {}),
      };
    },
  }),
);
