import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { page } from '../paging.js';
import { arn, maxResults, nextToken, requiredArn, seconds, timestamp } from '../shapes.js';

/** A version ARN lists the aliases that route to that version, as AWS does. */
export const listStateMachineAliases = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListStateMachineAliases',
    input: t.struct({ stateMachineArn: requiredArn, nextToken, maxResults }),
    output: t.struct({ stateMachineAliases: t.list(t.struct({ stateMachineAliasArn: arn, creationDate: timestamp })), nextToken }),
    async handler(input, _ctx, sfn) {
      const { machine, version, alias } = await sfn.resolveMachine(input.stateMachineArn, { qualified: true });
      const aliases = alias ? [alias] : version ? machine.aliases.filter((a) => a.routes.some((r) => r.version === version.version)) : machine.aliases;
      const p = page(aliases, (a) => a.name, input.nextToken, input.maxResults);
      return {
        stateMachineAliases: p.items.map((a) => ({ stateMachineAliasArn: sfn.aliasArn(machine.name, a.name), creationDate: seconds(a.creationDate) })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },
  }),
);
