// Runs the delivery of every topic this scheduler may deliver. Every second it reads the topics
// and subscriptions from the catalog (the placement cache) and keeps one TopicDeliverer per
// topic; the deliverers contend for each topic's lease, so exactly one scheduler delivers a
// topic at a time and another takes over when it stops renewing. With several schedulers a
// topic's first choice (rendezvous hashing of its name) takes a free lease at once and the rest
// only take one left expired, which spreads topics across schedulers.
import { randomUUID } from 'node:crypto';
import { type SubscriptionRecord, type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { type SnsBackend } from '../../gateway/sns/backend.js';
import { Reconciler } from '../reconciler.js';
import { type DelivererDeps, TopicDeliverer } from './deliverer.js';

export interface TopicDeliveriesOptions extends Omit<DelivererDeps, 'sns' | 'owner' | 'current' | 'preferred'> {
  /** Whether this scheduler is the topic's first choice (always true with one scheduler). */
  prefers: (topic: string) => boolean;
  refreshMs?: number;
}

interface View {
  topic: TopicRecord;
  subscriptions: SubscriptionRecord[];
}

export class TopicDeliveries extends Reconciler<TopicDeliverer> {
  private view = new Map<string, View>();
  readonly owner = `sns-${randomUUID()}`;

  constructor(
    private readonly sns: SnsBackend,
    private readonly o: TopicDeliveriesOptions,
  ) {
    super('topic deliveries', o.log, o.refreshMs ?? 1000);
  }

  deliverer(topic: string): TopicDeliverer | undefined {
    return this.running.get(topic);
  }

  async reconcile(): Promise<void> {
    const p = await this.sns.placement.current(this.refreshMs);
    const view = new Map<string, View>(p.topics.map((t) => [t.name, { topic: t, subscriptions: [] }]));
    for (const s of p.subscriptions) view.get(s.topic)?.subscriptions.push(s);
    this.view = view;
    for (const [name, d] of this.running) {
      // A topic deleted, or deleted and created again (a new group): this deliverer is done.
      if (view.get(name)?.topic.groupId === d.groupId) continue;
      this.running.delete(name);
      await d.stop(true);
    }
    for (const [name, v] of view) {
      if (this.running.has(name) || this.abort.signal.aborted) continue;
      const deps: DelivererDeps = {
        ...this.o,
        sns: this.sns,
        owner: this.owner,
        preferred: this.o.prefers(name),
        current: () => {
          const now = this.view.get(name);
          return now && now.topic.groupId === v.topic.groupId ? now : undefined;
        },
      };
      this.running.set(name, new TopicDeliverer(deps, v.topic));
    }
  }
}
