// Queries of the `workflow` kind: answered from the in-memory mirror where it holds the answer
// (listings, status), from the store for the heavy values (input, output, state, history).
import { fromUtf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type PartitionStore } from './kind.js';
import { type LeaseTable } from './lease.js';
import { type ActivityQueue, canonicalTask } from './workflow-activities.js';
import { type Executions, canonicalRecord } from './workflow-executions.js';
import { INBOX_PREFIX, defKey, eventKey, historyPrefix, inboxKey, inputKey, range, resultKey, stateKey, taskInputKey } from './workflow-keys.js';
import {
  type ExecutionDescription,
  type ExecutionListItem,
  type ExecutionRecord,
  type HistoryEvent,
  type InboxItem,
  type Page,
  type RunnableExecution,
  type WorkflowQuery,
} from './workflow-types.js';

type Query<T extends WorkflowQuery['type']> = Extract<WorkflowQuery, { type: T }>;

const jsonOk = (v: unknown): Uint8Array => okResult(new TextEncoder().encode(JSON.stringify(v)));

/** Paging tokens of listExecutions and runnable: the last item's startSeq, in decimal. */
function seqToken(after: string | undefined): number | undefined | 'bad' {
  if (after === undefined) return undefined;
  return /^[1-9][0-9]{0,15}$/.test(after) ? Number(after) : 'bad';
}

function listItem(r: ExecutionRecord): ExecutionListItem {
  const o: ExecutionListItem = { name: r.name, executionArn: r.executionArn, stateMachineArn: r.stateMachineArn, status: r.status, startDate: r.startDate, redriveCount: r.redriveCount };
  if (r.versionArn !== undefined) o.versionArn = r.versionArn;
  if (r.aliasArn !== undefined) o.aliasArn = r.aliasArn;
  if (r.stopDate !== undefined) o.stopDate = r.stopDate;
  if (r.redriveDate !== undefined) o.redriveDate = r.redriveDate;
  return o;
}

async function text(store: PartitionStore, key: Uint8Array): Promise<string | undefined> {
  const v = await store.get(key);
  return v === undefined ? undefined : fromUtf8(v);
}

export async function describeExecution(x: Executions, q: Query<'describeExecution'>, store: PartitionStore): Promise<Uint8Array> {
  const r = x.byName.get(q.name);
  if (r === undefined) return errorResult('NotFound', `execution ${q.name} does not exist`);
  const d: ExecutionDescription = { ...canonicalRecord(r), input: (await text(store, inputKey(r.name))) ?? '' };
  const result = await text(store, resultKey(r.name));
  if (result !== undefined) Object.assign(d, JSON.parse(result) as { output?: string; error?: string; cause?: string });
  return jsonOk(d);
}

/** Newest start first; `next` is the startSeq of the page's last item. */
export function listExecutions(x: Executions, q: Query<'listExecutions'>): Uint8Array {
  const after = seqToken(q.after);
  if (after === 'bad') return errorResult('InvalidArgument', `invalid paging token ${JSON.stringify(q.after)}`);
  // The first index whose startSeq is at or above `after`: the page starts just below it.
  let lo = 0;
  let hi = x.ordered.length;
  if (after !== undefined) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((x.ordered[mid] as ExecutionRecord).startSeq < after) lo = mid + 1;
      else hi = mid;
    }
  }
  const page: Page<ExecutionListItem> = { items: [] };
  let lastSeq = 0;
  for (let i = (after === undefined ? x.ordered.length : lo) - 1; i >= 0; i--) {
    const r = x.ordered[i] as ExecutionRecord;
    if (q.status !== undefined && r.status !== q.status) continue;
    if (q.versionArn !== undefined && r.versionArn !== q.versionArn) continue;
    if (q.aliasArn !== undefined && r.aliasArn !== q.aliasArn) continue;
    // One match beyond the page: only then is there a next page.
    if (page.items.length === q.limit) {
      page.next = String(lastSeq);
      break;
    }
    page.items.push(listItem(r));
    lastSeq = r.startSeq;
  }
  return jsonOk(page);
}

export async function history(x: Executions, q: Query<'history'>, store: PartitionStore): Promise<Uint8Array> {
  if (!x.byName.has(q.name)) return errorResult('NotFound', `execution ${q.name} does not exist`);
  const all = range(historyPrefix(q.name));
  const bounds = q.reverse
    ? { gte: all.gte, lt: q.afterId === undefined ? all.lt : eventKey(q.name, q.afterId) }
    : { gte: eventKey(q.name, (q.afterId ?? 0) + 1), lt: all.lt };
  const page: Page<HistoryEvent> = { items: [] };
  for await (const [, v] of store.scan({ ...bounds, limit: q.limit + 1, reverse: q.reverse })) {
    if (page.items.length === q.limit) {
      page.next = String((page.items[page.items.length - 1] as HistoryEvent).id);
      break;
    }
    page.items.push(JSON.parse(fromUtf8(v)) as HistoryEvent);
  }
  return jsonOk(page);
}

/** RUNNING executions in start order, with what the executor needs to resume each. */
export async function runnable(x: Executions, q: Query<'runnable'>, store: PartitionStore): Promise<Uint8Array> {
  const after = seqToken(q.after);
  if (after === 'bad') return errorResult('InvalidArgument', `invalid paging token ${JSON.stringify(q.after)}`);
  const candidates = [...x.running].filter((r) => after === undefined || r.startSeq > after).sort((a, b) => a.startSeq - b.startSeq);
  const page: Page<RunnableExecution> = { items: [] };
  for (const r of candidates.slice(0, q.limit)) {
    const item: RunnableExecution = { record: canonicalRecord(r), input: (await text(store, inputKey(r.name))) ?? '' };
    const state = await text(store, stateKey(r.name));
    if (state !== undefined) item.state = state;
    page.items.push(item);
  }
  if (candidates.length > q.limit) page.next = String((candidates[q.limit - 1] as ExecutionRecord).startSeq);
  return jsonOk(page);
}

/** Pending inbox items after `afterSeq`; `next` is the page's last seq. */
export async function inbox(q: Query<'inbox'>, store: PartitionStore): Promise<Uint8Array> {
  const page: Page<InboxItem> = { items: [] };
  const { lt } = range(INBOX_PREFIX);
  for await (const [, v] of store.scan({ gte: inboxKey(q.afterSeq + 1), lt, limit: q.limit + 1 })) {
    if (page.items.length === q.limit) {
      page.next = String((page.items[page.items.length - 1] as InboxItem).seq);
      break;
    }
    page.items.push(JSON.parse(fromUtf8(v)) as InboxItem);
  }
  return jsonOk(page);
}

export async function definition(q: Query<'definition'>, store: PartitionStore): Promise<Uint8Array> {
  const v = await store.get(defKey(q.id));
  return v === undefined ? errorResult('NotFound', `definition ${q.id} is not stored`) : jsonOk(fromUtf8(v));
}

export function leases(table: LeaseTable): Uint8Array {
  return jsonOk([...table.leases.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

export function activityQueueLength(a: ActivityQueue): Uint8Array {
  return jsonOk({ queued: a.queued.size, taken: a.takenCount });
}

export async function activityTask(a: ActivityQueue, q: Query<'activityTask'>, store: PartitionStore): Promise<Uint8Array> {
  const task = a.tasks.get(q.token);
  if (task === undefined) return errorResult('NotFound', `activity task ${q.token} does not exist`);
  return jsonOk({ task: canonicalTask(task), input: (await text(store, taskInputKey(task.seq))) ?? '' });
}
