import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { checkBatch, entryError } from '../batch.js';
import { deleteByHandles } from '../receipts.js';
import { failedList, queueUrl } from '../shapes.js';

export const deleteMessageBatch = defineAction<SqsBackend>()({
  name: 'DeleteMessageBatch',
  input: t.struct({
    QueueUrl: queueUrl,
    Entries: t.list(t.struct({ Id: t.string({ required: true }), ReceiptHandle: t.string({ required: true }) }), { queryName: 'DeleteMessageBatchRequestEntry' }),
  }),
  output: t.struct({ Successful: t.list(t.struct({ Id: t.string() }), { queryName: 'DeleteMessageBatchResultEntry' }), Failed: failedList }),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const entries = input.Entries ?? [];
    checkBatch(entries, 'DeleteMessageBatchRequestEntry');
    const outcomes = await deleteByHandles(sqs, q, entries.map((e) => e.ReceiptHandle));
    return {
      Successful: entries.filter((_, i) => outcomes[i]!.ok).map((e) => ({ Id: e.Id })),
      Failed: entries.flatMap((e, i) => {
        const o = outcomes[i]!;
        return o.ok ? [] : [entryError(e.Id, o.error)];
      }),
    };
  },
});
