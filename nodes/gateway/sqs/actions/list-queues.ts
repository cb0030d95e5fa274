import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { decodeToken, encodeToken } from '../paging.js';

export const listQueues = defineAction<SqsBackend>()({
  name: 'ListQueues',
  input: t.struct({ QueueNamePrefix: t.string(), NextToken: t.string(), MaxResults: t.integer({ min: 1, max: 1000 }) }),
  output: t.struct({ QueueUrls: t.list(t.string(), { queryName: 'QueueUrl' }), NextToken: t.string() }),
  async handler(input, ctx, sqs) {
    if (input.NextToken !== undefined && input.MaxResults === undefined) {
      throw new AwsError('InvalidParameterValue', 'MaxResults is a mandatory parameter when you provide a value for NextToken.');
    }
    const prefix = input.QueueNamePrefix ?? '';
    const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken);
    // AWS: without MaxResults, up to 1,000 queues and no token.
    const max = input.MaxResults ?? 1000;
    const names = (await sqs.all()).map((q) => q.name).filter((n) => n.startsWith(prefix) && (after === undefined || n > after));
    const page = names.slice(0, max);
    const more = input.MaxResults !== undefined && names.length > max;
    return { QueueUrls: page.map((n) => sqs.url(ctx, n)), ...(more ? { NextToken: encodeToken(page[page.length - 1]!) } : {}) };
  },
});
