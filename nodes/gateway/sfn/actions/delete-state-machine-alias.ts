import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { requiredArn } from '../shapes.js';

/** AWS: a missing alias (or state machine) is ResourceNotFound. */
export const deleteStateMachineAlias = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DeleteStateMachineAlias',
    input: t.struct({ stateMachineAliasArn: requiredArn }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      const { machine, alias } = await sfn.resolveAlias(input.stateMachineAliasArn);
      await sfn.change({ type: 'deleteAlias', name: machine.name, account: sfn.opts.accountId, alias: alias.name });
      return {};
    },
  }),
);
