// One write batch as a single byte array, so it crosses to the write thread as one transferred
// buffer instead of a structured clone of every key and value:
//   repeated: u8 type (0 put, 1 del) | u32 keyLength | key | (put) u32 valueLength | value
export interface BatchSink {
  put(key: Buffer, value: Buffer): unknown;
  del(key: Buffer): unknown;
}

export type PlainOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

export function encodeBatch(ops: PlainOp[]): Uint8Array {
  let size = 0;
  for (const op of ops) size += 5 + op.key.byteLength + (op.type === 'put' ? 4 + op.value.byteLength : 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const op of ops) {
    view.setUint8(at, op.type === 'put' ? 0 : 1);
    view.setUint32(at + 1, op.key.byteLength);
    out.set(op.key, at + 5);
    at += 5 + op.key.byteLength;
    if (op.type === 'put') {
      view.setUint32(at, op.value.byteLength);
      out.set(op.value, at + 4);
      at += 4 + op.value.byteLength;
    }
  }
  return out;
}

export function decodeBatchInto(bytes: Uint8Array, sink: BatchSink): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let n = 0;
  while (at < bytes.byteLength) {
    const type = view.getUint8(at);
    const klen = view.getUint32(at + 1);
    const key = b.subarray(at + 5, at + 5 + klen);
    at += 5 + klen;
    if (type === 0) {
      const vlen = view.getUint32(at);
      sink.put(key, b.subarray(at + 4, at + 4 + vlen));
      at += 4 + vlen;
    } else if (type === 1) sink.del(key);
    else throw new Error(`rocks batch: unknown op type ${type} at byte ${at}`);
    n++;
  }
  return n;
}
