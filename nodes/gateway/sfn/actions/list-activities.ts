import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { page } from '../paging.js';
import { arn, maxResults, nextToken, seconds, timestamp } from '../shapes.js';

export const listActivities = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListActivities',
    input: t.struct({ maxResults, nextToken }),
    output: t.struct({ activities: t.list(t.struct({ activityArn: arn, name: t.string(), creationDate: timestamp })), nextToken }),
    async handler(input, _ctx, sfn) {
      const p = page(await sfn.activities(), (a) => a.name, input.nextToken, input.maxResults);
      return {
        activities: p.items.map((a) => ({ activityArn: sfn.activityArn(a.name), name: a.name, creationDate: seconds(a.creationDate) })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },
  }),
);
