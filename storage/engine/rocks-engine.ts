import { mkdir } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { type RocksBatchOp, type RocksIterator, RocksLevel } from '@nxtedition/rocksdb';
import { type Engine, type KvOp, type ScanOptions, EngineFormatError } from './engine.js';
import { FORMAT_KEY, FORMAT_VERSION, compareKeys } from './keys.js';
import { type PlainOp, encodeBatch } from './rocks-batch.js';

/** The write thread: batches go in order, answers come back in order. */
class WriteThread {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id?: number; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(`rocksdb write failed: ${m.error}`));
      else p?.resolve();
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => this.failAll(new Error(`rocksdb write thread exited (${code})`)));
  }

  static start(handle: bigint): Promise<WriteThread> {
    // The worker runs TypeScript through tsx like the main thread; loaders are per thread.
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./rocks-writer.ts', import.meta.url).href;
    const worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, {
      eval: true,
      workerData: { handle },
    });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => {
        worker.off('error', reject);
        resolve(new WriteThread(worker));
      });
    });
  }

  write(batch: Uint8Array, sync: boolean): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const ab = batch.buffer as ArrayBuffer;
      this.worker.postMessage({ id, batch: ab, sync }, [ab]);
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Pairs fetched per native call while scanning: amortises the N-API crossing. */
const SCAN_BATCH = 256;

function buf(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function encodeVersion(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/**
 * Engine over RocksDB. The binding has no range delete in batches, so a delRange becomes the
 * dels of every key it covers, found by a scan just before the batch is written. Writes are
 * serialised through one queue so no other write can slip a key into the range between that
 * scan and the batch: the batch stays atomic with respect to every write through this engine.
 */
export class RocksEngine implements Engine {
  readonly kind = 'rocksdb' as const;
  private writeTail: Promise<void> = Promise.resolve();

  private writer: WriteThread | undefined;

  private constructor(
    private readonly db: RocksLevel,
    readonly dir: string,
  ) {}

  /** Moves batch writes (and their fsyncs) to a worker thread; see rocks-writer.ts. */
  private async startWriter(): Promise<void> {
    this.writer = await WriteThread.start(this.db.handle);
  }

  /**
   * Opens (creating if needed) the engine in `dir`. A fresh directory is stamped with the
   * current format version; one with another version (or data but no version) is refused with
   * EngineFormatError, before anything is written to it.
   */
  static async open(dir: string): Promise<RocksEngine> {
    await mkdir(dir, { recursive: true });
    const db = new RocksLevel(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    const engine = new RocksEngine(db, dir);
    try {
      await engine.startWriter();
      await engine.checkFormat();
    } catch (err) {
      await engine.writer?.stop();
      await db.close();
      throw err;
    }
    return engine;
  }

  private async checkFormat(): Promise<void> {
    const found = await this.get(FORMAT_KEY);
    if (found === undefined) {
      const it = this.db.iterator({ limit: 1, values: false });
      const any = await it.nextv(1).finally(() => it.close());
      if (any.length > 0) {
        throw new EngineFormatError(
          `${this.dir}: holds data but no format version key (expected format version ${FORMAT_VERSION})`,
        );
      }
      await this.write([{ type: 'put', key: FORMAT_KEY, value: encodeVersion(FORMAT_VERSION) }], { sync: true });
      return;
    }
    const version = found.byteLength === 4 ? buf(found).readUInt32BE(0) : `<${found.byteLength}-byte value>`;
    if (version !== FORMAT_VERSION) {
      throw new EngineFormatError(
        `${this.dir}: on-disk format version ${version}, but this build reads format version ${FORMAT_VERSION}`,
      );
    }
  }

  write(ops: KvOp[], opts: { sync: boolean }): Promise<void> {
    const run = this.writeTail.then(() => this.writeNow(ops, opts.sync));
    this.writeTail = run.catch(() => undefined);
    return run;
  }

  private async writeNow(ops: KvOp[], sync: boolean): Promise<void> {
    const batch: RocksBatchOp[] = [];
    for (const op of ops) {
      if (op.type === 'put') batch.push({ type: 'put', key: buf(op.key), value: buf(op.value) });
      else if (op.type === 'del') batch.push({ type: 'del', key: buf(op.key) });
      else {
        // Keys put earlier in this same batch are not in the database yet but must go too.
        const before = batch.length;
        for (let i = 0; i < before; i++) {
          const prior = batch[i]!;
          if (prior.type === 'put' && compareKeys(prior.key, op.start) >= 0 && compareKeys(prior.key, op.end) < 0) {
            batch.push({ type: 'del', key: prior.key });
          }
        }
        if (compareKeys(op.start, op.end) >= 0) continue;
        const it = this.db.iterator({ gte: buf(op.start), lt: buf(op.end), values: false });
        try {
          for (;;) {
            const pairs = await it.nextv(SCAN_BATCH);
            if (pairs.length === 0) break;
            for (const [k] of pairs) batch.push({ type: 'del', key: k });
          }
        } finally {
          await it.close();
        }
      }
    }
    if (batch.length === 0 && !sync) return;
    // Only synced writes go to the write thread: an unsynced batch is a quick memtable insert,
    // cheaper inline than the hop. Order holds either way: writes run one at a time (writeTail).
    if (this.writer && sync) await this.writer.write(encodeBatch(batch as PlainOp[]), sync);
    else await this.db.batch(batch, { sync });
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const v = await this.db.get(buf(key));
      return v ?? undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  scan(opts: ScanOptions): AsyncIterable<[Uint8Array, Uint8Array]> {
    // Created here, not lazily in the generator: the iterator's view is fixed at creation,
    // and the contract is a view as of the scan() call.
    let it: RocksIterator | undefined;
    if (compareKeys(opts.gte, opts.lt) < 0 && opts.limit !== 0) {
      it = this.db.iterator({
        gte: buf(opts.gte),
        lt: buf(opts.lt),
        reverse: opts.reverse ?? false,
        limit: opts.limit ?? -1,
      });
    }
    return drain(it);
  }

  async close(): Promise<void> {
    await this.writeTail;
    await this.writer?.stop();
    this.writer = undefined;
    await this.db.close();
  }
}

async function* drain(it: RocksIterator | undefined): AsyncGenerator<[Uint8Array, Uint8Array]> {
  if (it === undefined) return;
  try {
    for (;;) {
      const pairs = await it.nextv(SCAN_BATCH);
      if (pairs.length === 0) return;
      yield* pairs;
    }
  } finally {
    await it.close();
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'LEVEL_NOT_FOUND';
}
