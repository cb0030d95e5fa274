// The SNS service as the gateway dispatches it: the Query protocol (API version 2010-03-31, XML
// answers); SNS has no JSON protocol.
import { type ServiceSpec, actionMap, eraseService } from '../action.js';
import { confirmSubscription } from './actions/confirm-subscription.js';
import { createTopic } from './actions/create-topic.js';
import { deleteTopic } from './actions/delete-topic.js';
import { getSubscriptionAttributes } from './actions/get-subscription-attributes.js';
import { getTopicAttributes } from './actions/get-topic-attributes.js';
import { listSubscriptions } from './actions/list-subscriptions.js';
import { listSubscriptionsByTopic } from './actions/list-subscriptions-by-topic.js';
import { listTagsForResource } from './actions/list-tags-for-resource.js';
import { listTopics } from './actions/list-topics.js';
import { publish } from './actions/publish.js';
import { publishBatch } from './actions/publish-batch.js';
import { setSubscriptionAttributes } from './actions/set-subscription-attributes.js';
import { setTopicAttributes } from './actions/set-topic-attributes.js';
import { subscribe } from './actions/subscribe.js';
import { tagResource } from './actions/tag-resource.js';
import { unsubscribe } from './actions/unsubscribe.js';
import { untagResource } from './actions/untag-resource.js';
import { type SnsBackend } from './backend.js';

export const SNS_ACTIONS = actionMap<SnsBackend>([
  createTopic,
  deleteTopic,
  listTopics,
  getTopicAttributes,
  setTopicAttributes,
  tagResource,
  untagResource,
  listTagsForResource,
  subscribe,
  unsubscribe,
  listSubscriptions,
  listSubscriptionsByTopic,
  getSubscriptionAttributes,
  setSubscriptionAttributes,
  confirmSubscription,
  publish,
  publishBatch,
]);

export function snsService(backend: SnsBackend): ServiceSpec {
  return eraseService<SnsBackend>({
    signingName: 'sns',
    // SNS speaks Query only; the JSON fields below are never matched by a request.
    targetPrefix: 'AmazonSimpleNotificationService',
    jsonVersion: '1.0',
    queryCompatible: false,
    // shapes.ts reports bad values and missing members by generic names; SNS calls both InvalidParameter.
    errorAliases: { InvalidParameterValue: 'InvalidParameter', MissingParameter: 'InvalidParameter' },
    anonymousActions: new Set(['ConfirmSubscription', 'Unsubscribe']),
    queryVersion: '2010-03-31',
    xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
    actions: SNS_ACTIONS,
    deps: backend,
  });
}
