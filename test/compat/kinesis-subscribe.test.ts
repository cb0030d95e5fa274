// Enhanced fan-out with the AWS SDK v3 Kinesis client over HTTP/2 (its default transport):
// SubscribeToShard's event stream delivers stored records, then new ones as they arrive, and a
// closed shard's stream ends with its child shards; errors before the stream are plain errors.
import { CreateStreamCommand, KinesisClient, PutRecordCommand, RegisterStreamConsumerCommand, SplitShardCommand, SubscribeToShardCommand, type SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startEmbedded } from './targets.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/fanout';

describe('Kinesis SubscribeToShard (enhanced fan-out) over HTTP/2', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let k: KinesisClient;
  let consumerArn = '';

  beforeAll(async () => {
    t = await startEmbedded(['--kinesis-limits', 'off']);
    k = new KinesisClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    await k.send(new CreateStreamCommand({ StreamName: 'fanout', ShardCount: 1 }));
    consumerArn = (await k.send(new RegisterStreamConsumerCommand({ StreamARN: STREAM_ARN, ConsumerName: 'fan' }))).Consumer!.ConsumerARN!;
  });
  afterAll(async () => {
    k?.destroy();
    await t?.stop();
  });

  const texts = (ev: SubscribeToShardEventStream): string[] => (ev.SubscribeToShardEvent?.Records ?? []).map((r) => Buffer.from(r.Data!).toString());

  it('pushes stored records, then new ones, then the children of a closed shard', async () => {
    await k.send(new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'a', Data: Buffer.from('first') }));
    const sub = await k.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'TRIM_HORIZON' } }));
    const got: string[] = [];
    let children: string[] = [];
    let continuation = '';
    let wrote = false;
    for await (const ev of sub.EventStream!) {
      got.push(...texts(ev));
      continuation = ev.SubscribeToShardEvent?.ContinuationSequenceNumber ?? continuation;
      if (got.includes('first') && !wrote) {
        wrote = true;
        await k.send(new PutRecordCommand({ StreamName: 'fanout', PartitionKey: 'a', Data: Buffer.from('second') }));
      }
      if (got.includes('second') && children.length === 0 && !ev.SubscribeToShardEvent?.ChildShards) {
        await k.send(new SplitShardCommand({ StreamName: 'fanout', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (1n << 127n).toString() }));
      }
      if (ev.SubscribeToShardEvent?.ChildShards) {
        children = ev.SubscribeToShardEvent.ChildShards.map((c) => c.ShardId!);
        break;
      }
    }
    expect(got).toEqual(['first', 'second']);
    expect(children).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(continuation).toMatch(/^\d+$/);
  });

  it('answers an unknown consumer or shard with an ordinary error', async () => {
    const bad = await k.send(new SubscribeToShardCommand({ ConsumerARN: `${STREAM_ARN}/consumer/nobody:1`, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } })).catch((e: unknown) => e as Error);
    expect((bad as Error).name).toBe('ResourceNotFoundException');
    const noShard = await k.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000099', StartingPosition: { Type: 'LATEST' } })).catch((e: unknown) => e as Error);
    expect((noShard as Error).name).toBe('ResourceNotFoundException');
  });
});
