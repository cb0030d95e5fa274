// SubscribeToShard (enhanced fan-out): an event stream over HTTP/2 that pushes the shard's
// records to a registered consumer for up to 5 minutes (AWS), then ends; the consumer calls again
// from ContinuationSequenceNumber. An event goes out as records arrive, and at least every 5 s
// when none do (so the client sees MillisBehindLatest and knows the stream is alive).
import { EVENT_STREAM, type EventStreamOutput, defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { exceptionMessage, kinesisEvent, kinesisInitialResponse } from '../../protocols/event-stream.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { resolveConsumer } from '../consumers.js';
import { sequenceNumber } from '../positions.js';
import { readShard, startOffset } from '../reading.js';
import { consumerArn, iteratorType, sequenceNumber as seqShape, shardId, timestamp } from '../shapes.js';

const SUBSCRIPTION_MS = 5 * 60_000;
const HEARTBEAT_MS = 5_000;
const IDLE_POLL_MS = 200;
/** Records per event: AWS pushes about 2 MiB/s per consumer and shard. */
const RECORDS_PER_EVENT = 1000;

export const subscribeToShard = defineAction<KinesisBackend>()({
  name: 'SubscribeToShard',
  input: t.struct({
    ConsumerARN: { ...consumerArn, required: true },
    ShardId: { ...shardId, required: true },
    StartingPosition: { ...t.struct({ Type: { ...iteratorType, required: true }, SequenceNumber: seqShape, Timestamp: timestamp }), required: true },
    StreamId: t.string(),
    DryRun: t.boolean(),
  }),
  output: t.struct({}),
  async handler(input, _ctx, k) {
    const { stream } = await resolveConsumer(k, { ConsumerARN: input.ConsumerARN });
    const shard = k.shard(stream, input.ShardId);
    const p = input.StartingPosition;
    let pos = await startOffset(k, stream, shard, { type: p.Type, sequenceNumber: p.SequenceNumber, timestamp: p.Timestamp });
    const out: EventStreamOutput = {
      [EVENT_STREAM]: async function* (signal: AbortSignal) {
        yield kinesisInitialResponse();
        const until = Date.now() + SUBSCRIPTION_MS;
        let lastEvent = 0;
        let current = stream;
        let sh = shard;
        while (!signal.aborted && Date.now() < until) {
          let batch;
          try {
            batch = await readShard(k, current, sh, pos, RECORDS_PER_EVENT);
          } catch (err) {
            const e = err instanceof AwsError ? err : undefined;
            yield exceptionMessage(e?.code === 'ResourceNotFoundException' ? 'ResourceNotFoundException' : 'InternalFailureException', e?.message ?? 'Internal service failure.');
            return;
          }
          const now = Date.now();
          if (batch.records.length > 0 || batch.children !== undefined || now - lastEvent >= HEARTBEAT_MS) {
            pos = batch.nextOffset;
            lastEvent = now;
            yield kinesisEvent({
              Records: batch.records.map((r) => ({ ...r, Data: Buffer.from(r.Data).toString('base64') })),
              ContinuationSequenceNumber: sequenceNumber(sh.ordinal, Math.max(0, pos - 1)),
              MillisBehindLatest: batch.millisBehindLatest,
              ...(batch.children !== undefined ? { ChildShards: batch.children } : {}),
            });
            if (batch.children !== undefined) return;
          }
          if (batch.records.length === 0) {
            await new Promise((r) => setTimeout(r, IDLE_POLL_MS));
            // A split or merge shows in the catalog; the next read then sees where the shard ends.
            const fresh = await k.find(current.name);
            const next = fresh?.id === current.id ? fresh.shards.find((x) => x.shardId === sh.shardId) : undefined;
            if (!fresh || !next) {
              yield exceptionMessage('ResourceNotFoundException', `Stream ${current.name} under account ${k.opts.accountId} not found.`);
              return;
            }
            current = fresh;
            sh = next;
          }
        }
      },
    };
    return out as unknown as Record<string, never>;
  },
});
