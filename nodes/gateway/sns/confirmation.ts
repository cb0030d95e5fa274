// The SubscriptionConfirmation an http(s) endpoint gets after Subscribe: sent in the background
// (Subscribe answers at once, as AWS's does) with the topic's retry policy. A confirmation that
// never arrives leaves the subscription pending; Subscribe again to resend it.
import { randomUUID } from 'node:crypto';
import { type SubscriptionRecord, type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { effectivePolicy, retryDelaysMs } from '../../scheduler/topics/delivery-policy.js';
import { deliverWithRetries, snsHeaders } from '../../scheduler/topics/http-delivery.js';
import { confirmationJson } from '../../scheduler/topics/notification.js';
import { type SnsBackend } from './backend.js';

export function sendConfirmation(sns: SnsBackend, topic: TopicRecord, sub: SubscriptionRecord, baseUrl: string): void {
  const topicArn = sns.topicArn(topic.name);
  const messageId = randomUUID();
  const version = topic.attributes.SignatureVersion === '2' ? '2' : '1';
  const body = confirmationJson({ topicArn, token: sub.token, messageId, timestampMs: Date.now(), baseUrl }, version);
  const delays = retryDelaysMs(effectivePolicy(topic.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy));
  const headers = snsHeaders({ type: 'SubscriptionConfirmation', messageId, topicArn });
  void deliverWithRetries({ url: sub.endpoint, headers, body }, delays).catch(() => undefined);
}
