import { randomBytes, randomUUID } from 'node:crypto';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { subscribeAttributes } from '../attributes.js';
import { type SnsBackend } from '../backend.js';
import { sendConfirmation } from '../confirmation.js';
import { checkEndpoint } from '../protocols.js';
import { attributeMap, topicArn } from '../shapes.js';

export const subscribe = defineAction<SnsBackend>()({
  name: 'Subscribe',
  input: t.struct({ TopicArn: topicArn, Protocol: t.string({ required: true }), Endpoint: t.string(), Attributes: attributeMap, ReturnSubscriptionArn: t.boolean() }),
  output: t.struct({ SubscriptionArn: t.string() }),
  async handler(input, ctx, sns) {
    const topic = await sns.resolve(input.TopicArn);
    const protocol = input.Protocol.toLowerCase();
    const endpoint = checkEndpoint(protocol, input.Endpoint, topic);
    authorize(sns, topic, ctx, 'SNS:Subscribe', { 'sns:Protocol': protocol, 'sns:Endpoint': endpoint });
    const attributes = subscribeAttributes(input.Attributes ?? {}, protocol, topic);
    // http(s) endpoints must confirm before they get messages; queues and functions need not.
    const pending = protocol === 'http' || protocol === 'https';
    const r = await sns.meta({
      type: 'subscribe',
      name: topic.name,
      account: sns.opts.accountId,
      id: randomUUID(),
      protocol,
      endpoint,
      attributes,
      pending,
      token: pending ? randomBytes(64).toString('hex') : '',
      subscriptionLimit: topic.fifo ? sns.opts.fifoSubscriptionLimit : sns.opts.subscriptionLimit,
    });
    const sub = r.subscription!;
    if (r.existed) {
      for (const [k, v] of Object.entries(attributes)) {
        if ((sub.attributes[k] ?? '') !== v) throw new AwsError('InvalidParameter', 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
      }
    }
    if (sub.pending) {
      sendConfirmation(sns, topic, sub, ctx.baseUrl);
      if (input.ReturnSubscriptionArn !== true) return { SubscriptionArn: 'pending confirmation' };
    }
    return { SubscriptionArn: sns.subscriptionArn(sub) };
  },
});
