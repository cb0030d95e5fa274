import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { subscriptionAttributes } from '../attributes.js';
import { type SnsBackend } from '../backend.js';
import { attributeMap } from '../shapes.js';

export const getSubscriptionAttributes = defineAction<SnsBackend>()({
  name: 'GetSubscriptionAttributes',
  input: t.struct({ SubscriptionArn: t.string({ required: true }) }),
  output: t.struct({ Attributes: attributeMap }),
  async handler(input, _ctx, sns) {
    const { topic, sub } = await sns.subscription(input.SubscriptionArn);
    return { Attributes: subscriptionAttributes(sub, sns.subscriptionArn(sub), sns.topicArn(topic.name), topic) };
  },
});
