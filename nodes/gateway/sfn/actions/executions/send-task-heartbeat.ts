import { defineAction } from '../../../action.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type SfnBackend } from '../../backend.js';
import { taskToken } from './shapes.js';

export const sendTaskHeartbeat = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'SendTaskHeartbeat',
    input: t.struct({ taskToken }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      await sfn.executions.callback(input.taskToken, { kind: 'heartbeat' });
      return {};
    },
  }),
);
