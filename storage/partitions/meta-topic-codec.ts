// SNS topics and subscriptions in the meta group: the records and the command bodies. A topic's
// messages live in its own Raft group of the `topic` kind; the catalog holds what delivery needs
// to know: the topic's attributes and every subscription's protocol, endpoint and attributes.
// Attribute values are opaque here: the gateway validates them (AWS's rules and messages).
// Records are rebuilt field by field on decode so replicas re-encode them byte for byte.
import { DecodeError } from './codec.js';
import { type Decoded, decodeResultWith } from './envelope.js';
import { type Obj, bool, num, object, str, stringMap, strings } from './meta-queue-codec.js';

export interface TopicRecord {
  name: string;
  /** The meta index that created this incarnation of the name. */
  id: number;
  fifo: boolean;
  /** User-settable attributes (DisplayName, Policy, DeliveryPolicy, …), keys sorted. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  groupId: number;
  replicationFactor: number;
  createdAtMs: number;
}

export interface SubscriptionRecord {
  /** The UUID that ends the subscription's ARN. */
  id: string;
  topic: string;
  protocol: string;
  endpoint: string;
  /** Account that subscribed. */
  owner: string;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy, …; keys sorted. */
  attributes: Record<string, string>;
  /** Waiting for ConfirmSubscription (http/https); gets nothing meanwhile. */
  pending: boolean;
  /** The confirmation token ('' when none is needed); kept after confirming, so the same link answers again. */
  token: string;
  /** Messages published from this time on are delivered (creation or confirmation). */
  activeSinceMs: number;
  createdAtMs: number;
}

interface Named {
  name: string;
  account: string;
}

export type TopicCatalogCommand =
  | ({ type: 'createTopic'; fifo: boolean; attributes: Record<string, string>; tags: Record<string, string>; replicationFactor: number; topicLimit: number } & Named)
  | ({ type: 'deleteTopic' } & Named)
  | ({ type: 'setTopicAttribute'; key: string; value: string } & Named)
  | ({ type: 'tagTopic'; tags: Record<string, string> } & Named)
  | ({ type: 'untagTopic'; keys: string[] } & Named)
  | ({ type: 'subscribe'; id: string; protocol: string; endpoint: string; attributes: Record<string, string>; pending: boolean; token: string; subscriptionLimit: number } & Named)
  | ({ type: 'unsubscribe'; id: string } & Named)
  | ({ type: 'setSubscriptionAttribute'; id: string; key: string; value: string } & Named)
  | ({ type: 'confirmSubscription'; token: string } & Named);

/** What topic commands answer: the topic, and the subscription a subscription command touched. */
export interface TopicCatalogResult {
  topic: TopicRecord;
  subscription?: SubscriptionRecord;
  /** Subscribe found an equal (same protocol and endpoint) subscription and returned it. */
  existed?: boolean;
}

export function decodeTopicCatalogCommand(o: Obj): TopicCatalogCommand {
  const named = { name: str(o, 'name'), account: str(o, 'account') };
  const type = str(o, 'type');
  switch (type) {
    case 'createTopic':
      return {
        type,
        ...named,
        fifo: bool(o, 'fifo'),
        attributes: stringMap(o, 'attributes'),
        tags: stringMap(o, 'tags'),
        replicationFactor: num(o, 'replicationFactor'),
        topicLimit: num(o, 'topicLimit'),
      };
    case 'deleteTopic':
      return { type, ...named };
    case 'setTopicAttribute':
      return { type, ...named, key: str(o, 'key'), value: str(o, 'value') };
    case 'tagTopic':
      return { type, ...named, tags: stringMap(o, 'tags') };
    case 'untagTopic':
      return { type, ...named, keys: strings(o, 'keys') };
    case 'subscribe':
      return {
        type,
        ...named,
        id: str(o, 'id'),
        protocol: str(o, 'protocol'),
        endpoint: str(o, 'endpoint'),
        attributes: stringMap(o, 'attributes'),
        pending: bool(o, 'pending'),
        token: str(o, 'token'),
        subscriptionLimit: num(o, 'subscriptionLimit'),
      };
    case 'unsubscribe':
      return { type, ...named, id: str(o, 'id') };
    case 'setSubscriptionAttribute':
      return { type, ...named, id: str(o, 'id'), key: str(o, 'key'), value: str(o, 'value') };
    case 'confirmSubscription':
      return { type, ...named, token: str(o, 'token') };
    default:
      throw new DecodeError(`unknown topic command ${type}`);
  }
}

export function toTopicRecord(v: unknown): TopicRecord {
  const o = object(v, 'topic');
  return {
    name: str(o, 'name'),
    id: num(o, 'id'),
    fifo: bool(o, 'fifo'),
    attributes: stringMap(o, 'attributes'),
    tags: stringMap(o, 'tags'),
    groupId: num(o, 'groupId'),
    replicationFactor: num(o, 'replicationFactor'),
    createdAtMs: num(o, 'createdAtMs'),
  };
}

export function toSubscriptionRecord(v: unknown): SubscriptionRecord {
  const o = object(v, 'subscription');
  return {
    id: str(o, 'id'),
    topic: str(o, 'topic'),
    protocol: str(o, 'protocol'),
    endpoint: str(o, 'endpoint'),
    owner: str(o, 'owner'),
    attributes: stringMap(o, 'attributes'),
    pending: bool(o, 'pending'),
    token: str(o, 'token'),
    activeSinceMs: num(o, 'activeSinceMs'),
    createdAtMs: num(o, 'createdAtMs'),
  };
}

export function decodeTopicCatalogResult(bytes: Uint8Array): Decoded<TopicCatalogResult> {
  return decodeResultWith(bytes, (b) => {
    const o = object(JSON.parse(new TextDecoder().decode(b)) as unknown, 'result');
    return {
      topic: toTopicRecord(o.topic),
      ...(o.subscription === undefined ? {} : { subscription: toSubscriptionRecord(o.subscription) }),
      ...(o.existed === true ? { existed: true } : {}),
    };
  });
}
