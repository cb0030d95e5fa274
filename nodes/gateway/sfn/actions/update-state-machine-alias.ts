import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { validation } from '../checks.js';
import { routesOf } from '../routing.js';
import { requiredArn, routingConfiguration, seconds, timestamp, versionDescription } from '../shapes.js';

export const updateStateMachineAlias = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'UpdateStateMachineAlias',
    input: t.struct({ stateMachineAliasArn: requiredArn, description: versionDescription, routingConfiguration }),
    output: t.struct({ updateDate: timestamp }),
    async handler(input, _ctx, sfn) {
      const { machine, alias } = await sfn.resolveAlias(input.stateMachineAliasArn);
      if (input.description === undefined && input.routingConfiguration === undefined) {
        throw validation('Either the description or the RoutingConfiguration must be specified', 'MISSING_REQUIRED_PARAMETER');
      }
      let routes;
      if (input.routingConfiguration !== undefined) {
        const r = await routesOf(sfn, input.routingConfiguration);
        if (r.machine.name !== machine.name) throw validation('Routing configuration must contain versions of the alias state machine', 'INVALID_ROUTING_CONFIGURATION');
        routes = r.routes;
      }
      const r = await sfn.change({
        type: 'updateAlias',
        name: machine.name,
        account: sfn.opts.accountId,
        alias: alias.name,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(routes ? { routes } : {}),
      });
      return { updateDate: seconds(r.stateMachine!.aliases.find((a) => a.name === alias.name)!.updateDate) };
    },
  }),
);
