// Commands, queries and results of the `topic` kind (an SNS topic). A topic is a `stream` shard
// without throughput limits or closing: its log holds every accepted publish, leases give one
// scheduler the topic's delivery, and one checkpoint per subscription keeps each subscriber's
// position, so delivery resumes where it stopped after any crash. On top of that, FIFO topics
// drop a publish whose deduplication id was accepted in the last five minutes.
import { DecodeError, Reader, Writer, fromUtf8, utf8 } from './codec.js';
import { type CommandPayload, type Decoded, decodeResultWith } from './envelope.js';

/** Topic ops start at 24, above the stream's (16–20); wire values: append only, never renumber. */
export enum TopicOp {
  Publish = 24,
  /** Moves many subscriptions' checkpoints at once, fenced by the delivery lease. */
  Checkpoints = 25,
}

/** AWS: FIFO topics drop a repeated deduplication id for five minutes. */
export const DEDUP_WINDOW_MS = 5 * 60 * 1000;
/** Lease name of a topic's delivery (one scheduler delivers a topic at a time). */
export const DELIVERY_LEASE = 'delivery';

export interface PublishEntry {
  /** '' when the topic does not deduplicate. */
  dedupId: string;
  messageId: string;
  /** The message group (FIFO), '' otherwise. */
  key: Uint8Array;
  value: Uint8Array;
}

export interface PublishOutcome {
  offset: number;
  /** The accepted message's id: for a duplicate, the original's. */
  messageId: string;
  duplicate: boolean;
}

export interface CheckpointsCommand {
  owner: string;
  token: number;
  positions: { name: string; offset: number }[];
  /** Checkpoints of subscriptions that are gone. */
  drop: string[];
}

export type TopicCommand = ({ type: 'publish'; entries: PublishEntry[] }) | ({ type: 'checkpoints' } & CheckpointsCommand);

export function encodeTopicCommand(cmd: TopicCommand): CommandPayload {
  if (cmd.type === 'checkpoints') {
    const { type, ...rest } = cmd;
    return { op: TopicOp.Checkpoints, body: utf8(JSON.stringify(rest)) };
  }
  const size = cmd.entries.reduce((n, e) => n + e.value.length + e.key.length + e.dedupId.length * 3 + e.messageId.length * 3 + 16, 4);
  const w = new Writer(size).u32(cmd.entries.length);
  for (const e of cmd.entries) w.bytes(utf8(e.dedupId)).bytes(utf8(e.messageId)).bytes(e.key).bytes(e.value);
  return { op: TopicOp.Publish, body: w.finish() };
}

export function isTopicOp(op: number): boolean {
  return op === TopicOp.Publish || op === TopicOp.Checkpoints;
}

export function decodeTopicCommand(op: number, body: Uint8Array): TopicCommand {
  if (op === TopicOp.Publish) {
    const r = new Reader(body);
    const count = r.u32('entry count');
    if (count * 16 > r.remaining) throw new DecodeError(`entry count ${count} exceeds the body`);
    const entries: PublishEntry[] = [];
    for (let i = 0; i < count; i++) {
      entries.push({ dedupId: fromUtf8(r.bytes('dedupId')), messageId: fromUtf8(r.bytes('messageId')), key: r.bytes('key'), value: r.bytes('value') });
    }
    r.end('topic publish');
    return { type: 'publish', entries };
  }
  if (op !== TopicOp.Checkpoints) throw new DecodeError(`unknown topic op ${op}`);
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(body)) as unknown;
  } catch {
    throw new DecodeError('checkpoints body is not JSON');
  }
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const { owner, token, positions, drop } = o;
  if (typeof owner !== 'string' || typeof token !== 'number' || !Number.isSafeInteger(token)) throw new DecodeError('checkpoints need owner and token');
  if (!Array.isArray(positions) || !Array.isArray(drop)) throw new DecodeError('positions and drop must be arrays');
  const ps = positions.map((p: unknown) => {
    const x = (typeof p === 'object' && p !== null ? p : {}) as Record<string, unknown>;
    if (typeof x.name !== 'string' || typeof x.offset !== 'number' || !Number.isSafeInteger(x.offset) || x.offset < 0) throw new DecodeError('a position needs name and offset');
    return { name: x.name, offset: x.offset };
  });
  if (!drop.every((d): d is string => typeof d === 'string')) throw new DecodeError('drop must be strings');
  return { type: 'checkpoints', owner, token, positions: ps, drop };
}

export function encodePublishOutcomes(out: PublishOutcome[]): Uint8Array {
  const w = new Writer(out.length * 48 + 4).u32(out.length);
  for (const o of out) w.u64(o.offset).u32(o.duplicate ? 1 : 0).bytes(utf8(o.messageId));
  return w.finish();
}

export function decodePublishResult(bytes: Uint8Array): Decoded<PublishOutcome[]> {
  return decodeResultWith(bytes, (b) => {
    const r = new Reader(b);
    const n = r.u32('count');
    const out: PublishOutcome[] = [];
    for (let i = 0; i < n; i++) {
      const offset = r.u64('offset');
      const duplicate = r.u32('duplicate') === 1;
      out.push({ offset, duplicate, messageId: fromUtf8(r.bytes('messageId')) });
    }
    r.end('publish result');
    return out;
  });
}
