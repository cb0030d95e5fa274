import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SnsBackend } from '../backend.js';
import { PAGE, subscriptionList, subscriptionPage } from '../subscription-list.js';

export const listSubscriptions = defineAction<SnsBackend>()({
  name: 'ListSubscriptions',
  input: t.struct({ NextToken: t.string() }),
  output: t.struct({ Subscriptions: subscriptionList, NextToken: t.string() }),
  async handler(input, _ctx, sns) {
    return subscriptionPage(sns, await sns.subscriptions(), input.NextToken, PAGE);
  },
});
