import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { checkTopicAttribute } from '../attributes.js';
import { type SnsBackend } from '../backend.js';
import { topicArn } from '../shapes.js';

export const setTopicAttributes = defineAction<SnsBackend>()({
  name: 'SetTopicAttributes',
  input: t.struct({ TopicArn: topicArn, AttributeName: t.string({ required: true }), AttributeValue: t.string() }),
  output: t.struct({}),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.TopicArn);
    authorize(sns, topic, ctx, 'SNS:SetTopicAttributes');
    if (input.AttributeName === 'FifoTopic') throw new AwsError('InvalidParameter', 'Invalid parameter: AttributeName Reason: FifoTopic can only be set when the topic is created');
    const value = input.AttributeValue ?? '';
    // An empty value resets an attribute to its default (AWS: e.g. DeliveryPolicy, Policy).
    const stored = value === '' && input.AttributeName !== 'DisplayName' ? '' : checkTopicAttribute(input.AttributeName, value, topic.fifo);
    await sns.meta({ type: 'setTopicAttribute', name: topic.name, account: sns.opts.accountId, key: input.AttributeName, value: stored });
    return {};
  },
});
