import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { deleteByHandles } from '../receipts.js';
import { queueUrl } from '../shapes.js';

export const deleteMessage = defineAction<SqsBackend>()({
  name: 'DeleteMessage',
  input: t.struct({ QueueUrl: queueUrl, ReceiptHandle: t.string({ required: true }) }),
  output: t.struct({}),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const [r] = await deleteByHandles(sqs, q, [input.ReceiptHandle]);
    if (r && !r.ok) throw r.error;
    return {};
  },
});
