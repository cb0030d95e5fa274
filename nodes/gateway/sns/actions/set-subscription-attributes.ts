import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { checkSubscriptionAttribute } from '../attributes.js';
import { type SnsBackend } from '../backend.js';

export const setSubscriptionAttributes = defineAction<SnsBackend>()({
  name: 'SetSubscriptionAttributes',
  input: t.struct({ SubscriptionArn: t.string({ required: true }), AttributeName: t.string({ required: true }), AttributeValue: t.string() }),
  output: t.struct({}),
  async handler(input, _ctx, sns) {
    const { topic, sub } = await sns.subscription(input.SubscriptionArn);
    const value = input.AttributeValue ?? '';
    // An empty FilterPolicy (or other optional attribute) removes it.
    const stored = value === '' && input.AttributeName !== 'RawMessageDelivery' && input.AttributeName !== 'FilterPolicyScope' ? '' : checkSubscriptionAttribute(input.AttributeName, value, sub, topic);
    await sns.meta({ type: 'setSubscriptionAttribute', name: topic.name, account: sns.opts.accountId, id: sub.id, key: input.AttributeName, value: stored });
    return {};
  },
});
