// Deleting messages and changing their visibility by receipt handle, for the single and batch
// actions alike: handles are grouped per partition so each partition gets one proposal.
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';
import { byPartition } from './batch.js';
import { type SqsBackend } from './backend.js';
import { type Receipt, decodeReceipt } from './messages.js';
import { changeVisibility, deleteMessages } from './partitions.js';

export type Outcome = { ok: true } | { ok: false; error: AwsError };

function parse(q: QueueRecord, handle: string): Receipt {
  const r = decodeReceipt(handle);
  if (r.queueId !== q.id || r.partition >= q.groupIds.length) {
    throw new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
  }
  return r;
}

export async function deleteByHandles(sqs: SqsBackend, q: QueueRecord, handles: string[]): Promise<Outcome[]> {
  const out: Outcome[] = handles.map(() => ({ ok: true }));
  const parsed: (Receipt | undefined)[] = handles.map((h, i) => {
    try {
      return parse(q, h);
    } catch (e) {
      out[i] = { ok: false, error: e as AwsError };
      return undefined;
    }
  });
  const valid = parsed.flatMap((r, i) => (r ? [{ r, i }] : []));
  await Promise.all(
    [...byPartition(valid, (v) => v.r.partition)].map(async ([p, idx]) => {
      const entries = idx.map((k) => valid[k]!);
      const res = await deleteMessages(sqs, q, p, entries.map((e) => ({ seq: e.r.seq, receiveCount: e.r.receiveCount })));
      res.outcomes.forEach((o, k) => {
        // AWS: a stale handle on a FIFO queue is refused; on a standard queue the call succeeds.
        if (o === 'stale' && q.fifo) {
          out[entries[k]!.i] = { ok: false, error: new AwsError('InvalidParameterValue', `Value ${handles[entries[k]!.i]} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`) };
        }
      });
    }),
  );
  return out;
}

export async function changeByHandles(sqs: SqsBackend, q: QueueRecord, changes: { handle: string; timeout: number }[]): Promise<Outcome[]> {
  const out: Outcome[] = changes.map(() => ({ ok: true }));
  const valid: { r: Receipt; i: number; timeout: number }[] = [];
  changes.forEach((c, i) => {
    try {
      if (c.timeout < 0 || c.timeout > 43_200) {
        throw new AwsError('InvalidParameterValue', `Value ${c.timeout} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`);
      }
      valid.push({ r: parse(q, c.handle), i, timeout: c.timeout });
    } catch (e) {
      out[i] = { ok: false, error: e as AwsError };
    }
  });
  await Promise.all(
    [...byPartition(valid, (v) => v.r.partition)].map(async ([p, idx]) => {
      const entries = idx.map((k) => valid[k]!);
      const res = await changeVisibility(sqs, q, p, entries.map((e) => ({ seq: e.r.seq, receiveCount: e.r.receiveCount, visibilityTimeoutMs: e.timeout * 1000 })));
      res.outcomes.forEach((o, k) => {
        const e = entries[k]!;
        const handle = changes[e.i]!.handle;
        if (o === 'notInflight') out[e.i] = { ok: false, error: new AwsError('MessageNotInflight', 'The message referred to is not in flight.') };
        else if (o === 'invalid') {
          out[e.i] = { ok: false, error: new AwsError('InvalidParameterValue', `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`) };
        } else if (o === 'tooLong') {
          out[e.i] = { ok: false, error: new AwsError('InvalidParameterValue', `Value ${e.timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`) };
        }
      });
    }),
  );
  return out;
}
