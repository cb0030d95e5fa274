import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { NON_EXISTENT, type SqsBackend } from '../backend.js';

export const getQueueUrl = defineAction<SqsBackend>()({
  name: 'GetQueueUrl',
  input: t.struct({ QueueName: t.string({ required: true }), QueueOwnerAWSAccountId: t.string() }),
  output: t.struct({ QueueUrl: t.string() }),
  async handler(input, ctx, sqs) {
    const owner = input.QueueOwnerAWSAccountId;
    const q = owner !== undefined && owner !== sqs.opts.accountId ? undefined : await sqs.byName(input.QueueName);
    if (!q) throw new AwsError('QueueDoesNotExist', NON_EXISTENT);
    return { QueueUrl: sqs.url(ctx, q.name) };
  },
});
