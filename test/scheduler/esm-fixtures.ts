// Shared by the event source mapping tests: a function that records every record it is handed
// (one JSON line per record in a file the test reads) and fails or reports partial failures when
// the record's text asks for it, plus waiting on the recording with a deadline.
import { existsSync, readFileSync } from 'node:fs';
import { zip } from '../compat/lambda-fixtures.js';

export interface Seen {
  id: string;
  text: string;
  key?: string;
  group?: string;
  batch: number;
  shard?: string;
}

export const RECORDER = zip({
  'index.mjs': `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const failures = [];
  let fail = false;
  for (const r of event.Records) {
    const text = r.body ?? Buffer.from(r.kinesis.data, 'base64').toString();
    const id = r.messageId ?? r.kinesis.sequenceNumber;
    appendFileSync(process.env.OUT, JSON.stringify({ id, text, key: r.kinesis?.partitionKey, group: r.attributes?.MessageGroupId, batch: event.Records.length, shard: r.eventID?.split(':')[0] }) + '\\n');
    if (text.startsWith('partial')) failures.push({ itemIdentifier: id });
    if (text.startsWith('fail')) fail = true;
    if (text.startsWith('slow')) await new Promise((r) => setTimeout(r, 200));
  }
  if (fail) throw new Error('asked to fail');
  return { batchItemFailures: failures };
};
`,
});

export function seen(file: string): Seen[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Seen);
}

/** Polls `check` until it returns a value, or fails after the deadline with what was last seen. */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
