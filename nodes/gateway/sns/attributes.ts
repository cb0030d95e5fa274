// Topic and subscription attributes: which may be set, their checks (AWS's rules and messages),
// and what Get*Attributes shows, including the attributes SNS derives (Owner, counts, the
// effective delivery policy).
import { type SubscriptionRecord, type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { DeliveryPolicyError, parseSubscriptionDeliveryPolicy, parseTopicDeliveryPolicy } from '../../scheduler/topics/delivery-policy.js';
import { FilterPolicyError, compileFilterPolicy } from '../../scheduler/topics/filter-policy.js';
import { AwsError } from '../errors.js';
import { PolicyDocumentError, parseResourcePolicy } from '../resource-policy.js';

const invalid = (reason: string): AwsError => new AwsError('InvalidParameter', `Invalid parameter: ${reason}`);
const MAX_POLICY_BYTES = 30_720;
/** AWS: filter policies up to 256 KiB. */
const MAX_FILTER_POLICY_BYTES = 262_144;

export const DEFAULT_EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
  },
});

/** The policy AWS gives a new topic: the owner's account may do everything. */
export function defaultTopicPolicy(topicArn: string, accountId: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  });
}

type Check = (value: string, fifo: boolean) => string;

const oneOf = (name: string, values: string[]): Check => (v) => {
  if (!values.includes(v)) throw invalid(`Attributes Reason: ${name}: Invalid value [${v}]. Must be one of ${values.join(', ')}.`);
  return v;
};
const fifoOnly = (name: string, check: Check): Check => (v, fifo) => {
  if (!fifo) throw invalid(`Attributes Reason: ${name} is only valid for FIFO topics`);
  return check(v, fifo);
};

function jsonPolicy(v: string): string {
  if (Buffer.byteLength(v) > MAX_POLICY_BYTES) throw invalid('Policy Error: Policy document is too large');
  try {
    parseResourcePolicy(v);
  } catch (e) {
    if (e instanceof PolicyDocumentError) throw invalid(`Policy Error: ${e.message}`);
    throw e;
  }
  return v;
}

const TOPIC_SETTABLE: Record<string, Check> = {
  DisplayName: (v) => {
    if (v.length > 100) throw invalid('Attributes Reason: DisplayName: must be at most 100 characters');
    return v;
  },
  Policy: jsonPolicy,
  DeliveryPolicy: (v) => {
    try {
      parseTopicDeliveryPolicy(v);
    } catch (e) {
      if (e instanceof DeliveryPolicyError) throw invalid(`DeliveryPolicy: ${e.message}`);
      throw e;
    }
    return v;
  },
  KmsMasterKeyId: (v) => v,
  SignatureVersion: oneOf('SignatureVersion', ['1', '2']),
  TracingConfig: oneOf('TracingConfig', ['PassThrough', 'Active']),
  ContentBasedDeduplication: fifoOnly('ContentBasedDeduplication', oneOf('ContentBasedDeduplication', ['true', 'false'])),
  FifoThroughputScope: fifoOnly('FifoThroughputScope', oneOf('FifoThroughputScope', ['Topic', 'MessageGroup'])),
  ArchivePolicy: fifoOnly('ArchivePolicy', (v) => {
    try {
      JSON.parse(v);
    } catch {
      throw invalid('ArchivePolicy: not valid JSON');
    }
    return v;
  }),
  DataProtectionPolicy: (v) => v,
};

/** Checks one topic attribute; FifoTopic only at creation. Returns the value to store. */
export function checkTopicAttribute(name: string, value: string, fifo: boolean): string {
  const check = TOPIC_SETTABLE[name];
  if (!check) throw invalid('AttributeName');
  return check(value, fifo);
}

/** CreateTopic's attributes: FifoTopic decides the kind, the rest are checked and kept. */
export function creationAttributes(name: string, attrs: Record<string, string>): { fifo: boolean; stored: Record<string, string> } {
  const fifoAttr = attrs.FifoTopic;
  if (fifoAttr !== undefined && fifoAttr !== 'true' && fifoAttr !== 'false') throw invalid('Attributes Reason: FifoTopic: Invalid value [' + fifoAttr + ']. Must be true or false.');
  const fifo = fifoAttr === 'true';
  if (fifo !== name.endsWith('.fifo')) throw invalid('Fifo Topic names must end with .fifo and Standard Topic cannot end with .fifo');
  const stored: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'FifoTopic') continue;
    stored[k] = checkTopicAttribute(k, v, fifo);
  }
  if (fifo && stored.ContentBasedDeduplication === undefined) stored.ContentBasedDeduplication = 'false';
  return { fifo, stored };
}

export function topicAttributes(topic: TopicRecord, arn: string, accountId: string, subs: SubscriptionRecord[]): Record<string, string> {
  const a = topic.attributes;
  const out: Record<string, string> = {
    Policy: a.Policy ?? defaultTopicPolicy(arn, accountId),
    Owner: accountId,
    SubscriptionsPending: String(subs.filter((s) => s.pending).length),
    TopicArn: arn,
    EffectiveDeliveryPolicy: a.DeliveryPolicy ?? DEFAULT_EFFECTIVE_DELIVERY_POLICY,
    SubscriptionsConfirmed: String(subs.filter((s) => !s.pending).length),
    DisplayName: a.DisplayName ?? '',
    SubscriptionsDeleted: '0',
  };
  for (const [k, v] of Object.entries(a)) if (!(k in out)) out[k] = v;
  if (topic.fifo) out.FifoTopic = 'true';
  return out;
}

type SubCheck = (value: string, sub: { protocol: string; attributes: Record<string, string> }, topic: TopicRecord, subscribing: boolean) => string;

const SUBSCRIPTION_SETTABLE: Record<string, SubCheck> = {
  RawMessageDelivery: (v, sub) => {
    if (v !== 'true' && v !== 'false') throw invalid(`Attributes Reason: RawMessageDelivery: Invalid value [${v}]. Must be true or false.`);
    if (v === 'true' && !['sqs', 'http', 'https', 'firehose'].includes(sub.protocol)) {
      throw invalid(`Attributes Reason: Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
    }
    return v;
  },
  FilterPolicy: (v, sub, _topic, subscribing) => {
    if (v === '') return v;
    if (Buffer.byteLength(v) > MAX_FILTER_POLICY_BYTES) throw invalid('FilterPolicy: Filter policy is too long');
    filterScopeCheck(v, sub.attributes.FilterPolicyScope, subscribing);
    return v;
  },
  FilterPolicyScope: (v, sub, _topic, subscribing) => {
    if (v !== 'MessageAttributes' && v !== 'MessageBody') throw invalid(`Attributes Reason: FilterPolicyScope: Invalid value [${v}]. Please use either MessageBody or MessageAttributes`);
    if (sub.attributes.FilterPolicy) filterScopeCheck(sub.attributes.FilterPolicy, v, subscribing);
    return v;
  },
  RedrivePolicy: (v) => {
    let o: unknown;
    try {
      o = JSON.parse(v) as unknown;
    } catch {
      throw invalid('RedrivePolicy: Redrive policy is not a valid JSON');
    }
    const arn = typeof o === 'object' && o !== null ? (o as Record<string, unknown>).deadLetterTargetArn : undefined;
    if (typeof arn !== 'string') throw invalid('RedrivePolicy: deadLetterTargetArn is missing');
    if (!/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(arn)) throw invalid(`RedrivePolicy: Invalid deadLetterTargetArn: ${arn}`);
    return v;
  },
  DeliveryPolicy: (v, sub) => {
    if (sub.protocol !== 'http' && sub.protocol !== 'https') throw invalid(`DeliveryPolicy: Delivery protocol [${sub.protocol}] does not support delivery policies`);
    try {
      parseSubscriptionDeliveryPolicy(v);
    } catch (e) {
      if (e instanceof DeliveryPolicyError) throw invalid(`DeliveryPolicy: ${e.message}`);
      throw e;
    }
    return v;
  },
  SubscriptionRoleArn: (v) => v,
};

/** `subscribing`: AWS words a bad filter policy differently in Subscribe than in SetSubscriptionAttributes. */
function filterScopeCheck(policy: string, scope: string | undefined, subscribing: boolean): void {
  try {
    compileFilterPolicy(policy, scope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes');
  } catch (e) {
    if (e instanceof FilterPolicyError) throw new AwsError('InvalidParameter', subscribing ? e.subscribeMessage : e.message);
    throw e;
  }
}

/** Checks one subscription attribute against the subscription (with its other attributes). */
export function checkSubscriptionAttribute(name: string, value: string, sub: { protocol: string; attributes: Record<string, string> }, topic: TopicRecord, subscribing = false): string {
  const check = SUBSCRIPTION_SETTABLE[name];
  if (!check) throw invalid('AttributeName');
  return check(value, sub, topic, subscribing);
}

/** Subscribe's attributes, checked together (FilterPolicyScope may come before or after FilterPolicy). */
export function subscribeAttributes(attrs: Record<string, string>, protocol: string, topic: TopicRecord): Record<string, string> {
  const out: Record<string, string> = {};
  const sub = { protocol, attributes: attrs };
  for (const [k, v] of Object.entries(attrs)) out[k] = checkSubscriptionAttribute(k, v, sub, topic, true);
  return out;
}

export function subscriptionAttributes(sub: SubscriptionRecord, arn: string, topicArn: string, topic: TopicRecord): Record<string, string> {
  const out: Record<string, string> = {
    Owner: sub.owner,
    RawMessageDelivery: sub.attributes.RawMessageDelivery ?? 'false',
    TopicArn: topicArn,
    Endpoint: sub.endpoint,
    Protocol: sub.protocol,
    PendingConfirmation: String(sub.pending),
    ConfirmationWasAuthenticated: String(!sub.pending),
    SubscriptionArn: arn,
  };
  if (sub.protocol === 'http' || sub.protocol === 'https') {
    out.EffectiveDeliveryPolicy = sub.attributes.DeliveryPolicy ?? topic.attributes.DeliveryPolicy ?? DEFAULT_EFFECTIVE_DELIVERY_POLICY;
  }
  for (const [k, v] of Object.entries(sub.attributes)) if (!(k in out) || k === 'RawMessageDelivery') out[k] = v;
  if (sub.attributes.FilterPolicy && !sub.attributes.FilterPolicyScope) out.FilterPolicyScope = 'MessageAttributes';
  return out;
}
