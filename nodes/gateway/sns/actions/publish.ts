import { randomUUID } from 'node:crypto';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend, sequenceNumberOf } from '../backend.js';
import { preparePublish } from '../message.js';
import { messageAttributeMap } from '../shapes.js';

export const publish = defineAction<SnsBackend>()({
  name: 'Publish',
  input: t.struct({
    TopicArn: t.string(),
    TargetArn: t.string(),
    PhoneNumber: t.string(),
    Message: t.string({ required: true }),
    Subject: t.string(),
    MessageStructure: t.string(),
    MessageAttributes: messageAttributeMap,
    MessageDeduplicationId: t.string(),
    MessageGroupId: t.string(),
  }),
  output: t.struct({ MessageId: t.string(), SequenceNumber: t.string() }),
  async handler(input, ctx, sns) {
    if (input.PhoneNumber !== undefined) throw new AwsError('InvalidParameter', 'Invalid parameter: PhoneNumber Reason: Stratus does not send SMS');
    const arn = input.TopicArn ?? input.TargetArn;
    if (arn === undefined) throw new AwsError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    if (input.TopicArn !== undefined && input.TargetArn !== undefined) throw new AwsError('InvalidParameter', 'Invalid parameter: TopicArn Reason: Only one of TopicArn or TargetArn may be specified');
    const topic = await sns.resolve(arn, input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
    authorize(sns, topic, ctx, 'SNS:Publish');
    const { entry } = preparePublish(topic, input, randomUUID());
    const [out] = await sns.publish(topic, [entry]);
    return { MessageId: out!.messageId, ...(topic.fifo ? { SequenceNumber: sequenceNumberOf(out!.offset) } : {}) };
  },
});
