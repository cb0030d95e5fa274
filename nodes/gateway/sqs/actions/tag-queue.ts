import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { checkTags, fromMetaError } from '../catalog.js';
import { queueUrl, tagMap } from '../shapes.js';

export const tagQueue = defineAction<SqsBackend>()({
  name: 'TagQueue',
  input: t.struct({ QueueUrl: queueUrl, Tags: { ...tagMap, required: true } }),
  output: t.struct({}),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    checkTags({ ...q.tags, ...input.Tags });
    const r = await sqs.meta({ type: 'tagQueue', name: q.name, tags: input.Tags });
    if ('ok' in r) throw fromMetaError(r);
    return {};
  },
});
