import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type ExecutionStatus } from '../../../../../storage/partitions/workflow-codec.js';
import { type SfnBackend } from '../../backend.js';
import { validation } from '../../checks.js';
import { arn, maxResults, nextToken, seconds, timestamp } from '../../shapes.js';
import { executionStatus } from './shapes.js';

/** AWS's page size when maxResults is left out or 0. */
const DEFAULT_PAGE = 100;

export const listExecutions = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListExecutions',
    input: t.struct({ stateMachineArn: arn, statusFilter: executionStatus, maxResults, nextToken, mapRunArn: arn, redriveFilter: t.string({ enum: ['REDRIVEN', 'NOT_REDRIVEN'] }) }),
    output: t.struct({
      executions: t.list(
        t.struct({
          executionArn: arn,
          stateMachineArn: arn,
          name: t.string(),
          status: executionStatus,
          startDate: timestamp,
          stopDate: timestamp,
          mapRunArn: arn,
          itemCount: t.integer(),
          stateMachineVersionArn: arn,
          stateMachineAliasArn: arn,
          redriveCount: t.integer(),
          redriveDate: timestamp,
        }),
      ),
      nextToken,
    }),
    async handler(input, _ctx, sfn) {
      if (input.mapRunArn !== undefined) {
        if (input.stateMachineArn !== undefined) throw validation('Only one of stateMachineArn and mapRunArn may be given');
        // Distributed Map runs are not made here (a Map runs its items inline), so no run has executions.
        throw new AwsError('SfnResourceNotFound', `Resource not found: '${input.mapRunArn}'`, { fields: { resourceName: input.mapRunArn } });
      }
      if (input.stateMachineArn === undefined) throw validation('Must provide a StateMachine ARN or MapRun ARN', 'MISSING_REQUIRED_PARAMETER');
      const r = await sfn.resolveMachine(input.stateMachineArn, { qualified: true });
      if (r.machine.type === 'EXPRESS') throw new AwsError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
      const group = sfn.executions.group(r.machine.groupId);
      let after: string | undefined;
      if (input.nextToken !== undefined) {
        after = decodeToken(input.nextToken);
      }
      const page = await group.list({
        limit: input.maxResults || DEFAULT_PAGE,
        ...(input.statusFilter !== undefined ? { status: input.statusFilter as ExecutionStatus } : {}),
        ...(r.version ? { versionArn: input.stateMachineArn } : {}),
        ...(r.alias ? { aliasArn: input.stateMachineArn } : {}),
        ...(after !== undefined ? { after } : {}),
      });
      const items = page.items.filter((e) => (input.redriveFilter === 'REDRIVEN' ? e.redriveCount > 0 : input.redriveFilter === 'NOT_REDRIVEN' ? e.redriveCount === 0 : true));
      return {
        executions: items.map((e) => ({
          executionArn: e.executionArn,
          stateMachineArn: e.stateMachineArn,
          name: e.name,
          status: e.status,
          startDate: seconds(e.startDate),
          ...(e.stopDate !== undefined ? { stopDate: seconds(e.stopDate) } : {}),
          ...(e.versionArn !== undefined ? { stateMachineVersionArn: e.versionArn } : {}),
          ...(e.aliasArn !== undefined ? { stateMachineAliasArn: e.aliasArn } : {}),
          redriveCount: e.redriveCount,
          ...(e.redriveDate !== undefined ? { redriveDate: seconds(e.redriveDate) } : {}),
        })),
        ...(page.next !== undefined ? { nextToken: Buffer.from(page.next, 'utf8').toString('base64url') } : {}),
      };
    },
  }),
);

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (text === '' || Buffer.from(text, 'utf8').toString('base64url') !== token) throw new AwsError('InvalidToken', `Invalid Token: '${token}'`);
  return text;
}
