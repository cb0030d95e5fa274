import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { topicAttributes } from '../attributes.js';
import { type SnsBackend } from '../backend.js';
import { attributeMap, topicArn } from '../shapes.js';

export const getTopicAttributes = defineAction<SnsBackend>()({
  name: 'GetTopicAttributes',
  input: t.struct({ TopicArn: topicArn }),
  output: t.struct({ Attributes: attributeMap }),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.TopicArn);
    authorize(sns, topic, ctx, 'SNS:GetTopicAttributes');
    return { Attributes: topicAttributes(topic, sns.topicArn(topic.name), sns.opts.accountId, await sns.subscriptionsOf(topic.name)) };
  },
});
