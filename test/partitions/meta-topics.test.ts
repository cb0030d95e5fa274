// SNS topics and subscriptions in the meta catalog: creation (idempotent, FIFO naming, the topic
// limit, one group of kind 'topic'), deletion giving the group back and taking the topic's
// subscriptions with it, attributes and tags, subscribe / unsubscribe / confirm with their limits
// and errors. Driven through the meta state machine, so the group allocator and the catalog's own
// records are the real ones.
import { describe, expect, it } from 'vitest';
import { type KvOp } from '../../storage/engine/engine.js';
import { type Decoded, decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type MetaCommand,
  MetaOp,
  MetaStateMachine,
  type TopicCatalogCommand,
  type TopicCatalogResult,
  decodePlacementResult,
  decodeTopicCatalogResult,
  encodeMetaCommand,
  encodeMetaQuery,
  toSubscriptionRecord,
  toTopicRecord,
} from '../../storage/partitions/meta.js';
import { Harness } from './memory-store.js';

const WHO = { account: '123456789012' };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const opText = (o: KvOp): string =>
  o.type === 'put' ? `put ${hex(o.key)}=${hex(o.value)}` : o.type === 'del' ? `del ${hex(o.key)}` : `delRange ${hex(o.start)}..${hex(o.end)}`;
/** Ops on the catalog's keys, leaving out the exactly-once table's (relative prefix 0x00 0x64). */
const ownOps = (ops: KvOp[]): KvOp[] => ops.filter((o) => o.type === 'delRange' || !(o.key[0] === 0x00 && o.key[1] === 0x64));

type Shape<T> = T extends unknown ? Omit<T, 'type' | 'name' | 'account'> : never;
type Create = Shape<Extract<TopicCatalogCommand, { type: 'createTopic' }>>;
type Subscribe = Shape<Extract<TopicCatalogCommand, { type: 'subscribe' }>>;

class MetaHarness extends Harness<MetaStateMachine> {
  seq = 0;
  constructor() {
    super(new MetaStateMachine());
    for (const id of [1, 2, 3]) this.run({ type: 'registerNode', id, address: `n${id}:7000` });
  }
  send(cmd: MetaCommand, timestampMs = 5000): { result: Uint8Array; ops: KvOp[] } {
    return this.apply(encodeCommand({ clientId: 'gw', seq: ++this.seq, timestampMs, ...encodeMetaCommand(cmd) }));
  }
  run(cmd: MetaCommand, timestampMs = 5000): Uint8Array {
    return this.send(cmd, timestampMs).result;
  }
  topic(command: TopicCatalogCommand, timestampMs?: number): Decoded<TopicCatalogResult> {
    return decodeTopicCatalogResult(this.run({ type: 'topic', command }, timestampMs));
  }
  create(name: string, more: Partial<Create> = {}, at = 1000) {
    return this.topic({ type: 'createTopic', name, ...WHO, fifo: name.endsWith('.fifo'), attributes: {}, tags: {}, replicationFactor: 1, topicLimit: 100, ...more }, at);
  }
  subscribe(name: string, id: string, endpoint: string, more: Partial<Subscribe> = {}, at = 2000) {
    return this.topic({ type: 'subscribe', name, ...WHO, id, protocol: 'sqs', endpoint, attributes: {}, pending: false, token: '', subscriptionLimit: 100, ...more }, at);
  }
  unsubscribe(name: string, id: string, at = 3000) {
    return this.topic({ type: 'unsubscribe', name, ...WHO, id }, at);
  }
  confirm(name: string, token: string, at = 4000) {
    return this.topic({ type: 'confirmSubscription', name, ...WHO, token }, at);
  }
  delete(name: string, at = 6000) {
    return this.topic({ type: 'deleteTopic', name, ...WHO }, at);
  }
  async placement() {
    return unwrap(decodePlacementResult(await this.read(encodeMetaQuery({ type: 'getPlacement' }))));
  }
}

function unwrap<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

describe('meta kind: topic catalog', () => {
  it('creates a topic with one group of kind topic, answering an existing one as existed', async () => {
    const h = new MetaHarness();
    const created = unwrap(h.create('orders', { attributes: { Policy: 'p', DisplayName: 'Orders' }, tags: { b: '2', a: '1' }, replicationFactor: 3 }, 1000));
    const index = h.index;
    expect(created).toEqual({
      topic: { name: 'orders', id: index, fifo: false, attributes: { DisplayName: 'Orders', Policy: 'p' }, tags: { a: '1', b: '2' }, groupId: created.topic.groupId, replicationFactor: 3, createdAtMs: 1000 },
    });
    // Attribute and tag keys are kept sorted, whatever order the command gave them in.
    expect(Object.keys(created.topic.attributes)).toEqual(['DisplayName', 'Policy']);
    expect(Object.keys(created.topic.tags)).toEqual(['a', 'b']);
    let p = await h.placement();
    expect(p.version).toBe(index);
    expect(p.topics).toEqual([created.topic]);
    const groups = p.groups.filter((g) => g.kind === 'topic');
    expect(groups.map((g) => [g.id, g.topic, g.partition, new Set(g.replicas).size])).toEqual([[created.topic.groupId, 'orders', 0, 3]]);

    // Creating it again answers the existing topic, whatever the command's attributes, and changes nothing.
    const again = h.send({ type: 'topic', command: { type: 'createTopic', name: 'orders', ...WHO, fifo: false, attributes: { DisplayName: 'Other' }, tags: {}, replicationFactor: 1, topicLimit: 100 } }, 9000);
    expect(unwrap(decodeTopicCatalogResult(again.result))).toEqual({ topic: created.topic, existed: true });
    expect(ownOps(again.ops)).toEqual([]);
    p = await h.placement();
    expect(p.version).toBe(index);
    expect(p.groups.filter((g) => g.kind === 'topic')).toHaveLength(1);

    const fifo = unwrap(h.create('events.fifo', { fifo: true }, 1100)).topic;
    expect(fifo).toMatchObject({ name: 'events.fifo', fifo: true, groupId: created.topic.groupId + 1 });
    expect((await h.placement()).topics.map((t) => t.name)).toEqual(['events.fifo', 'orders']);
  });

  it('refuses bad names, FIFO flags that disagree with the name and unplaceable topics, allocating nothing', async () => {
    const h = new MetaHarness();
    const fifoMessage = 'Fifo Topic names must end with .fifo and Standard Topic cannot end with .fifo';
    expect(h.create('plain', { fifo: true })).toEqual({ ok: false, code: 'InvalidArgument', message: fifoMessage });
    expect(h.create('queue.fifo', { fifo: false })).toEqual({ ok: false, code: 'InvalidArgument', message: fifoMessage });
    expect(h.create('bad name')).toEqual({ ok: false, code: 'InvalidArgument', message: 'invalid topic name "bad name"' });
    for (const bad of ['', 'x'.repeat(257), 'a.fifo.fifo', 'é', `${'x'.repeat(252)}.fifo`]) {
      expect(h.create(bad)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('invalid topic name') as unknown });
    }
    expect(h.create('wide', { replicationFactor: 4 })).toEqual({ ok: false, code: 'InvalidArgument', message: 'replicationFactor 4 needs 4 up nodes, but 3 are up' });
    expect(h.create('wider', { replicationFactor: 6 })).toMatchObject({ ok: false, code: 'InvalidArgument' });
    const p = await h.placement();
    expect(p.topics).toEqual([]);
    expect(p.groups).toEqual([]);
    // The longest names of either kind are fine, and the first group allocated is still group 1.
    expect(unwrap(h.create('x'.repeat(256))).topic.groupId).toBe(1);
    expect(unwrap(h.create(`${'y'.repeat(251)}.fifo`)).topic).toMatchObject({ fifo: true, groupId: 2 });
  });

  it('holds the catalog to the topic limit', async () => {
    const h = new MetaHarness();
    unwrap(h.create('a', { topicLimit: 2 }));
    unwrap(h.create('b', { topicLimit: 2 }));
    expect(h.create('c', { topicLimit: 2 })).toEqual({ ok: false, code: 'OutOfRange', message: 'Topic limit exceeded' });
    // An existing topic is answered even at the limit.
    expect(unwrap(h.create('a', { topicLimit: 2 })).existed).toBe(true);
    expect(unwrap(h.create('c', { topicLimit: 3 })).topic.name).toBe('c');
    unwrap(h.delete('b'));
    unwrap(h.create('d', { topicLimit: 3 }));
    expect(h.create('e', { topicLimit: 3 })).toMatchObject({ ok: false, code: 'OutOfRange' });
    expect((await h.placement()).topics.map((t) => t.name)).toEqual(['a', 'c', 'd']);
  });

  it('deletes a topic with its subscriptions and gives its group back', async () => {
    const h = new MetaHarness();
    const a = unwrap(h.create('a')).topic;
    const b = unwrap(h.create('b')).topic;
    unwrap(h.subscribe('a', 'sub-2', 'arn:q1'));
    unwrap(h.subscribe('a', 'sub-1', 'arn:q2'));
    unwrap(h.subscribe('b', 'sub-3', 'arn:q1'));
    const gone = h.send({ type: 'topic', command: { type: 'deleteTopic', name: 'a', ...WHO } });
    expect(unwrap(decodeTopicCatalogResult(gone.result))).toEqual({ topic: a });
    const p = await h.placement();
    expect(p.version).toBe(h.index);
    expect(p.topics).toEqual([b]);
    expect(p.subscriptions.map((s) => [s.topic, s.id])).toEqual([['b', 'sub-3']]);
    expect(p.groups.filter((g) => g.kind === 'topic').map((g) => [g.id, g.topic])).toEqual([[b.groupId, 'b']]);
    // The deletion's ops: the topic, both subscriptions and the group.
    expect(ownOps(gone.ops).filter((o) => o.type === 'del').length).toBe(4);
    expect(h.delete('a')).toEqual({ ok: false, code: 'NotFound', message: 'Topic does not exist' });
    expect(h.subscribe('a', 'sub-4', 'arn:q1')).toEqual({ ok: false, code: 'NotFound', message: 'Topic does not exist' });
    // The name comes back as a new incarnation: a new id, a new group, no subscriptions.
    const again = unwrap(h.create('a', {}, 7000)).topic;
    expect(again.id).toBeGreaterThan(a.id);
    expect(again.groupId).not.toBe(a.groupId);
    expect(again.groupId).not.toBe(b.groupId);
    expect((await h.placement()).subscriptions.map((s) => s.id)).toEqual(['sub-3']);
    // A subscription id of the deleted topic is free again.
    expect(unwrap(h.subscribe('a', 'sub-1', 'arn:q9')).subscription?.endpoint).toBe('arn:q9');
  });

  it('sets and removes topic attributes and tags', async () => {
    const h = new MetaHarness();
    unwrap(h.create('t', { attributes: { DisplayName: 'T' }, tags: { keep: '1', drop: '2' } }));
    const set = (key: string, value: string) => h.topic({ type: 'setTopicAttribute', name: 't', ...WHO, key, value });
    expect(Object.entries(unwrap(set('Policy', '{}')).topic.attributes)).toEqual([
      ['DisplayName', 'T'],
      ['Policy', '{}'],
    ]);
    expect(Object.entries(unwrap(set('DeliveryPolicy', 'dp')).topic.attributes).map(([k]) => k)).toEqual(['DeliveryPolicy', 'DisplayName', 'Policy']);
    expect(unwrap(set('DisplayName', 'U')).topic.attributes.DisplayName).toBe('U');
    // An empty value removes the attribute; removing an absent one leaves the rest.
    expect(Object.keys(unwrap(set('DisplayName', '')).topic.attributes)).toEqual(['DeliveryPolicy', 'Policy']);
    expect(Object.keys(unwrap(set('Nope', '')).topic.attributes)).toEqual(['DeliveryPolicy', 'Policy']);
    expect(h.topic({ type: 'setTopicAttribute', name: 'none', ...WHO, key: 'Policy', value: 'x' })).toMatchObject({ ok: false, code: 'NotFound' });

    const tagged = unwrap(h.topic({ type: 'tagTopic', name: 't', ...WHO, tags: { zeta: 'z', keep: 'new', alpha: 'a' } })).topic.tags;
    expect(Object.entries(tagged)).toEqual([
      ['alpha', 'a'],
      ['drop', '2'],
      ['keep', 'new'],
      ['zeta', 'z'],
    ]);
    const untagged = unwrap(h.topic({ type: 'untagTopic', name: 't', ...WHO, keys: ['drop', 'absent', 'zeta'] })).topic.tags;
    expect(Object.entries(untagged)).toEqual([
      ['alpha', 'a'],
      ['keep', 'new'],
    ]);
    expect(h.topic({ type: 'tagTopic', name: 'none', ...WHO, tags: { a: 'b' } })).toMatchObject({ ok: false, code: 'NotFound' });
    expect(h.topic({ type: 'untagTopic', name: 'none', ...WHO, keys: ['a'] })).toMatchObject({ ok: false, code: 'NotFound' });
    const t = (await h.placement()).topics[0]!;
    expect([Object.keys(t.attributes), Object.keys(t.tags)]).toEqual([
      ['DeliveryPolicy', 'Policy'],
      ['alpha', 'keep'],
    ]);
  });

  it('subscribes once per protocol and endpoint, within the topic\'s subscription limit', async () => {
    const h = new MetaHarness();
    const t = unwrap(h.create('t')).topic;
    unwrap(h.create('u'));
    const first = unwrap(h.subscribe('t', 'id-1', 'arn:q1', { attributes: { RawMessageDelivery: 'true', FilterPolicy: '{}' }, subscriptionLimit: 2 }, 2000));
    expect(first).toEqual({
      topic: t,
      subscription: {
        id: 'id-1',
        topic: 't',
        protocol: 'sqs',
        endpoint: 'arn:q1',
        owner: WHO.account,
        attributes: { FilterPolicy: '{}', RawMessageDelivery: 'true' },
        pending: false,
        token: '',
        activeSinceMs: 2000,
        createdAtMs: 2000,
      },
    });
    expect(Object.keys(first.subscription!.attributes)).toEqual(['FilterPolicy', 'RawMessageDelivery']);
    // The same protocol and endpoint answer the existing subscription, not the new id.
    const same = h.send({ type: 'topic', command: { type: 'subscribe', name: 't', ...WHO, id: 'id-9', protocol: 'sqs', endpoint: 'arn:q1', attributes: {}, pending: false, token: '', subscriptionLimit: 2 } }, 2500);
    expect(unwrap(decodeTopicCatalogResult(same.result))).toEqual({ ...first, existed: true });
    expect(ownOps(same.ops)).toEqual([]);
    // Another protocol to the same endpoint is another subscription.
    expect(unwrap(h.subscribe('t', 'id-2', 'arn:q1', { protocol: 'lambda', subscriptionLimit: 2 })).subscription?.id).toBe('id-2');
    expect(h.subscribe('t', 'id-3', 'arn:q3', { subscriptionLimit: 2 })).toEqual({ ok: false, code: 'OutOfRange', message: 'Subscription limit exceeded' });
    // At the limit an existing subscription is still answered; the limit is per topic.
    expect(unwrap(h.subscribe('t', 'id-3', 'arn:q1', { subscriptionLimit: 2 })).existed).toBe(true);
    expect(unwrap(h.subscribe('u', 'id-3', 'arn:q3', { subscriptionLimit: 2 })).subscription?.topic).toBe('u');
    // Ids are unique across topics.
    expect(h.subscribe('t', 'id-3', 'arn:q4', { subscriptionLimit: 5 })).toEqual({ ok: false, code: 'AlreadyExists', message: 'subscription id-3 already exists' });
    expect(h.subscribe('none', 'id-5', 'arn:q1')).toMatchObject({ ok: false, code: 'NotFound' });
    expect((await h.placement()).subscriptions.map((s) => [s.topic, s.id, s.protocol])).toEqual([
      ['t', 'id-1', 'sqs'],
      ['t', 'id-2', 'lambda'],
      ['u', 'id-3', 'sqs'],
    ]);
  });

  it('unsubscribes and sets subscription attributes only through the subscription\'s topic', async () => {
    const h = new MetaHarness();
    unwrap(h.create('t'));
    unwrap(h.create('u'));
    const s1 = unwrap(h.subscribe('t', 's1', 'arn:q1', { subscriptionLimit: 1 })).subscription!;
    unwrap(h.subscribe('u', 's2', 'arn:q2'));
    const attr = (name: string, id: string, key: string, value: string) => h.topic({ type: 'setSubscriptionAttribute', name, ...WHO, id, key, value });
    expect(Object.entries(unwrap(attr('t', 's1', 'RawMessageDelivery', 'true')).subscription!.attributes)).toEqual([['RawMessageDelivery', 'true']]);
    expect(Object.keys(unwrap(attr('t', 's1', 'FilterPolicy', '{"a":["b"]}')).subscription!.attributes)).toEqual(['FilterPolicy', 'RawMessageDelivery']);
    expect(unwrap(attr('t', 's1', 'RawMessageDelivery', '')).subscription!.attributes).toEqual({ FilterPolicy: '{"a":["b"]}' });
    const notFound = { ok: false, code: 'NotFound', message: 'Subscription does not exist' };
    expect(attr('t', 's2', 'RawMessageDelivery', 'true')).toEqual(notFound);
    expect(attr('t', 'nope', 'RawMessageDelivery', 'true')).toEqual(notFound);
    expect(h.unsubscribe('t', 's2')).toEqual(notFound);
    // Everything else about the subscription stays.
    const before = (await h.placement()).subscriptions.find((s) => s.id === 's1')!;
    expect(before).toEqual({ ...s1, attributes: { FilterPolicy: '{"a":["b"]}' } });

    const gone = unwrap(h.unsubscribe('t', 's1', 3000));
    expect(gone.subscription).toEqual(before);
    expect(h.unsubscribe('t', 's1')).toEqual(notFound);
    expect(attr('t', 's1', 'RawMessageDelivery', 'true')).toEqual(notFound);
    expect((await h.placement()).subscriptions.map((s) => s.id)).toEqual(['s2']);
    // The freed place under the limit is usable again.
    expect(unwrap(h.subscribe('t', 's3', 'arn:q3', { subscriptionLimit: 1 })).subscription?.id).toBe('s3');
  });

  it('confirms a pending subscription once by its token', async () => {
    const h = new MetaHarness();
    unwrap(h.create('t'));
    unwrap(h.create('u'));
    const pending = unwrap(h.subscribe('t', 'http-1', 'https://e/x', { protocol: 'https', pending: true, token: 'tok-1' }, 1000)).subscription!;
    expect(pending).toMatchObject({ pending: true, token: 'tok-1', activeSinceMs: 1000, createdAtMs: 1000 });
    unwrap(h.subscribe('t', 'sqs-1', 'arn:q', {}, 1000));
    unwrap(h.subscribe('u', 'http-2', 'https://e/y', { protocol: 'https', pending: true, token: 'tok-2' }, 1000));
    const invalid = { ok: false, code: 'NotFound', message: 'Invalid token' };
    expect(h.confirm('t', 'tok-x')).toEqual(invalid);
    // A subscription needing no confirmation has no token to match.
    expect(h.confirm('t', '')).toEqual(invalid);
    // A token confirms only on its own topic.
    expect(h.confirm('t', 'tok-2')).toEqual(invalid);

    const confirmed = unwrap(h.confirm('t', 'tok-1', 4000));
    expect(confirmed).toEqual({ topic: confirmed.topic, subscription: { ...pending, pending: false, activeSinceMs: 4000 } });
    // Using the token again answers the same subscription, unchanged.
    const again = h.send({ type: 'topic', command: { type: 'confirmSubscription', name: 't', ...WHO, token: 'tok-1' } }, 5000);
    expect(unwrap(decodeTopicCatalogResult(again.result))).toEqual({ ...confirmed, existed: true });
    expect(ownOps(again.ops)).toEqual([]);
    expect((await h.placement()).subscriptions.map((s) => [s.id, s.pending, s.activeSinceMs])).toEqual([
      ['http-1', false, 4000],
      ['sqs-1', false, 1000],
      ['http-2', true, 1000],
    ]);
    expect(h.confirm('none', 'tok-1')).toMatchObject({ ok: false, code: 'NotFound', message: 'Topic does not exist' });
  });

  it('moves the placement version only when the catalog changes', async () => {
    const h = new MetaHarness();
    unwrap(h.create('t'));
    const created = h.index;
    expect((await h.placement()).version).toBe(created);
    h.create('t');
    h.create('bad name');
    h.subscribe('none', 'x', 'y');
    h.confirm('t', 'none');
    h.unsubscribe('t', 'none');
    expect((await h.placement()).version).toBe(created);
    for (const step of [
      () => h.subscribe('t', 's', 'e'),
      () => h.topic({ type: 'setSubscriptionAttribute', name: 't', ...WHO, id: 's', key: 'k', value: 'v' }),
      () => h.topic({ type: 'setTopicAttribute', name: 't', ...WHO, key: 'k', value: 'v' }),
      () => h.topic({ type: 'tagTopic', name: 't', ...WHO, tags: { k: 'v' } }),
      () => h.topic({ type: 'untagTopic', name: 't', ...WHO, keys: ['k'] }),
      () => h.unsubscribe('t', 's'),
      () => h.delete('t'),
    ]) {
      unwrap(step());
      expect((await h.placement()).version).toBe(h.index);
    }
  });

  it('refuses malformed topic commands', () => {
    const h = new MetaHarness();
    const te = new TextEncoder();
    expect(encodeMetaCommand({ type: 'topic', command: { type: 'deleteTopic', name: 't', ...WHO } }).op).toBe(20);
    expect(MetaOp.TopicCatalog).toBe(20);
    for (const body of ['{"type":"explode","name":"t","account":"a"}', '{"type":"deleteTopic","name":"t"}', '{"type":"createTopic","name":"t","account":"a","fifo":"no","attributes":{},"tags":{},"replicationFactor":1,"topicLimit":1}', '{"type":"tagTopic","name":"t","account":"a","tags":{"k":1}}', '[]']) {
      const r = h.apply(encodeCommand({ clientId: 'gw', seq: ++h.seq, timestampMs: 1, op: MetaOp.TopicCatalog, body: te.encode(body) }));
      expect(decodeResult(r.result)).toMatchObject({ ok: false, code: 'InvalidArgument', message: expect.stringContaining('malformed meta command') as unknown });
      expect(ownOps(r.ops)).toEqual([]);
    }
  });
});

describe('meta kind: topic catalog persistence', () => {
  const populate = (h: MetaHarness): void => {
    unwrap(h.create('b-topic', { attributes: { Policy: 'p' }, tags: { z: '1', a: '2' }, replicationFactor: 2 }, 1000));
    unwrap(h.create('a.fifo', { fifo: true }, 1100));
    // Ids out of their key order, so insertion order differs from the store's.
    unwrap(h.subscribe('b-topic', 'sub-z', 'arn:q1', { attributes: { RawMessageDelivery: 'true' } }, 1200));
    unwrap(h.subscribe('b-topic', 'sub-m', 'https://h', { protocol: 'https', pending: true, token: 'tk' }, 1300));
    unwrap(h.subscribe('a.fifo', 'sub-a', 'arn:q2', {}, 1400));
    unwrap(h.subscribe('b-topic', 'sub-b', 'arn:q3', {}, 1500));
    unwrap(h.topic({ type: 'setTopicAttribute', name: 'b-topic', ...WHO, key: 'DisplayName', value: 'B' }, 1600));
  };

  it('reloads to the same catalog, which goes on from the same state', async () => {
    const h = new MetaHarness();
    populate(h);
    const before = await h.placement();
    expect(before.topics.map((t) => t.name)).toEqual(['a.fifo', 'b-topic']);
    expect(before.subscriptions.map((s) => s.id)).toEqual(['sub-a', 'sub-b', 'sub-m', 'sub-z']);
    const dump = h.store.dump();
    await h.restart(new MetaStateMachine());
    expect(await h.placement()).toEqual(before);
    expect(h.store.dump()).toEqual(dump);
    // Duplicates, tokens and limits are found in the reloaded catalog.
    expect(unwrap(h.subscribe('b-topic', 'sub-new', 'arn:q1')).existed).toBe(true);
    expect(h.subscribe('b-topic', 'sub-new', 'arn:q9', { subscriptionLimit: 3 })).toMatchObject({ ok: false, code: 'OutOfRange' });
    expect(unwrap(h.create('b-topic')).existed).toBe(true);
    expect(h.create('c', { topicLimit: 2 })).toMatchObject({ ok: false, code: 'OutOfRange' });
    expect(unwrap(h.confirm('b-topic', 'tk', 8000)).subscription).toMatchObject({ id: 'sub-m', pending: false, activeSinceMs: 8000 });
    unwrap(h.delete('b-topic'));
    const after = await h.placement();
    expect(after.subscriptions.map((s) => s.id)).toEqual(['sub-a']);
    expect(after.groups.filter((g) => g.kind === 'topic').map((g) => g.topic)).toEqual(['a.fifo']);
  });

  it('stores records that re-encode byte for byte', async () => {
    const h = new MetaHarness();
    populate(h);
    const records = h.store.dump().map(([k, v]) => [Buffer.from(k, 'hex').toString('utf8'), Buffer.from(v, 'hex').toString('utf8')] as const);
    const topics = records.filter(([k]) => k.startsWith('P/'));
    const subscriptions = records.filter(([k]) => k.startsWith('B/'));
    expect(topics.map(([k]) => k)).toEqual(['P/a.fifo', 'P/b-topic']);
    expect(subscriptions.map(([k]) => k)).toEqual(['B/sub-a', 'B/sub-b', 'B/sub-m', 'B/sub-z']);
    for (const [, v] of topics) expect(JSON.stringify(toTopicRecord(JSON.parse(v)))).toBe(v);
    for (const [, v] of subscriptions) expect(JSON.stringify(toSubscriptionRecord(JSON.parse(v)))).toBe(v);
    expect(topics[1]![1]).toContain('"attributes":{"DisplayName":"B","Policy":"p"},"tags":{"a":"2","z":"1"}');
  });

  it('applies the same commands to the same ops on every replica, one of them restarting', async () => {
    const a = new MetaHarness();
    const b = new MetaHarness();
    populate(a);
    populate(b);
    expect(b.store.dump()).toEqual(a.store.dump());
    await b.restart(new MetaStateMachine());
    const commands: TopicCatalogCommand[] = [
      { type: 'subscribe', name: 'b-topic', ...WHO, id: 'sub-c', protocol: 'sqs', endpoint: 'arn:q4', attributes: { b: '1', a: '2' }, pending: false, token: '', subscriptionLimit: 100 },
      { type: 'confirmSubscription', name: 'b-topic', ...WHO, token: 'tk' },
      { type: 'setSubscriptionAttribute', name: 'b-topic', ...WHO, id: 'sub-z', key: 'FilterPolicy', value: '{}' },
      { type: 'tagTopic', name: 'a.fifo', ...WHO, tags: { y: '1', x: '2' } },
      { type: 'unsubscribe', name: 'a.fifo', ...WHO, id: 'sub-a' },
      { type: 'deleteTopic', name: 'b-topic', ...WHO },
      { type: 'createTopic', name: 'b-topic', ...WHO, fifo: false, attributes: {}, tags: {}, replicationFactor: 3, topicLimit: 10 },
    ];
    for (const [i, command] of commands.entries()) {
      const ra = a.send({ type: 'topic', command }, 9000 + i);
      const rb = b.send({ type: 'topic', command }, 9000 + i);
      expect(decodeResult(ra.result).ok).toBe(true);
      expect(hex(rb.result)).toBe(hex(ra.result));
      expect(rb.ops.map(opText)).toEqual(ra.ops.map(opText));
    }
    expect(b.store.dump()).toEqual(a.store.dump());
    expect(await b.placement()).toEqual(await a.placement());
  });
});
