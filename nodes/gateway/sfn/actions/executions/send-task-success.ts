import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { MAX_PAYLOAD_BYTES } from '../../../../../workflows/language/json.js';
import { type SfnBackend } from '../../backend.js';
import { taskToken } from './shapes.js';

export const sendTaskSuccess = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'SendTaskSuccess',
    input: t.struct({ taskToken, output: t.string({ required: true, max: 262_144 }) }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      if (Buffer.byteLength(input.output, 'utf8') > MAX_PAYLOAD_BYTES) throw new AwsError('InvalidOutput', `Invalid Output: 'Output exceeds the maximum size of ${MAX_PAYLOAD_BYTES} bytes'`);
      try {
        JSON.parse(input.output);
      } catch (err) {
        throw new AwsError('InvalidOutput', `Invalid Output: '${err instanceof Error ? err.message : String(err)}'`);
      }
      await sfn.executions.callback(input.taskToken, { kind: 'success', output: input.output });
      return {};
    },
  }),
);
