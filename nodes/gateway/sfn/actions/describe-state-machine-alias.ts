import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { routesOut } from '../routing.js';
import { arn, requiredArn, routingConfiguration, seconds, timestamp } from '../shapes.js';

export const describeStateMachineAlias = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DescribeStateMachineAlias',
    input: t.struct({ stateMachineAliasArn: requiredArn }),
    output: t.struct({
      stateMachineAliasArn: arn,
      name: t.string(),
      description: t.string(),
      routingConfiguration,
      creationDate: timestamp,
      updateDate: timestamp,
    }),
    async handler(input, _ctx, sfn) {
      const { machine, alias } = await sfn.resolveAlias(input.stateMachineAliasArn);
      return {
        stateMachineAliasArn: sfn.aliasArn(machine.name, alias.name),
        name: alias.name,
        ...(alias.description !== undefined ? { description: alias.description } : {}),
        routingConfiguration: routesOut(sfn, machine.name, alias.routes),
        creationDate: seconds(alias.creationDate),
        updateDate: seconds(alias.updateDate),
      };
    },
  }),
);
