import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend } from '../backend.js';

export const untagResource = defineAction<SnsBackend>()({
  name: 'UntagResource',
  input: t.struct({ ResourceArn: t.string({ required: true, min: 1, max: 1011 }), TagKeys: t.list(t.string({ min: 1, max: 128 }), { required: true, wrapped: true }) }),
  output: t.struct({}),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.ResourceArn, 'ResourceArn');
    authorize(sns, topic, ctx, 'SNS:UntagResource');
    await sns.meta({ type: 'untagTopic', name: topic.name, account: sns.opts.accountId, keys: input.TagKeys });
    return {};
  },
});
