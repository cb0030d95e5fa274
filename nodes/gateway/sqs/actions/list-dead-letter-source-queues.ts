import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { redriveOf } from '../attributes.js';
import { type SqsBackend } from '../backend.js';
import { decodeToken, encodeToken } from '../paging.js';
import { queueUrl } from '../shapes.js';

export const listDeadLetterSourceQueues = defineAction<SqsBackend>()({
  name: 'ListDeadLetterSourceQueues',
  input: t.struct({ QueueUrl: queueUrl, NextToken: t.string(), MaxResults: t.integer({ min: 1, max: 1000 }) }),
  output: t.struct({ queueUrls: t.list(t.string(), { queryName: 'QueueUrl' }), NextToken: t.string() }),
  async handler(input, ctx, sqs) {
    const dlq = await sqs.byUrl(input.QueueUrl);
    const arn = sqs.arn(ctx.region, dlq.name);
    const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken);
    const names = (await sqs.all())
      .filter((q) => redriveOf(q.attributes)?.deadLetterTargetArn === arn && (after === undefined || q.name > after))
      .map((q) => q.name);
    const max = input.MaxResults ?? 1000;
    const page = names.slice(0, max);
    const more = input.MaxResults !== undefined && names.length > max;
    return { queueUrls: page.map((n) => sqs.url(ctx, n)), ...(more ? { NextToken: encodeToken(page[page.length - 1]!) } : {}) };
  },
});
