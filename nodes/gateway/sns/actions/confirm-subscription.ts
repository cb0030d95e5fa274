import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SnsBackend } from '../backend.js';
import { topicArn } from '../shapes.js';

export const confirmSubscription = defineAction<SnsBackend>()({
  name: 'ConfirmSubscription',
  input: t.struct({ TopicArn: topicArn, Token: t.string({ required: true }), AuthenticateOnUnsubscribe: t.string() }),
  output: t.struct({ SubscriptionArn: t.string() }),
  async handler(input, _ctx, sns) {
    const topic = await sns.resolve(input.TopicArn);
    const r = await sns.meta({ type: 'confirmSubscription', name: topic.name, account: sns.opts.accountId, token: input.Token });
    return { SubscriptionArn: sns.subscriptionArn(r.subscription!) };
  },
});
