// Relative keys of the `workflow` kind. Every prefix is one printable byte and no two are
// equal, so no key range of one family overlaps another's (0x00… belongs to the dedup table).
//   'E' + name                     → ExecutionRecord JSON (small; mirrored in memory)
//   'I' + name                     → the execution's input text
//   'R' + name                     → JSON { output?, error?, cause? } once closed (deleted by a redrive)
//   'S' + name                     → the executor's last committed ExecutionState JSON text
//   'H' + u8 len + name + u64 id   → HistoryEvent JSON (the length byte keeps "a"'s range out of "ab"'s)
//   'D' + definitionId             → definition text, written once
//   'X' + u64 seq                  → InboxItem JSON
//   'c'                            → JSON { startSeq, inboxSeq }: the next seqs (kept when items go)
//   'A' + u64 seq                  → ActivityTask JSON (small; mirrored in memory)
//   'P' + u64 seq                  → the activity task's input text
//   'k'                            → JSON { taskSeq }
//   'L' + name                     → LeaseRecord JSON (lease.ts)
import { Writer, prefixEnd, u64Key, utf8 } from './codec.js';

export const LEASE_PREFIX = 'L';
export const EXEC_PREFIX = utf8('E');
export const INBOX_PREFIX = utf8('X');
export const DEF_PREFIX = utf8('D');
export const TASK_PREFIX = utf8('A');
export const COUNTERS_KEY = utf8('c');
export const TASK_COUNTER_KEY = utf8('k');

const named = (p: string) => (name: string): Uint8Array => utf8(p + name);

export const execKey = named('E');
export const inputKey = named('I');
export const resultKey = named('R');
export const stateKey = named('S');
export const defKey = named('D');
export const inboxKey = (seq: number): Uint8Array => u64Key(INBOX_PREFIX, seq);
export const taskKey = (seq: number): Uint8Array => u64Key(TASK_PREFIX, seq);
export const taskInputKey = (seq: number): Uint8Array => u64Key(utf8('P'), seq);

/** All of one execution's history keys start with this. */
export function historyPrefix(name: string): Uint8Array {
  const n = utf8(name);
  return new Writer(2 + n.length).u8(0x48).u8(n.length).raw(n).finish();
}

export function eventKey(name: string, id: number): Uint8Array {
  return u64Key(historyPrefix(name), id);
}

/** [gte, lt) of every key under a prefix. */
export function range(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: prefix, lt: prefixEnd(prefix) as Uint8Array };
}
