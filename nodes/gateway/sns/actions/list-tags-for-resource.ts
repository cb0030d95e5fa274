import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend } from '../backend.js';
import { tagList } from '../shapes.js';

export const listTagsForResource = defineAction<SnsBackend>()({
  name: 'ListTagsForResource',
  input: t.struct({ ResourceArn: t.string({ required: true, min: 1, max: 1011 }) }),
  output: t.struct({ Tags: tagList }),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.ResourceArn, 'ResourceArn');
    authorize(sns, topic, ctx, 'SNS:ListTagsForResource');
    return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
  },
});
