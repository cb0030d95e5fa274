// What every SNS action needs: the topic catalog (through the placement cache and meta
// proposals), ARNs, and appends to topic groups. Stateless apart from caches: several gateways
// serve the same topics, and the schedulers deliver what the topics' logs hold.
import { randomUUID } from 'node:crypto';
import { type CommandPayload, type ErrorResult } from '../../../storage/partitions/envelope.js';
import { type SubscriptionRecord, type TopicCatalogCommand, type TopicCatalogResult, type TopicRecord, decodeTopicCatalogResult, encodeMetaCommand } from '../../../storage/partitions/meta-codec.js';
import { type PublishEntry, type PublishOutcome, decodePublishResult, encodeTopicCommand } from '../../../storage/partitions/topic-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { META_GROUP, type Placement } from '../../cluster/placement.js';
import { Sequencer } from '../../cluster/sequencer.js';
import { PublishBatcher } from './publish-batcher.js';
import { AwsError, type ErrorCode } from '../errors.js';
import { Attr, SpanName, withSpan } from '../../telemetry/index.js';
import { Metric } from '../../telemetry/metric-names.js';
import { type Counter, type MetricsRegistry } from '../../telemetry/metrics.js';

export interface SnsOptions {
  accountId: string;
  region: string;
  /** AWS: 100,000 standard topics and 1,000 FIFO topics per account; one figure here. */
  topicLimit: number;
  /** AWS: 12,500,000 subscriptions per standard topic, 100 per FIFO topic. */
  subscriptionLimit: number;
  fifoSubscriptionLimit: number;
  /** Replicas of each topic's group; capped by the nodes that are up. */
  replicationFactor: number;
  /** NumberOfMessagesPublished; none: not recorded. */
  metrics?: MetricsRegistry;
}

export const DEFAULT_SNS_LIMITS = { topicLimit: 100_000, subscriptionLimit: 12_500_000, fifoSubscriptionLimit: 100 };

const ERROR_OF: Record<ErrorResult['code'], ErrorCode> = {
  NotFound: 'NotFound',
  AlreadyExists: 'InvalidParameter',
  FailedPrecondition: 'InvalidParameter',
  OutOfRange: 'InvalidParameter',
  InvalidArgument: 'InvalidParameter',
  SequenceTooOld: 'InternalError',
};

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;
const SUBSCRIPTION_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256}):([0-9a-f-]{36})$/;

export class SnsBackend {
  readonly sequencer = new Sequencer(`sns-gw-${randomUUID()}`);
  private readonly published: Counter<'topic'> | undefined;
  /** Concurrent publishes to a topic share a proposal. */
  private readonly batcher = new PublishBatcher((group, entries) => this.proposePublish(group, entries));

  constructor(
    readonly client: ClusterClient,
    readonly placement: Placement,
    readonly opts: SnsOptions,
  ) {
    this.published = opts.metrics?.counter(Metric.NumberOfMessagesPublished);
  }

  propose(group: number, p: CommandPayload): Promise<Uint8Array> {
    return this.sequencer.propose(p, (bytes) => this.client.propose(group, bytes));
  }

  /** A catalog change; throws the SNS error apply answered (its message is AWS's where apply knows it). */
  async meta(cmd: TopicCatalogCommand): Promise<TopicCatalogResult> {
    const r = decodeTopicCatalogResult(await this.propose(META_GROUP, encodeMetaCommand({ type: 'topic', command: cmd })));
    await this.placement.refresh();
    if (!r.ok) {
      if (r.message === 'Topic limit exceeded') throw new AwsError('TopicLimitExceeded', 'Topic limit exceeded');
      if (r.message === 'Subscription limit exceeded') throw new AwsError('SubscriptionLimitExceeded', 'Subscription limit exceeded');
      if (r.code === 'NotFound' && r.message === 'Invalid token') throw new AwsError('InvalidParameter', 'Invalid token');
      throw new AwsError(ERROR_OF[r.code], r.code === 'InvalidArgument' ? `Invalid parameter: ${r.message}` : r.message);
    }
    return r.value;
  }

  topicArn(name: string): string {
    return `arn:aws:sns:${this.opts.region}:${this.opts.accountId}:${name}`;
  }

  subscriptionArn(s: SubscriptionRecord): string {
    return `${this.topicArn(s.topic)}:${s.id}`;
  }

  async topics(maxAgeMs = 1000): Promise<TopicRecord[]> {
    return (await this.placement.current(maxAgeMs)).topics;
  }

  async subscriptions(maxAgeMs = 1000): Promise<SubscriptionRecord[]> {
    return (await this.placement.current(maxAgeMs)).subscriptions;
  }

  async subscriptionsOf(topic: string, maxAgeMs = 1000): Promise<SubscriptionRecord[]> {
    return (await this.subscriptions(maxAgeMs)).filter((s) => s.topic === topic);
  }

  /** The topic name an ARN names, or InvalidParameter naming the parameter as AWS does. */
  topicName(arn: string, parameter = 'TopicArn'): string {
    const m = TOPIC_ARN.exec(arn);
    if (!m) throw new AwsError('InvalidParameter', `Invalid parameter: ${parameter}`);
    if (m[1] !== this.opts.region || m[2] !== this.opts.accountId) throw new AwsError('NotFound', 'Topic does not exist');
    return m[3]!;
  }

  async find(name: string): Promise<TopicRecord | undefined> {
    const hit = (await this.placement.current(5000)).topics.find((t) => t.name === name);
    return hit ?? (await this.placement.refresh()).topics.find((t) => t.name === name);
  }

  /** The topic an ARN names; NotFound as AWS words it. */
  async resolve(arn: string, parameter = 'TopicArn'): Promise<TopicRecord> {
    const t = await this.find(this.topicName(arn, parameter));
    if (!t) throw new AwsError('NotFound', 'Topic does not exist');
    return t;
  }

  async subscription(arn: string): Promise<{ topic: TopicRecord; sub: SubscriptionRecord }> {
    const m = SUBSCRIPTION_ARN.exec(arn);
    if (!m) throw new AwsError('InvalidParameter', 'Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1');
    if (m[1] !== this.opts.region || m[2] !== this.opts.accountId) throw new AwsError('NotFound', 'Subscription does not exist');
    const lookup = (p: { topics: TopicRecord[]; subscriptions: SubscriptionRecord[] }) => {
      const sub = p.subscriptions.find((s) => s.id === m[4] && s.topic === m[3]);
      const topic = sub && p.topics.find((t) => t.name === sub.topic);
      return sub && topic ? { topic, sub } : undefined;
    };
    const hit = lookup(await this.placement.current(5000)) ?? lookup(await this.placement.refresh());
    if (!hit) throw new AwsError('NotFound', 'Subscription does not exist');
    return hit;
  }

  /** Appends to the topic's log: once this returns, the messages are committed and will be delivered. */
  publish(topic: TopicRecord, entries: PublishEntry[]): Promise<PublishOutcome[]> {
    return withSpan(SpanName.TopicPublish, { [Attr.TopicName]: topic.name, [Attr.Messages]: entries.length }, async () => {
      const out = await this.batcher.publish(topic.groupId, entries);
      const fresh = out.filter((o) => !o.duplicate).length;
      if (fresh > 0) this.published?.inc({ topic: topic.name }, fresh);
      return out;
    });
  }

  private async proposePublish(group: number, entries: PublishEntry[]): Promise<PublishOutcome[]> {
    const r = decodePublishResult(await this.propose(group, encodeTopicCommand({ type: 'publish', entries })));
    if (!r.ok) throw new AwsError('InternalError', `publish failed: ${r.message}`);
    return r.value;
  }
}

/** SNS FIFO sequence numbers: increasing, 20 digits, from the message's offset in the topic. */
export function sequenceNumberOf(offset: number): string {
  return `1${String(offset).padStart(19, '0')}`;
}
