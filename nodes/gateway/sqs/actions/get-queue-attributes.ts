import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { COMPUTED, SETTABLE } from '../attributes.js';
import { type SqsBackend } from '../backend.js';
import { queueStats } from '../partitions.js';
import { attributeMap, queueUrl } from '../shapes.js';

export const getQueueAttributes = defineAction<SqsBackend>()({
  name: 'GetQueueAttributes',
  input: t.struct({ QueueUrl: queueUrl, AttributeNames: t.list(t.string(), { queryName: 'AttributeName' }) }),
  output: t.struct({ Attributes: attributeMap }),
  async handler(input, ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const asked = input.AttributeNames ?? [];
    const all = asked.includes('All');
    const known = (n: string): boolean => (COMPUTED as readonly string[]).includes(n) || (n in SETTABLE && (q.fifo || !SETTABLE[n]!.fifoOnly));
    for (const n of asked) if (n !== 'All' && !known(n)) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    const want = (n: string): boolean => all || asked.includes(n);
    const out: Record<string, string> = {};
    if (asked.length === 0) return {};
    if (want('ApproximateNumberOfMessages') || want('ApproximateNumberOfMessagesNotVisible') || want('ApproximateNumberOfMessagesDelayed')) {
      const s = await queueStats(sqs, q);
      if (want('ApproximateNumberOfMessages')) out.ApproximateNumberOfMessages = String(s.visible);
      if (want('ApproximateNumberOfMessagesNotVisible')) out.ApproximateNumberOfMessagesNotVisible = String(s.inFlight);
      if (want('ApproximateNumberOfMessagesDelayed')) out.ApproximateNumberOfMessagesDelayed = String(s.delayed);
    }
    if (want('CreatedTimestamp')) out.CreatedTimestamp = String(Math.floor(q.createdAtMs / 1000));
    if (want('LastModifiedTimestamp')) out.LastModifiedTimestamp = String(Math.floor(q.lastModifiedMs / 1000));
    if (want('QueueArn')) out.QueueArn = sqs.arn(ctx.region, q.name);
    for (const [k, v] of Object.entries(q.attributes)) if (want(k) && v !== '') out[k] = v;
    return { Attributes: out };
  },
});
