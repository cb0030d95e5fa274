// ListSubscriptions and ListSubscriptionsByTopic: pages of 100 in the catalog's order (topic, id).
import { type SubscriptionRecord } from '../../../storage/partitions/meta-codec.js';
import { t } from '../shapes.js';
import { type SnsBackend } from './backend.js';
import { decodeToken, encodeToken } from './paging.js';

export const PAGE = 100;

export const subscriptionList = t.list(
  t.struct({ SubscriptionArn: t.string(), Owner: t.string(), Protocol: t.string(), Endpoint: t.string(), TopicArn: t.string() }),
  { wrapped: true },
);

const keyOf = (s: SubscriptionRecord): string => `${s.topic}\u0000${s.id}`;

export function subscriptionPage(sns: SnsBackend, subs: SubscriptionRecord[], token: string | undefined, page: number): { Subscriptions: Record<string, string>[]; NextToken?: string } {
  const after = token === undefined ? undefined : decodeToken(token);
  const rest = subs.filter((s) => after === undefined || keyOf(s) > after);
  const shown = rest.slice(0, page);
  return {
    Subscriptions: shown.map((s) => ({
      // AWS lists an unconfirmed subscription by the words instead of its ARN.
      SubscriptionArn: s.pending ? 'PendingConfirmation' : sns.subscriptionArn(s),
      Owner: s.owner,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: sns.topicArn(s.topic),
    })),
    ...(rest.length > page ? { NextToken: encodeToken(keyOf(shown[shown.length - 1]!)) } : {}),
  };
}
