import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { expectArn } from '../arns.js';
import { type SfnBackend } from '../backend.js';
import { validation } from '../checks.js';
import { page } from '../paging.js';
import { arn, maxResults, nextToken, requiredArn, seconds, timestamp } from '../shapes.js';

/** Newest first, as AWS lists them; a padded complement of the number keeps the token order. */
const key = (version: number): string => String(9_999_999_999 - version).padStart(10, '0');

export const listStateMachineVersions = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListStateMachineVersions',
    input: t.struct({ stateMachineArn: requiredArn, nextToken, maxResults }),
    output: t.struct({ stateMachineVersions: t.list(t.struct({ stateMachineVersionArn: arn, creationDate: timestamp })), nextToken }),
    async handler(input, _ctx, sfn) {
      const parsed = expectArn(input.stateMachineArn, 'stateMachine');
      if (parsed.version !== undefined || parsed.alias !== undefined || parsed.label !== undefined) {
        throw validation(`Qualified state machine ARN not supported: '${input.stateMachineArn}'`);
      }
      // AWS answers an empty list for a state machine that is not there.
      const machine = parsed.region === sfn.opts.region && parsed.account === sfn.opts.accountId ? await sfn.findStateMachine(parsed.name) : undefined;
      const versions = [...(machine?.versions ?? [])].sort((a, b) => b.version - a.version);
      const p = page(versions, (v) => key(v.version), input.nextToken, input.maxResults);
      return {
        stateMachineVersions: p.items.map((v) => ({ stateMachineVersionArn: sfn.versionArn(parsed.name, v.version), creationDate: seconds(v.creationDate) })),
        ...(p.nextToken ? { nextToken: p.nextToken } : {}),
      };
    },
  }),
);
