// The queue a dead-lettered message came from (SendItem.deadLetterSource): stored, returned,
// validated, and encoded so that send items and messages written before it still read.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DecodeError, Reader, Writer } from '../../storage/partitions/codec.js';
import { type Decoded, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type QueueCommand,
  type SendItem,
  QueueStateMachine,
  decodeDeadResult,
  decodeGetResult,
  decodeReceiveResult,
  decodeSendResult,
  encodeQueueCommand,
  encodeQueueQuery,
  readSendItem,
  writeSendItem,
} from '../../storage/partitions/queue.js';
import { Harness } from './memory-store.js';

const T0 = 1_700_000_000_000;
const RETENTION = 345_600_000;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function ok<T>(d: Decoded<T>): T {
  if (!d.ok) throw new Error(`${d.code}: ${d.message}`);
  return d.value;
}

function item(body: string, extra: Partial<SendItem> = {}): SendItem {
  const md5 = createHash('md5').update(body).digest('hex');
  return { id: `id-${body}`, body: new TextEncoder().encode(body), attributes: new Uint8Array([1, 2, 3]), md5OfBody: md5, md5OfAttributes: '', delayMs: 0, senderId: 'AIDTEST', ...extra };
}

class QueueHarness extends Harness<QueueStateMachine> {
  seq = 0;
  constructor() {
    super(new QueueStateMachine());
  }
  run(cmd: QueueCommand, now: number): Uint8Array {
    return this.apply(encodeCommand({ clientId: 'test', seq: ++this.seq, timestampMs: now, ...encodeQueueCommand(cmd) })).result;
  }
  send(now: number, ...items: SendItem[]) {
    return ok(decodeSendResult(this.run({ type: 'send', fifo: false, messages: items }, now))).messages;
  }
  receive(now: number, o: { vis?: number; maxReceiveCount?: number } = {}) {
    const cmd: QueueCommand = { type: 'receive', fifo: false, max: 10, visibilityTimeoutMs: o.vis ?? 30_000, maxReceiveCount: o.maxReceiveCount ?? 0, retentionMs: RETENTION };
    return ok(decodeReceiveResult(this.run(cmd, now)));
  }
  async dead() {
    return ok(decodeDeadResult(await this.read(encodeQueueQuery({ type: 'dead', max: 100 }))));
  }
}

describe('queue kind: dead-letter source', () => {
  it('keeps the queue a message was dead-lettered from, in get and dead results and across a reload', async () => {
    const h = new QueueHarness();
    h.send(T0, item('a', { deadLetterSource: 'orders-src' }), item('b'));
    const get = async () => ok(decodeGetResult(await h.read(encodeQueueQuery({ type: 'get', seqs: [1, 2] })))).map((m) => m.deadLetterSource);
    expect(await get()).toEqual(['orders-src', undefined]);
    h.receive(T0, { vis: 0 });
    expect(h.receive(T0 + 1, { maxReceiveCount: 1 }).deadLettered).toBe(2);
    expect((await h.dead()).map((d) => d.deadLetterSource)).toEqual(['orders-src', undefined]);
    await h.restart(new QueueStateMachine());
    expect(await get()).toEqual(['orders-src', undefined]);
  });

  it('refuses a source name that is empty or longer than a queue name', () => {
    const h = new QueueHarness();
    for (const bad of ['', 'q'.repeat(81)]) {
      expect(decodeSendResult(h.run({ type: 'send', fifo: false, messages: [item('x', { deadLetterSource: bad })] }, T0))).toMatchObject({ ok: false, code: 'InvalidArgument' });
    }
    expect(h.send(T0, item('x', { deadLetterSource: 'q'.repeat(80) }))).toHaveLength(1);
  });

  it('encodes the source behind the older optional fields, so items written before it still read', async () => {
    const enc = (v: string): Uint8Array => new TextEncoder().encode(v);
    const full = item('a', { traceHeader: 'Root=1', sentTimestamp: T0 - 5, deadLetterSource: 'src' });
    const { deadLetterSource: _dropped, ...older } = full;
    // The format as it was before the flag: everything up to the flags byte, and what follows it.
    const head = new Writer().bytes(enc(older.id)).bytes(older.body).bytes(older.attributes).bytes(enc(older.md5OfBody)).bytes(enc('')).u64(0).finish();
    const tail = new Writer().u8(0).bytes(enc(older.senderId)).bytes(enc('Root=1')).u64(T0 - 5).finish();
    const withFlags = (flags: number, extra: Uint8Array = new Uint8Array(0)): Uint8Array => new Writer().raw(head).u8(flags).raw(tail).raw(extra).finish();
    const old = withFlags(4 | 8);
    expect(hex(writeSendItem(new Writer(), older).finish())).toBe(hex(old));
    const encoded = writeSendItem(new Writer(), full).finish();
    expect(hex(encoded)).toBe(hex(withFlags(4 | 8 | 16, new Writer().bytes(enc('src')).finish())));
    for (const [bytes, expected] of [[old, older], [encoded, full]] as const) {
      const r = new Reader(bytes);
      expect(readSendItem(r)).toEqual(expected);
      r.end('send item');
    }
    // An unknown flag is refused rather than misread.
    expect(() => readSendItem(new Reader(withFlags(4 | 8 | 32)))).toThrow(DecodeError);

    // A message stored in the old format is served as before.
    const h = new QueueHarness();
    const record = new Writer().u8(1).u64(T0).raw(old).finish();
    h.store.write([{ type: 'put', key: new Writer().u8('m'.charCodeAt(0)).u64(7).finish(), value: record }]);
    const [m] = ok(decodeGetResult(await h.read(encodeQueueQuery({ type: 'get', seqs: [7] }))));
    expect(m).toMatchObject({ seq: 7, id: 'id-a', traceHeader: 'Root=1', sentTimestamp: T0 });
    expect(m && 'deadLetterSource' in m).toBe(false);
  });
});
