// A small promise-based client of stratus.v1.LogService for tests and tools.
import * as grpc from '@grpc/grpc-js';
import { CHANNEL_OPTIONS, services } from '../../nodes/grpc/protos.js';

export interface RecordOut {
  offset: number;
  key: Uint8Array;
  value: Uint8Array;
  timestampMs: number;
}

type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

export class LogClient {
  readonly raw: grpc.Client;

  constructor(address: string) {
    const Ctor = services().log;
    // Its own connections: in-process tests run the server's internal clients (same options,
    // same address) beside this one, and grpc-js would otherwise share one connection, with
    // the backoff state those clients left when a test stops and restarts the server.
    this.raw = new Ctor(address, grpc.credentials.createInsecure(), { ...CHANNEL_OPTIONS, 'grpc.use_local_subchannel_pool': 1 });
  }

  call<T>(method: string, req: object, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const f = (this.raw as unknown as Record<string, Unary>)[method]!.bind(this.raw);
      f(req, { deadline: new Date(Date.now() + timeoutMs) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
    });
  }

  createLog(name: string, partitions = 1, replicationFactor = 0, retentionMs = 0) {
    return this.call<{ log: { name: string; partitions: number; replicationFactor: number } }>('createLog', { name, partitions, replicationFactor, retentionMs });
  }

  append(name: string, values: (string | Uint8Array)[], opts: { partition?: number; key?: string; clientId?: string; sequence?: number; lowestUnacknowledged?: number; timeoutMs?: number } = {}) {
    const records = values.map((v, i) => ({ key: i === 0 && opts.key ? Buffer.from(opts.key) : Buffer.alloc(0), value: typeof v === 'string' ? Buffer.from(v) : v }));
    const req: Record<string, unknown> = { name, records };
    if (opts.partition !== undefined) req.partition = opts.partition;
    if (opts.clientId) Object.assign(req, { clientId: opts.clientId, sequence: opts.sequence, lowestUnacknowledged: opts.lowestUnacknowledged ?? 0 });
    return this.call<{ partition: number; firstOffset: number; lastOffset: number }>('append', req, opts.timeoutMs);
  }

  read(name: string, partition: number, fromOffset: number, maxRecords = 1000, stale = false) {
    return this.call<{ records: RecordOut[]; nextOffset: number; firstOffset: number; highWatermark: number }>('read', { name, partition, fromOffset, maxRecords, stale });
  }

  /** Reads a whole partition from fromOffset to its high watermark. */
  async readAll(name: string, partition: number, fromOffset = 0): Promise<RecordOut[]> {
    const out: RecordOut[] = [];
    let from = fromOffset;
    for (;;) {
      const r = await this.read(name, partition, from, 10_000);
      out.push(...r.records);
      if (r.records.length === 0 || r.nextOffset >= r.highWatermark) return out;
      from = r.nextOffset;
    }
  }

  tail(name: string, partition: number, fromOffset: number): grpc.ClientReadableStream<RecordOut> {
    return (this.raw as unknown as { tail(req: object): grpc.ClientReadableStream<RecordOut> }).tail({ name, partition, fromOffset });
  }

  close(): void {
    this.raw.close();
  }
}
