// The engine's write thread. The binding writes batches synchronously, fsync included, on the
// calling thread; run on the main thread that would stall every network message and proposal
// for the length of each fsync. This worker writes through the same open database (shared by
// its native handle), so the main thread keeps serving while a group commit is being synced.
//
// Protocol: the main thread posts { id, batch: ArrayBuffer (encodeBatch), sync } in order; the
// worker answers { id, error? } in the same order.
import { parentPort, workerData } from 'node:worker_threads';
import { RocksLevel } from '@nxtedition/rocksdb';
import { decodeBatchInto } from './rocks-batch.js';

interface WriteRequest {
  id: number;
  batch: ArrayBuffer;
  sync: boolean;
}

const port = parentPort;
if (!port) throw new Error('rocks-writer must run in a worker thread');
const db = new RocksLevel((workerData as { handle: bigint }).handle, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
await db.open();
const batch = db._chainedBatch();
const sink = { put: (k: Buffer, v: Buffer) => batch._put(k, v), del: (k: Buffer) => batch._del(k) };
port.on('message', (req: WriteRequest) => {
  try {
    decodeBatchInto(new Uint8Array(req.batch), sink);
    batch._writeSync({ sync: req.sync });
    batch._clear();
    port.postMessage({ id: req.id });
  } catch (err) {
    batch._clear();
    port.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ ready: true });
