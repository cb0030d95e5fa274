// Sequence numbers and shard iterators. Both are opaque strings to clients; ours encode where
// they point. A sequence number is "49", the shard's ordinal in 12 digits and the record's
// offset in the shard's log in 20 digits: numbers grow within a shard, survive restarts and
// leader changes (offsets are replicated state), and name their shard, so a number from
// another shard is refused as AWS refuses it. An iterator names the stream incarnation, the
// shard, the offset and when it was issued (AWS: iterators expire after 5 minutes).
import { createHash } from 'node:crypto';
import { AwsError } from '../errors.js';

export const ITERATOR_TTL_MS = 5 * 60_000;

export function sequenceNumber(ordinal: number, offset: number): string {
  return `49${String(ordinal).padStart(12, '0')}${String(offset).padStart(20, '0')}`;
}

export interface SequencePosition {
  ordinal: number;
  offset: number;
}

/** The position a sequence number names, or undefined when it is not one of ours. */
export function parseSequenceNumber(s: string): SequencePosition | undefined {
  const m = /^49(\d{12})(\d{20})$/.exec(s);
  if (!m) return undefined;
  const offset = Number(m[2]);
  if (!Number.isSafeInteger(offset)) return undefined;
  return { ordinal: Number(m[1]), offset };
}

export interface IteratorState {
  /** The stream incarnation (its catalog id): an iterator dies with its stream. */
  streamId: number;
  stream: string;
  ordinal: number;
  offset: number;
  issuedAtMs: number;
}

function mac(body: string): string {
  return createHash('sha256').update(`stratus-kinesis-iterator:${body}`).digest('base64url').slice(0, 16);
}

export function encodeIterator(it: IteratorState): string {
  const body = `1|${it.streamId}|${it.ordinal}|${it.offset}|${it.issuedAtMs}|${it.stream}`;
  return Buffer.from(`${body}|${mac(body)}`).toString('base64');
}

/** AWS answers a malformed iterator with InvalidArgumentException and an old one with ExpiredIteratorException. */
export function decodeIterator(s: string, now: number): IteratorState {
  const text = Buffer.from(s, 'base64').toString('utf8');
  const cut = text.lastIndexOf('|');
  const body = text.slice(0, cut);
  const parts = body.split('|');
  if (cut < 0 || mac(body) !== text.slice(cut + 1) || parts.length < 6 || parts[0] !== '1') {
    throw new AwsError('InvalidArgumentException', 'Invalid ShardIterator.');
  }
  const it: IteratorState = {
    streamId: Number(parts[1]),
    ordinal: Number(parts[2]),
    offset: Number(parts[3]),
    issuedAtMs: Number(parts[4]),
    stream: parts.slice(5).join('|'),
  };
  if (now - it.issuedAtMs > ITERATOR_TTL_MS) {
    throw new AwsError('ExpiredIteratorException', `Iterator expired. The iterator was created at time ${amzUtc(it.issuedAtMs)} while right now it is ${amzUtc(now)} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`);
  }
  return it;
}

/** AWS writes times in its messages as Java's Date.toString in UTC: `Thu Jan 22 01:22:02 UTC 2015`. */
function amzUtc(ms: number): string {
  const m = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(new Date(ms).toUTCString());
  return m ? `${m[1]!} ${m[3]!} ${m[2]!} ${m[5]!} UTC ${m[4]!}` : new Date(ms).toUTCString();
}

/** Kinesis: the MD5 of the partition key, read as a 128-bit unsigned integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}
