// Async invocations travel through one internal queue (a replicated `queue` partition set,
// hidden from SQS users). An event's envelope rides in message attributes and its payload is the
// body, so a 1 MB event fits. The queue gives what Lambda's async path needs: an event is
// durable once Invoke answers 202, a scheduler that dies mid-event lets it reappear after its
// lease (visibility timeout), and delays carry retry backoff.
import { randomUUID } from 'node:crypto';
import { type QueueRecord } from '../../storage/partitions/meta-codec.js';
import { INTERNAL_QUEUE_NAME_PATTERN } from '../../storage/partitions/meta-queues.js';
import { type SendItem } from '../../storage/partitions/queue-codec.js';
import { type SqsBackend } from '../gateway/sqs/backend.js';
import { withDefaults } from '../gateway/sqs/attributes.js';
import { waitForPartitions } from '../gateway/sqs/catalog.js';
import { type AttributeMap, decodeAttributes, encodeAttributes, md5Hex, md5OfAttributes } from '../gateway/sqs/messages.js';
import { nextPartition, send } from '../gateway/sqs/partitions.js';

export const ASYNC_QUEUE = 'stratus.lambda-async';
if (!INTERNAL_QUEUE_NAME_PATTERN.test(ASYNC_QUEUE)) throw new Error('async queue name must be internal');

export interface AsyncEvent {
  functionName: string;
  /** As the caller gave it; undefined: unqualified. */
  qualifier: string | undefined;
  requestId: string;
  /** When Invoke accepted the event (event age counts from here). */
  enqueuedMs: number;
  /** Attempts already made that ended in a function error. */
  attempts: number;
  payload: string;
  traceId?: string;
}

const str = (v: string): { DataType: string; StringValue: string } => ({ DataType: 'String', StringValue: v });

function envelope(e: AsyncEvent): AttributeMap {
  const a: AttributeMap = {
    fn: str(e.functionName),
    rid: str(e.requestId),
    at: str(String(e.enqueuedMs)),
    n: str(String(e.attempts)),
  };
  if (e.qualifier !== undefined) a.q = str(e.qualifier);
  if (e.traceId !== undefined) a.tr = str(e.traceId);
  return a;
}

export function decodeEvent(attributes: Uint8Array, body: Uint8Array): AsyncEvent | undefined {
  const a = decodeAttributes(attributes);
  const fn = a.fn?.StringValue;
  const rid = a.rid?.StringValue;
  const at = Number(a.at?.StringValue);
  const n = Number(a.n?.StringValue);
  if (fn === undefined || rid === undefined || !Number.isFinite(at) || !Number.isInteger(n)) return undefined;
  return {
    functionName: fn,
    qualifier: a.q?.StringValue,
    requestId: rid,
    enqueuedMs: at,
    attempts: n,
    payload: Buffer.from(body).toString('utf8'),
    ...(a.tr?.StringValue !== undefined ? { traceId: a.tr.StringValue } : {}),
  };
}

export class AsyncQueue {
  private record: QueueRecord | undefined;

  constructor(private readonly sqs: SqsBackend) {}

  /** The queue if some gateway created it already (as the cached placement shows it). */
  async existing(): Promise<QueueRecord | undefined> {
    if (this.record) return this.record;
    const q = (await this.sqs.placement.current(5000)).queues.find((x) => x.name === ASYNC_QUEUE);
    if (q) this.record = q;
    return q;
  }

  /** The queue, created on first use (idempotent across gateways). */
  async queue(): Promise<QueueRecord> {
    if (this.record) return this.record;
    let q = await this.sqs.internal(ASYNC_QUEUE);
    if (!q) {
      const up = (await this.sqs.placement.current()).upNodes;
      // Events live up to 6 hours (MaximumEventAgeInSeconds) plus the longest retry delays.
      const attributes = withDefaults({ MessageRetentionPeriod: '86400', MaximumMessageSize: '1048576' }, false);
      const r = await this.sqs.meta({ type: 'createQueue', name: ASYNC_QUEUE, attributes, requested: {}, tags: {}, partitions: Math.max(1, Math.min(up, 4)), replicationFactor: Math.max(1, Math.min(3, up)) });
      if ('ok' in r) throw new Error(`async-invoke queue: ${r.message}`);
      await waitForPartitions(this.sqs, r);
      q = r;
    }
    this.record = q;
    return q;
  }

  /** Durably queues an event (committed by a majority before this resolves). */
  async put(e: AsyncEvent, delaySeconds = 0): Promise<void> {
    const q = await this.queue();
    const attrs = envelope(e);
    const body = Buffer.from(e.payload, 'utf8');
    const item: SendItem = {
      id: randomUUID(),
      body: new Uint8Array(body),
      attributes: encodeAttributes(attrs),
      md5OfBody: md5Hex(body),
      md5OfAttributes: md5OfAttributes(attrs),
      delayMs: Math.min(900, Math.max(0, Math.round(delaySeconds))) * 1000,
      senderId: 'lambda',
    };
    await send(this.sqs, q, nextPartition(q), [item]);
  }
}
