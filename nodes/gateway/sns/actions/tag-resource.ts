import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend } from '../backend.js';
import { checkTags } from '../tags.js';
import { tagList, tagMap } from '../shapes.js';

export const tagResource = defineAction<SnsBackend>()({
  name: 'TagResource',
  input: t.struct({ ResourceArn: t.string({ required: true, min: 1, max: 1011 }), Tags: { ...tagList, required: true } }),
  output: t.struct({}),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.ResourceArn, 'ResourceArn');
    authorize(sns, topic, ctx, 'SNS:TagResource');
    checkTags(input.Tags, topic.tags);
    await sns.meta({ type: 'tagTopic', name: topic.name, account: sns.opts.accountId, tags: tagMap(input.Tags) });
    return {};
  },
});
