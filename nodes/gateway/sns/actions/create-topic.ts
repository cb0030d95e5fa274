import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { TOPIC_NAME_PATTERN } from '../../../../storage/partitions/meta-topics.js';
import { creationAttributes } from '../attributes.js';
import { type SnsBackend } from '../backend.js';
import { checkTags } from '../tags.js';
import { attributeMap, tagList, tagMap } from '../shapes.js';

export const createTopic = defineAction<SnsBackend>()({
  name: 'CreateTopic',
  input: t.struct({ Name: t.string({ required: true }), Attributes: attributeMap, Tags: tagList, DataProtectionPolicy: t.string() }),
  output: t.struct({ TopicArn: t.string() }),
  async handler(input, _ctx, sns) {
    if (!TOPIC_NAME_PATTERN.test(input.Name)) throw new AwsError('InvalidParameter', 'Invalid parameter: Topic Name');
    const { fifo, stored } = creationAttributes(input.Name, input.Attributes ?? {});
    if (input.DataProtectionPolicy !== undefined) stored.DataProtectionPolicy = input.DataProtectionPolicy;
    const tags = tagMap(input.Tags);
    checkTags(input.Tags ?? [], {});
    // A fresh view: the group's size is decided here, once, and a cached view taken before every
    // node registered (the first CreateTopic after a cluster starts) would size it below 3 for good.
    const up = (await sns.placement.refresh()).nodes.filter((n) => n.state === 'up').length;
    const r = await sns.meta({
      type: 'createTopic',
      name: input.Name,
      account: sns.opts.accountId,
      fifo,
      attributes: stored,
      tags,
      replicationFactor: Math.max(1, Math.min(sns.opts.replicationFactor, up)),
      topicLimit: sns.opts.topicLimit,
    });
    if (r.existed) {
      // AWS: creating an existing topic answers its ARN, unless the request asks for different settings.
      for (const [k, v] of Object.entries(stored)) {
        if (k === 'ContentBasedDeduplication' && input.Attributes?.ContentBasedDeduplication === undefined) continue;
        if ((r.topic.attributes[k] ?? '') !== v) throw new AwsError('InvalidParameter', 'Invalid parameter: Attributes Reason: Topic already exists with different attributes');
      }
      for (const [k, v] of Object.entries(tags)) {
        if (r.topic.tags[k] !== v) throw new AwsError('InvalidParameter', 'Invalid parameter: Tags Reason: Topic already exists with different tags');
      }
    }
    return { TopicArn: sns.topicArn(r.topic.name) };
  },
});
