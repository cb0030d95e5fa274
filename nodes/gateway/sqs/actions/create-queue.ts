import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { checkAttributes, withDefaults } from '../attributes.js';
import { type SqsBackend } from '../backend.js';
import { checkRedriveTarget, checkTags, fromMetaError, waitForPartitions } from '../catalog.js';
import { attributeMap, tagMap } from '../shapes.js';

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export const createQueue = defineAction<SqsBackend>()({
  name: 'CreateQueue',
  input: t.struct({ QueueName: t.string({ required: true }), Attributes: attributeMap, tags: { ...tagMap, queryName: 'Tag' } }),
  output: t.struct({ QueueUrl: t.string() }),
  async handler(input, ctx, sqs) {
    const name = input.QueueName;
    const fifo = name.endsWith('.fifo');
    if (fifo ? !FIFO_NAME.test(name) : !NAME.test(name)) {
      throw new AwsError(
        'InvalidParameterValue',
        fifo
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    const given = checkAttributes(input.Attributes ?? {}, { fifo, name, create: true });
    if (fifo && given.FifoQueue !== 'true') {
      throw new AwsError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
    }
    const tags = checkTags(input.tags ?? {});
    const attributes = withDefaults(given, fifo);
    await checkRedriveTarget(sqs, attributes, fifo, ctx.region, name);
    const existing = await sqs.byName(name);
    // Fresh, not cached: a node that registered a moment ago must count, or the queue gets fewer replicas for good.
    const up = (await sqs.placement.refresh()).upNodes;
    // Standard queues (and high-throughput FIFO queues) spread over one partition per node (up
    // to 8), so throughput grows with the cluster; a FIFO queue deduplicating queue-wide keeps
    // one partition, where its deduplication and order are decided.
    const spread = !fifo || (attributes.DeduplicationScope === 'messageGroup' && attributes.FifoThroughputLimit === 'perMessageGroupId');
    const partitions = spread ? Math.max(1, Math.min(up, 8)) : 1;
    const q = await sqs.meta({ type: 'createQueue', name, attributes, requested: given, tags, partitions, replicationFactor: Math.max(1, Math.min(3, up)) });
    if ('ok' in q) throw fromMetaError(q);
    if (!existing) await waitForPartitions(sqs, q);
    return { QueueUrl: sqs.url(ctx, name) };
  },
});
