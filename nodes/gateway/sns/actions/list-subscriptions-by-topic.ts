import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend } from '../backend.js';
import { topicArn } from '../shapes.js';
import { PAGE, subscriptionList, subscriptionPage } from '../subscription-list.js';

export const listSubscriptionsByTopic = defineAction<SnsBackend>()({
  name: 'ListSubscriptionsByTopic',
  input: t.struct({ TopicArn: topicArn, NextToken: t.string() }),
  output: t.struct({ Subscriptions: subscriptionList, NextToken: t.string() }),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.TopicArn);
    authorize(sns, topic, ctx, 'SNS:ListSubscriptionsByTopic');
    return subscriptionPage(sns, await sns.subscriptionsOf(topic.name), input.NextToken, PAGE);
  },
});
