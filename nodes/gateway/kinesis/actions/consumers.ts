import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { consumerView, resolveConsumer } from '../consumers.js';
import { decodeToken, encodeToken } from '../paging.js';
import { consumer, consumerArn, consumerName, empty, nextToken, streamArn, tagMap, timestamp } from '../shapes.js';

export const registerStreamConsumer = defineAction<KinesisBackend>()({
  name: 'RegisterStreamConsumer',
  input: t.struct({ StreamARN: { ...streamArn, required: true }, ConsumerName: { ...consumerName, required: true }, StreamId: t.string(), Tags: tagMap }),
  output: t.struct({ Consumer: consumer }),
  async handler(input, ctx, k) {
    const s = await k.resolve({ StreamARN: input.StreamARN });
    const after = await k.meta({ type: 'registerConsumer', name: s.name, account: ctx.accountId, consumerName: input.ConsumerName });
    const c = after.consumers.find((x) => x.name === input.ConsumerName)!;
    // AWS answers CREATING and turns the consumer ACTIVE a few seconds later; ours is usable at once.
    return { Consumer: consumerView(k, after, c, 'CREATING') };
  },
});

export const describeStreamConsumer = defineAction<KinesisBackend>()({
  name: 'DescribeStreamConsumer',
  input: t.struct({ StreamARN: streamArn, ConsumerName: consumerName, ConsumerARN: consumerArn, StreamId: t.string() }),
  output: t.struct({ ConsumerDescription: t.struct({ ...consumer.members, StreamARN: t.string() }) }),
  async handler(input, _ctx, k) {
    const { stream, consumer: c } = await resolveConsumer(k, input);
    return { ConsumerDescription: { ...consumerView(k, stream, c), StreamARN: k.arn(stream.name) } };
  },
});

export const listStreamConsumers = defineAction<KinesisBackend>()({
  name: 'ListStreamConsumers',
  input: t.struct({ StreamARN: { ...streamArn, required: true }, NextToken: nextToken, MaxResults: t.integer({ min: 1, max: 10000 }), StreamCreationTimestamp: timestamp, StreamId: t.string() }),
  output: t.struct({ Consumers: t.list(consumer), NextToken: t.string() }),
  async handler(input, _ctx, k) {
    const s = await k.resolve({ StreamARN: input.StreamARN });
    const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken, `consumers:${s.name}`).after;
    const all = [...s.consumers].sort((a, b) => (a.name < b.name ? -1 : 1)).filter((c) => after === undefined || c.name > after);
    // AWS: 100 by default, and at most 100 whatever MaxResults says.
    const page = all.slice(0, Math.min(input.MaxResults ?? 100, 100));
    return {
      Consumers: page.map((c) => consumerView(k, s, c)),
      ...(all.length > page.length ? { NextToken: encodeToken(`consumers:${s.name}`, page[page.length - 1]!.name) } : {}),
    };
  },
});

export const deregisterStreamConsumer = defineAction<KinesisBackend>()({
  name: 'DeregisterStreamConsumer',
  input: t.struct({ StreamARN: streamArn, ConsumerName: consumerName, ConsumerARN: consumerArn, StreamId: t.string() }),
  output: empty,
  async handler(input, ctx, k) {
    const { stream, consumer: c } = await resolveConsumer(k, input);
    await k.meta({ type: 'deregisterConsumer', name: stream.name, account: ctx.accountId, consumerName: c.name });
    return {};
  },
});
