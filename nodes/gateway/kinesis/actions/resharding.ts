// SplitShard, MergeShards and UpdateShardCount: the meta group applies the new shard map in one
// command; this gateway then closes the retired shard groups, so their ending sequence numbers
// are fixed at once (any gateway that finds one still open closes it too: backend.ending).
import { type StreamRecord } from '../../../../storage/partitions/meta-codec.js';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, hashKey, shardId, streamRef } from '../shapes.js';

async function closeRetired(k: KinesisBackend, before: StreamRecord, after: StreamRecord): Promise<void> {
  const wasOpen = new Set(before.shards.filter((s) => s.closedAtMs === undefined).map((s) => s.shardId));
  await Promise.all(after.shards.filter((s) => s.closedAtMs !== undefined && wasOpen.has(s.shardId)).map((s) => k.ending(s)));
}

export const splitShard = defineAction<KinesisBackend>()({
  name: 'SplitShard',
  input: t.struct({ ...streamRef, ShardToSplit: { ...shardId, required: true }, NewStartingHashKey: { ...hashKey, required: true } }),
  output: empty,
  async handler(input, ctx, k) {
    const s = await k.resolve(input);
    const after = await k.meta({ type: 'splitShard', name: s.name, account: ctx.accountId, shardId: input.ShardToSplit, newStartingHashKey: input.NewStartingHashKey, shardLimit: k.opts.shardLimit, region: k.opts.region });
    await closeRetired(k, s, after);
    return {};
  },
});

export const mergeShards = defineAction<KinesisBackend>()({
  name: 'MergeShards',
  input: t.struct({ ...streamRef, ShardToMerge: { ...shardId, required: true }, AdjacentShardToMerge: { ...shardId, required: true } }),
  output: empty,
  async handler(input, ctx, k) {
    const s = await k.resolve(input);
    const after = await k.meta({ type: 'mergeShards', name: s.name, account: ctx.accountId, shardId: input.ShardToMerge, adjacentShardId: input.AdjacentShardToMerge });
    await closeRetired(k, s, after);
    return {};
  },
});

export const updateShardCount = defineAction<KinesisBackend>()({
  name: 'UpdateShardCount',
  input: t.struct({ ...streamRef, TargetShardCount: t.integer({ min: 1, required: true }), ScalingType: t.string({ enum: ['UNIFORM_SCALING'], required: true }) }),
  output: t.struct({ StreamName: t.string(), CurrentShardCount: t.integer(), TargetShardCount: t.integer(), StreamARN: t.string() }),
  async handler(input, ctx, k) {
    const s = await k.resolve(input);
    // AWS (as moto recorded it): on-demand streams are re-scaled by the service alone.
    if (s.mode === 'ON_DEMAND') throw new AwsError('ValidationException', `Request is invalid. Stream ${s.name} under account ${ctx.accountId} is in On-Demand mode.`);
    const current = s.shards.filter((sh) => sh.closedAtMs === undefined).length;
    const after = await k.meta({ type: 'updateShardCount', name: s.name, account: ctx.accountId, target: input.TargetShardCount, shardLimit: k.opts.shardLimit, region: k.opts.region });
    await closeRetired(k, s, after);
    return { StreamName: s.name, CurrentShardCount: current, TargetShardCount: input.TargetShardCount, StreamARN: k.arn(s.name) };
  },
});
