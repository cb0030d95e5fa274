import { defineAction } from '../../../action.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type SfnBackend } from '../../backend.js';
import { cause, errorName, taskToken } from './shapes.js';

export const sendTaskFailure = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'SendTaskFailure',
    input: t.struct({ taskToken, error: errorName, cause }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      await sfn.executions.callback(input.taskToken, { kind: 'failure', ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}) });
      return {};
    },
  }),
);
