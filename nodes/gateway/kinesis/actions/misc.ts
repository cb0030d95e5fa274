import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, streamArn, streamModeDetails } from '../shapes.js';

export const describeLimits = defineAction<KinesisBackend>()({
  name: 'DescribeLimits',
  input: empty,
  output: t.struct({ ShardLimit: t.integer(), OpenShardCount: t.integer(), OnDemandStreamCount: t.integer(), OnDemandStreamCountLimit: t.integer() }),
  async handler(_input, _ctx, k) {
    const streams = await k.all();
    return {
      ShardLimit: k.opts.shardLimit,
      OpenShardCount: streams.reduce((n, s) => n + s.shards.filter((sh) => sh.closedAtMs === undefined).length, 0),
      OnDemandStreamCount: streams.filter((s) => s.mode === 'ON_DEMAND').length,
      // AWS: 50 on-demand streams per account by default.
      OnDemandStreamCountLimit: 50,
    };
  },
});

export const updateStreamMode = defineAction<KinesisBackend>()({
  name: 'UpdateStreamMode',
  input: t.struct({ StreamARN: { ...streamArn, required: true }, StreamModeDetails: { ...streamModeDetails, required: true }, StreamId: t.string(), WarmThroughputMiBps: t.integer() }),
  output: empty,
  async handler(input, ctx, k) {
    const s = await k.resolve({ StreamARN: input.StreamARN });
    await k.meta({ type: 'setMode', name: s.name, account: ctx.accountId, mode: input.StreamModeDetails.StreamMode as 'PROVISIONED' | 'ON_DEMAND', shardLimit: k.opts.shardLimit });
    return {};
  },
});
