// SNS topics and subscriptions in the meta state machine (group 0). Apply decides what must be
// decided once for every gateway: whether a name or a subscription already exists, the account
// limits, and the topic's Raft group. The gateway checks attribute values before proposing.
import { prefixEnd, utf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';
import { type GroupAllocator } from './meta-queues.js';
import { type SubscriptionRecord, type TopicCatalogCommand, type TopicCatalogResult, type TopicRecord, toSubscriptionRecord, toTopicRecord } from './meta-topic-codec.js';

/** AWS: 1–256 letters, digits, hyphens and underscores; a FIFO topic's name ends in `.fifo`. */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9_-]{1,256}$|^[A-Za-z0-9_-]{1,251}\.fifo$/;
// Every catalog loads by scanning its own prefix whole, so prefixes must not be shared.
const TOPIC_PREFIX = 'P/';
const SUBSCRIPTION_PREFIX = 'B/';

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function scan(store: PartitionStore, prefix: string): Promise<unknown[]> {
  const gte = utf8(prefix);
  const out: unknown[] = [];
  for await (const [, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) out.push(JSON.parse(new TextDecoder().decode(v)) as unknown);
  return out;
}

export class TopicCatalog {
  private topics = new Map<string, TopicRecord>();
  private subscriptions = new Map<string, SubscriptionRecord>();
  /** Subscription ids per topic, for deletes and limits without a scan. */
  private byTopic = new Map<string, Set<string>>();

  async load(store: PartitionStore): Promise<void> {
    const topics = new Map<string, TopicRecord>();
    for (const v of await scan(store, TOPIC_PREFIX)) {
      const t = toTopicRecord(v);
      topics.set(t.name, t);
    }
    const subscriptions = new Map<string, SubscriptionRecord>();
    const byTopic = new Map<string, Set<string>>();
    for (const v of await scan(store, SUBSCRIPTION_PREFIX)) {
      const s = toSubscriptionRecord(v);
      subscriptions.set(s.id, s);
      let set = byTopic.get(s.topic);
      if (!set) byTopic.set(s.topic, (set = new Set()));
      set.add(s.id);
    }
    this.topics = topics;
    this.subscriptions = subscriptions;
    this.byTopic = byTopic;
  }

  sortedTopics(): TopicRecord[] {
    return [...this.topics.values()].sort(byName);
  }

  /** Sorted by topic, then id: a stable order for ListSubscriptions' paging. */
  sortedSubscriptions(): SubscriptionRecord[] {
    return [...this.subscriptions.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  apply(cmd: TopicCatalogCommand, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    if (!TOPIC_NAME_PATTERN.test(cmd.name)) return errorResult('InvalidArgument', `invalid topic name ${JSON.stringify(cmd.name)}`);
    if (cmd.type === 'createTopic') return this.create(cmd, now, ctx, groups);
    const t = this.topics.get(cmd.name);
    if (t === undefined) return errorResult('NotFound', 'Topic does not exist');
    switch (cmd.type) {
      case 'deleteTopic': {
        this.topics.delete(t.name);
        ctx.ops.push({ type: 'del', key: utf8(TOPIC_PREFIX + t.name) });
        // Sorted: a replica that reloaded holds the set in key order, one that applied live in
        // insertion order, and every replica must emit the same ops.
        for (const id of [...(this.byTopic.get(t.name) ?? [])].sort()) {
          this.subscriptions.delete(id);
          ctx.ops.push({ type: 'del', key: utf8(SUBSCRIPTION_PREFIX + id) });
        }
        this.byTopic.delete(t.name);
        groups.release([t.groupId], ctx.ops);
        groups.touch(ctx);
        return this.result(t);
      }
      case 'setTopicAttribute': {
        const attributes = sortedMap({ ...t.attributes, [cmd.key]: cmd.value });
        if (cmd.value === '') delete attributes[cmd.key];
        return this.putTopic({ ...t, attributes }, ctx, groups);
      }
      case 'tagTopic':
        return this.putTopic({ ...t, tags: sortedMap({ ...t.tags, ...cmd.tags }) }, ctx, groups);
      case 'untagTopic': {
        const tags = sortedMap(t.tags);
        for (const k of cmd.keys) delete tags[k];
        return this.putTopic({ ...t, tags }, ctx, groups);
      }
      case 'subscribe': {
        const ids = this.byTopic.get(t.name);
        for (const id of ids ?? []) {
          const s = this.subscriptions.get(id)!;
          if (s.protocol === cmd.protocol && s.endpoint === cmd.endpoint) return this.result(t, s, true);
        }
        if ((ids?.size ?? 0) >= cmd.subscriptionLimit) return errorResult('OutOfRange', 'Subscription limit exceeded');
        const s: SubscriptionRecord = {
          id: cmd.id,
          topic: t.name,
          protocol: cmd.protocol,
          endpoint: cmd.endpoint,
          owner: cmd.account,
          attributes: sortedMap(cmd.attributes),
          pending: cmd.pending,
          token: cmd.token,
          activeSinceMs: now,
          createdAtMs: now,
        };
        if (this.subscriptions.has(s.id)) return errorResult('AlreadyExists', `subscription ${s.id} already exists`);
        return this.putSubscription(t, s, ctx, groups);
      }
      case 'unsubscribe': {
        const s = this.subscriptions.get(cmd.id);
        if (s === undefined || s.topic !== t.name) return errorResult('NotFound', 'Subscription does not exist');
        this.subscriptions.delete(s.id);
        this.byTopic.get(t.name)?.delete(s.id);
        ctx.ops.push({ type: 'del', key: utf8(SUBSCRIPTION_PREFIX + s.id) });
        groups.touch(ctx);
        return this.result(t, s);
      }
      case 'setSubscriptionAttribute': {
        const s = this.subscriptions.get(cmd.id);
        if (s === undefined || s.topic !== t.name) return errorResult('NotFound', 'Subscription does not exist');
        const attributes = sortedMap({ ...s.attributes, [cmd.key]: cmd.value });
        if (cmd.value === '') delete attributes[cmd.key];
        return this.putSubscription(t, { ...s, attributes }, ctx, groups);
      }
      case 'confirmSubscription': {
        for (const id of this.byTopic.get(t.name) ?? []) {
          const s = this.subscriptions.get(id)!;
          if (s.token === '' || s.token !== cmd.token) continue;
          // A token confirms once; using it again answers the same subscription.
          if (!s.pending) return this.result(t, s, true);
          return this.putSubscription(t, { ...s, pending: false, activeSinceMs: now }, ctx, groups);
        }
        return errorResult('NotFound', 'Invalid token');
      }
    }
  }

  private create(cmd: Extract<TopicCatalogCommand, { type: 'createTopic' }>, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const existing = this.topics.get(cmd.name);
    // Creating an existing topic answers it; the gateway compares attributes and tags as AWS does.
    if (existing) return this.result(existing, undefined, true);
    if (cmd.fifo !== cmd.name.endsWith('.fifo')) return errorResult('InvalidArgument', 'Fifo Topic names must end with .fifo and Standard Topic cannot end with .fifo');
    if (this.topics.size >= cmd.topicLimit) return errorResult('OutOfRange', 'Topic limit exceeded');
    let groupIds: number[];
    try {
      groupIds = groups.allocate('topic', cmd.name, 1, cmd.replicationFactor, ctx.ops);
    } catch (e) {
      return errorResult('InvalidArgument', e instanceof Error ? e.message : String(e));
    }
    const t: TopicRecord = {
      name: cmd.name,
      id: ctx.index,
      fifo: cmd.fifo,
      attributes: sortedMap(cmd.attributes),
      tags: sortedMap(cmd.tags),
      groupId: groupIds[0]!,
      replicationFactor: cmd.replicationFactor,
      createdAtMs: now,
    };
    return this.putTopic(t, ctx, groups);
  }

  private putTopic(t: TopicRecord, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    this.topics.set(t.name, t);
    ctx.ops.push({ type: 'put', key: utf8(TOPIC_PREFIX + t.name), value: json(t) });
    groups.touch(ctx);
    return this.result(t);
  }

  private putSubscription(t: TopicRecord, s: SubscriptionRecord, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    this.subscriptions.set(s.id, s);
    let set = this.byTopic.get(t.name);
    if (!set) this.byTopic.set(t.name, (set = new Set()));
    set.add(s.id);
    ctx.ops.push({ type: 'put', key: utf8(SUBSCRIPTION_PREFIX + s.id), value: json(s) });
    groups.touch(ctx);
    return this.result(t, s);
  }

  private result(topic: TopicRecord, subscription?: SubscriptionRecord, existed = false): Uint8Array {
    const r: TopicCatalogResult = { topic, ...(subscription ? { subscription } : {}), ...(existed ? { existed } : {}) };
    return okResult(json(r));
  }
}

function sortedMap(m: Record<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}
