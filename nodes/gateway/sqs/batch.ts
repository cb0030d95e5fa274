// Rules every SQS batch action shares: 1-10 entries with distinct, well-formed ids.
import { AwsError } from '../errors.js';

const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function checkBatch(entries: { Id: string }[] | undefined, entryName: string): { Id: string }[] {
  if (!entries || entries.length === 0) throw new AwsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (entries.length > 10) throw new AwsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const e of entries) {
    if (!ENTRY_ID.test(e.Id)) {
      throw new AwsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (seen.has(e.Id)) throw new AwsError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    seen.add(e.Id);
  }
  return entries;
}

export interface BatchError {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

/** A per-entry failure as the batch result reports it (the Query code, like AWS). */
export function entryError(id: string, err: AwsError): BatchError {
  return { Id: id, SenderFault: err.spec.fault === 'Sender', Code: err.spec.queryCode ?? err.code, Message: err.message };
}

/** Groups entry indexes by partition, keeping their order. */
export function byPartition<T>(items: T[], partitionOf: (t: T) => number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  items.forEach((item, i) => {
    const p = partitionOf(item);
    const list = out.get(p);
    if (list) list.push(i);
    else out.set(p, [i]);
  });
  return out;
}
