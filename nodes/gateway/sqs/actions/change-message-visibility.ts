import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { changeByHandles } from '../receipts.js';
import { queueUrl } from '../shapes.js';

export const changeMessageVisibility = defineAction<SqsBackend>()({
  name: 'ChangeMessageVisibility',
  input: t.struct({ QueueUrl: queueUrl, ReceiptHandle: t.string({ required: true }), VisibilityTimeout: t.integer({ required: true }) }),
  output: t.struct({}),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const [r] = await changeByHandles(sqs, q, [{ handle: input.ReceiptHandle, timeout: input.VisibilityTimeout }]);
    if (r && !r.ok) throw r.error;
    return {};
  },
});
