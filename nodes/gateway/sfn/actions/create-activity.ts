import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { checkName, checkTags, encryptionOf } from '../checks.js';
import { arn, encryptionConfiguration, name, seconds, tagList, tagMap, timestamp } from '../shapes.js';

/** AWS: idempotent by name; a repeat with other tags answers the existing activity unchanged. */
export const createActivity = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'CreateActivity',
    input: t.struct({ name, tags: tagList, encryptionConfiguration }),
    output: t.struct({ activityArn: arn, creationDate: timestamp }),
    async handler(input, _ctx, sfn) {
      checkName(input.name);
      const activityArn = sfn.activityArn(input.name);
      checkTags(activityArn, input.tags ?? []);
      const encryption = input.encryptionConfiguration ? encryptionOf(input.encryptionConfiguration) : undefined;
      const r = await sfn.change({
        type: 'createActivity',
        name: input.name,
        account: sfn.opts.accountId,
        tags: tagMap(input.tags),
        ...(encryption ? { encryptionConfiguration: encryption } : {}),
        replicationFactor: await sfn.replicationFactor(),
        activityLimit: sfn.opts.activityLimit,
      });
      return { activityArn, creationDate: seconds(r.activity!.creationDate) };
    },
  }),
);
