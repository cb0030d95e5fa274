import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { checkAliasName } from '../checks.js';
import { routesOf } from '../routing.js';
import { arn, name, routingConfiguration, seconds, timestamp, versionDescription } from '../shapes.js';

/** AWS: the same name, description and routing answers the existing alias; a different one is a ConflictException. */
export const createStateMachineAlias = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'CreateStateMachineAlias',
    input: t.struct({ description: versionDescription, name, routingConfiguration: { ...routingConfiguration, required: true } }),
    output: t.struct({ stateMachineAliasArn: arn, creationDate: timestamp }),
    async handler(input, _ctx, sfn) {
      checkAliasName(input.name);
      const { machine, routes } = await routesOf(sfn, input.routingConfiguration);
      const r = await sfn.change({
        type: 'createAlias',
        name: machine.name,
        account: sfn.opts.accountId,
        alias: input.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        routes,
        aliasLimit: sfn.opts.aliasLimit,
      });
      const alias = r.stateMachine!.aliases.find((a) => a.name === input.name)!;
      return { stateMachineAliasArn: sfn.aliasArn(machine.name, alias.name), creationDate: seconds(alias.creationDate) };
    },
  }),
);
