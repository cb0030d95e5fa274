import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { queueUrl, tagMap } from '../shapes.js';

export const listQueueTags = defineAction<SqsBackend>()({
  name: 'ListQueueTags',
  input: t.struct({ QueueUrl: queueUrl }),
  output: t.struct({ Tags: tagMap }),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    return Object.keys(q.tags).length > 0 ? { Tags: q.tags } : {};
  },
});
