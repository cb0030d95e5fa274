import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { fromMetaError } from '../catalog.js';
import { queueUrl } from '../shapes.js';

export const untagQueue = defineAction<SqsBackend>()({
  name: 'UntagQueue',
  input: t.struct({ QueueUrl: queueUrl, TagKeys: t.list(t.string(), { queryName: 'TagKey', required: true }) }),
  output: t.struct({}),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const r = await sqs.meta({ type: 'untagQueue', name: q.name, keys: input.TagKeys });
    if ('ok' in r) throw fromMetaError(r);
    return {};
  },
});
