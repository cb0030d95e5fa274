import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { fromMetaError } from '../catalog.js';
import { queueUrl } from '../shapes.js';

export const deleteQueue = defineAction<SqsBackend>()({
  name: 'DeleteQueue',
  input: t.struct({ QueueUrl: queueUrl }),
  output: t.struct({}),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const r = await sqs.meta({ type: 'deleteQueue', name: q.name });
    if ('ok' in r) throw fromMetaError(r);
    return {};
  },
});
