import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { checkBatch, entryError } from '../batch.js';
import { changeByHandles } from '../receipts.js';
import { failedList, queueUrl } from '../shapes.js';

export const changeMessageVisibilityBatch = defineAction<SqsBackend>()({
  name: 'ChangeMessageVisibilityBatch',
  input: t.struct({
    QueueUrl: queueUrl,
    Entries: t.list(
      t.struct({ Id: t.string({ required: true }), ReceiptHandle: t.string({ required: true }), VisibilityTimeout: t.integer() }),
      { queryName: 'ChangeMessageVisibilityBatchRequestEntry' },
    ),
  }),
  output: t.struct({ Successful: t.list(t.struct({ Id: t.string() }), { queryName: 'ChangeMessageVisibilityBatchResultEntry' }), Failed: failedList }),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const entries = input.Entries ?? [];
    checkBatch(entries, 'ChangeMessageVisibilityBatchRequestEntry');
    const outcomes = await changeByHandles(sqs, q, entries.map((e) => ({ handle: e.ReceiptHandle, timeout: e.VisibilityTimeout ?? 0 })));
    return {
      Successful: entries.filter((_, i) => outcomes[i]!.ok).map((e) => ({ Id: e.Id })),
      Failed: entries.flatMap((e, i) => {
        const o = outcomes[i]!;
        return o.ok ? [] : [entryError(e.Id, o.error)];
      }),
    };
  },
});
