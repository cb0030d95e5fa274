import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { page } from '../paging.js';
import { arn, maxResults, nextToken, seconds, stateMachineType, timestamp } from '../shapes.js';

export const listStateMachines = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListStateMachines',
    input: t.struct({ maxResults, nextToken }),
    output: t.struct({
      stateMachines: t.list(t.struct({ stateMachineArn: arn, name: t.string(), type: stateMachineType, creationDate: timestamp })),
      nextToken,
    }),
    async handler(input, _ctx, sfn) {
      const p = page(await sfn.stateMachines(), (m) => m.name, input.nextToken, input.maxResults);
      return {
        stateMachines: p.items.map((m) => ({ stateMachineArn: sfn.stateMachineArn(m.name), name: m.name, type: m.type, creationDate: seconds(m.creationDate) })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },
  }),
);
