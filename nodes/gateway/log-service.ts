// The native LogService (proto/stratus/v1/log.proto): validates each request, maps a log
// name and partition to its Raft group through the placement map, and forwards to the group's
// leader through the cluster client. Errors leave as gRPC statuses with a readable message.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { type CommandPayload, type ErrorResult, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type AppendRecord,
  MAX_KEY_BYTES,
  MAX_RECORDS_PER_APPEND,
  MAX_RECORDS_PER_READ,
  MAX_VALUE_BYTES,
  decodeAppendResult,
  decodeReadResult,
  encodeLogCommand,
  encodeLogQuery,
} from '../../storage/partitions/log-codec.js';
import { type ClusterClient, UnavailableError } from '../cluster/client.js';
import { partitionForKey } from '../cluster/hash.js';
import { META_GROUP, type LogEntry, type Placement } from '../cluster/placement.js';
import { Sequencer } from '../cluster/sequencer.js';
import { services } from '../grpc/protos.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';

const MAX_READ_BYTES = 4 * 1024 * 1024;
const NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;

class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const invalid = (m: string): RpcError => new RpcError(grpc.status.INVALID_ARGUMENT, m);

function fromResult(r: ErrorResult): RpcError {
  switch (r.code) {
    case 'NotFound':
      return new RpcError(grpc.status.NOT_FOUND, r.message);
    case 'AlreadyExists':
      return new RpcError(grpc.status.ALREADY_EXISTS, r.message);
    case 'OutOfRange':
      return new RpcError(grpc.status.OUT_OF_RANGE, r.message);
    case 'FailedPrecondition':
      return new RpcError(grpc.status.FAILED_PRECONDITION, r.message);
    default:
      return invalid(r.message);
  }
}

function toStatus(err: unknown): Partial<grpc.StatusObject> {
  if (err instanceof RpcError) {
    const metadata = new grpc.Metadata();
    if (err.retryAfterMs !== undefined) metadata.set('retry-after-ms', String(err.retryAfterMs));
    return { code: err.code, details: err.message, metadata };
  }
  if (err instanceof UnavailableError) {
    const metadata = new grpc.Metadata();
    metadata.set('retry-after-ms', String(err.retryAfterMs));
    return { code: grpc.status.UNAVAILABLE, details: err.message, metadata };
  }
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' && 'details' in err) {
    return err as Partial<grpc.StatusObject>;
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

function str(req: Record<string, unknown>, k: string): string {
  const v = req[k];
  return typeof v === 'string' ? v : '';
}
function num(req: Record<string, unknown>, k: string): number {
  const v = req[k];
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : 0;
}

export { partitionForKey };

export function logInfo(l: LogEntry): Record<string, unknown> {
  return { name: l.name, partitions: l.partitions, replicationFactor: l.replicationFactor, retentionMs: l.retentionMs, createdAtMs: l.createdAtMs };
}

export function logService(client: ClusterClient, placement: Placement): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const sequencer = new Sequencer(`gw-${randomUUID()}`);
  /** Proposes through the gateway's own client session (exactly once across its retries). */
  const propose = (group: number, p: CommandPayload): Promise<Uint8Array> => sequencer.propose(p, (bytes) => client.propose(group, bytes));

  const logNamed = async (name: string): Promise<LogEntry> => {
    if (!NAME_RE.test(name)) throw invalid(`name: must be 1-128 characters of A-Z a-z 0-9 _ . -, got '${name}'`);
    const l = await placement.log(name);
    if (!l) throw new RpcError(grpc.status.NOT_FOUND, `log '${name}' does not exist`);
    return l;
  };
  const groupOf = (l: LogEntry, partition: number): number => {
    const g = l.groupIds[partition];
    if (g === undefined) throw new RpcError(grpc.status.NOT_FOUND, `log '${l.name}' has no partition ${partition} (it has ${l.partitions})`);
    return g;
  };

  const unary = (body: (req: Record<string, unknown>) => Promise<unknown>) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
    const req = (typeof call.request === 'object' && call.request !== null ? call.request : {}) as Record<string, unknown>;
    body(req).then((r) => cb(null, r), (err: unknown) => cb(toStatus(err)));
  };

  const createLog = unary((req) => withSpan(SpanName.LogCreate, { [Attr.LogName]: str(req, 'name') }, async () => {
    const name = str(req, 'name');
    if (!NAME_RE.test(name)) throw invalid(`name: must be 1-128 characters of A-Z a-z 0-9 _ . -, got '${name}'`);
    const partitions = num(req, 'partitions') || 1;
    if (partitions > 1024) throw invalid(`partitions: must be 1-1024, got ${partitions}`);
    const upNodes = (await placement.current()).upNodes;
    const rf = num(req, 'replicationFactor') || Math.min(3, Math.max(1, upNodes));
    if (rf > 5) throw invalid(`replication_factor: must be 1-5, got ${rf}`);
    const retentionMs = num(req, 'retentionMs');
    if (retentionMs < 0) throw invalid(`retention_ms: must be 0 (forever) or positive, got ${retentionMs}`);
    const r = await placement.createLog((p) => propose(META_GROUP, p), { name, partitions, replicationFactor: rf, retentionMs });
    if (!r.ok) throw fromResult(r);
    await placement.waitForLeaders(r.value.groupIds, encodeLogQuery({ type: 'info' }), 15_000);
    return { log: logInfo(r.value) };
  }));

  const deleteLog = unary((req) => withSpan(SpanName.LogDelete, { [Attr.LogName]: str(req, 'name') }, async () => {
    const name = str(req, 'name');
    await logNamed(name);
    const r = await placement.deleteLog((p) => propose(META_GROUP, p), name);
    if (!r.ok) throw fromResult(r);
    return {};
  }));

  const listLogs = unary(async () => ({ logs: (await placement.current(0)).logs.map(logInfo) }));

  const append = unary((req) => withSpan(SpanName.LogAppend, { [Attr.LogName]: str(req, 'name') }, async (span) => {
    const l = await logNamed(str(req, 'name'));
    const recordsRaw = req.records;
    if (!Array.isArray(recordsRaw) || recordsRaw.length === 0) throw invalid('records: at least one record is needed');
    if (recordsRaw.length > MAX_RECORDS_PER_APPEND) throw invalid(`records: at most ${MAX_RECORDS_PER_APPEND} per append, got ${recordsRaw.length}`);
    const records: AppendRecord[] = recordsRaw.map((r: unknown, i) => {
      const o = r as { key?: unknown; value?: unknown };
      const key = o.key instanceof Uint8Array ? o.key : new Uint8Array(0);
      const value = o.value instanceof Uint8Array ? o.value : new Uint8Array(0);
      if (key.byteLength > MAX_KEY_BYTES) throw invalid(`records[${i}].key: at most ${MAX_KEY_BYTES} bytes, got ${key.byteLength}`);
      if (value.byteLength > MAX_VALUE_BYTES) throw invalid(`records[${i}].value: at most ${MAX_VALUE_BYTES} bytes, got ${value.byteLength}`);
      return { key, value };
    });
    const partition = req.partition !== undefined && req._partition === 'partition' ? num(req, 'partition') : partitionForKey(records[0]!.key ?? new Uint8Array(0), l.partitions);
    const group = groupOf(l, partition);
    const callerId = str(req, 'clientId');
    const payload = encodeLogCommand({ type: 'append', records });
    let result: Uint8Array;
    if (callerId) {
      // The caller's own session: its sequence, and what it says it has been answered.
      const seq = num(req, 'sequence');
      if (seq < 1) throw invalid('sequence: must be a positive integer when client_id is set');
      if (Buffer.byteLength(callerId) > 64) throw invalid('client_id: at most 64 bytes');
      const lowestUnacked = num(req, 'lowestUnacknowledged');
      if (lowestUnacked > seq) throw invalid(`lowest_unacknowledged (${lowestUnacked}) must not exceed sequence (${seq})`);
      result = await client.propose(group, encodeCommand({ clientId: callerId, seq, lowestUnacked, timestampMs: Date.now(), op: payload.op, body: payload.body }));
    } else result = await propose(group, payload);
    const r = decodeAppendResult(result);
    if (!r.ok) throw fromResult(r);
    span.setAttributes({ [Attr.Partition]: partition, [Attr.Group]: group, [Attr.Records]: records.length });
    return { partition, firstOffset: r.value.firstOffset, lastOffset: r.value.lastOffset };
  }));

  const readPartition = async (req: Record<string, unknown>, stale: boolean) => {
    const l = await logNamed(str(req, 'name'));
    const partition = num(req, 'partition');
    const group = groupOf(l, partition);
    const maxRecords = num(req, 'maxRecords') || 100;
    if (maxRecords > MAX_RECORDS_PER_READ) throw invalid(`max_records: at most ${MAX_RECORDS_PER_READ}, got ${maxRecords}`);
    const maxBytes = Math.min(num(req, 'maxBytes') || MAX_READ_BYTES, MAX_READ_BYTES);
    const q = encodeLogQuery({ type: 'read', fromOffset: num(req, 'fromOffset'), maxRecords, maxBytes });
    const r = decodeReadResult(await client.read(group, q, { stale }));
    if (!r.ok) throw fromResult(r);
    return { group, result: r.value };
  };

  const read = unary((req) => withSpan(SpanName.LogRead, { [Attr.LogName]: str(req, 'name'), [Attr.Stale]: req.stale === true }, async () => {
    const { result } = await readPartition(req, req.stale === true);
    return {
      records: result.records.map((x) => ({ offset: x.offset, key: x.key, value: x.value, timestampMs: x.timestampMs })),
      nextOffset: result.nextOffset,
      firstOffset: result.firstOffset,
      highWatermark: result.highWatermark,
    };
  }));

  const tail = (call: grpc.ServerWritableStream<unknown, unknown>) => {
    const req = (call.request ?? {}) as Record<string, unknown>;
    let cancelled = false;
    call.on('cancelled', () => (cancelled = true));
    void (async () => {
      let from = num(req, 'fromOffset');
      const l = await logNamed(str(req, 'name'));
      const group = groupOf(l, num(req, 'partition'));
      while (!cancelled) {
        // The applied index is taken before the read, so a record committed after the read
        // raises the index past it and wakes the watch: no record is missed.
        const applied = await client.watch(group, 0, 0);
        const { result } = await readPartition({ ...req, fromOffset: from, maxRecords: 1000 }, false);
        for (const x of result.records) {
          if (cancelled) return;
          const ok = call.write({ offset: x.offset, key: x.key, value: x.value, timestampMs: x.timestampMs });
          if (!ok) await new Promise((r) => call.once('drain', r));
        }
        from = result.nextOffset;
        if (result.records.length === 0) await client.watch(group, applied, 5_000);
      }
    })().then(
      () => call.end(),
      (err: unknown) => {
        if (!cancelled) call.destroy(Object.assign(new Error(toStatus(err).details ?? 'error'), toStatus(err)));
      },
    );
  };

  return { definition: services().log.service, implementation: { createLog, deleteLog, listLogs, append, read, tail } };
}
