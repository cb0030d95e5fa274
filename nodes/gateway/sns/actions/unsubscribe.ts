import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SnsBackend } from '../backend.js';

export const unsubscribe = defineAction<SnsBackend>()({
  name: 'Unsubscribe',
  input: t.struct({ SubscriptionArn: t.string({ required: true }) }),
  output: t.struct({}),
  async handler(input, _ctx, sns) {
    const { topic, sub } = await sns.subscription(input.SubscriptionArn);
    await sns.meta({ type: 'unsubscribe', name: topic.name, account: sns.opts.accountId, id: sub.id });
    return {};
  },
});
