// The native StreamService (proto/stratus/v1/streams.proto): Kinesis over gRPC. Every unary RPC
// runs an action through the generic machinery of action-grpc.ts, the same `runAction` as the
// HTTP front: the Kinesis actions themselves, and four lease actions defined here that map onto
// the shard group's lease and checkpoint commands. SubscribeToShard is the one hand-written RPC:
// a push consumer of one shard.
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { services } from '../grpc/protos.js';
import { decodeResult, type ErrorResult } from '../../storage/partitions/envelope.js';
import { type ShardRecord } from '../../storage/partitions/meta-codec.js';
import { type CheckpointRecord, type LeaseRecord, decodeCheckpointResult } from '../../storage/partitions/stream-codec.js';
import { type AnyAction, actionMap, defineAction } from './action.js';
import { sleep } from '../sleep.js';
import { type ActionRunner, type GrpcFrontOptions, type GrpcService, actionRunner, actionService, decoded, drained, fromProtoValue, toProto } from './action-grpc.js';
import { AwsError, type ErrorCode } from './errors.js';
import { check, t } from './shapes.js';
import { KINESIS_ACTIONS } from './kinesis/actions/index.js';
import { type KinesisBackend, toAwsError } from './kinesis/backend.js';
import { resolveConsumer } from './kinesis/consumers.js';
import { parseSequenceNumber, sequenceNumber } from './kinesis/positions.js';
import { readShard, startOffset } from './kinesis/reading.js';
import { childShard, consumerArn, iteratorType, record, sequenceNumber as sequenceNumberShape, shardId, streamArn, streamName, timestamp } from './kinesis/shapes.js';

export type StreamServiceOptions = GrpcFrontOptions;

/** stratus.v1.StreamService as proto-loader builds it (the server's definition, a client's constructor). */
export function streamServiceClient(): grpc.ServiceClientConstructor {
  return services().streams;
}

/**
 * Kinesis codes the shared table (action-grpc.ts) does not know, as the gRPC codes a client
 * acts on: limits are exhaustion (retry later), an expired iterator or token is stale state
 * (ask for a new one), not a malformed request.
 */
const KINESIS_STATUS: Partial<Record<ErrorCode, grpc.status>> = {
  LimitExceededException: grpc.status.RESOURCE_EXHAUSTED,
  ProvisionedThroughputExceededException: grpc.status.RESOURCE_EXHAUSTED,
  ExpiredIteratorException: grpc.status.FAILED_PRECONDITION,
  ExpiredNextTokenException: grpc.status.FAILED_PRECONDITION,
  KMSAccessDeniedException: grpc.status.PERMISSION_DENIED,
};

/** Kinesis's names for the generic codes shared code raises (shape checks, crashes). */
const ERROR_ALIASES: Partial<Record<ErrorCode, ErrorCode>> = {
  InvalidParameterValue: 'ValidationException',
  MissingParameter: 'ValidationException',
  InternalFailure: 'InternalFailureException',
};

function remap<S extends Partial<grpc.StatusObject>>(s: S): S {
  const code = s.metadata?.get('aws-error-code')[0];
  const mapped = typeof code === 'string' ? KINESIS_STATUS[code as ErrorCode] : undefined;
  if (mapped !== undefined) s.code = mapped;
  return s;
}

// --- Leases and checkpoints ---

const leaseName = t.string({ min: 1, max: 256 });
const owner = t.string({ min: 1, max: 256 });
const shardRef = { StreamName: streamName, StreamARN: streamArn, ShardId: { ...shardId, required: true as const }, LeaseName: { ...leaseName, required: true as const } };
const shardLease = t.struct({ LeaseName: t.string(), Owner: t.string(), Token: t.integer(), ExpiresAtMs: t.integer(), RemainingMs: t.integer(), Held: t.boolean() });
const shardCheckpoint = t.struct({ LeaseName: t.string(), SequenceNumber: t.string(), ShardEnd: t.boolean(), UpdatedAtMs: t.integer() });

function leaseView(l: LeaseRecord, now = Date.now()) {
  const remaining = l.owner === '' ? 0 : Math.max(0, l.expiresAtMs - now);
  return { LeaseName: l.name, Owner: l.owner, Token: l.token, ExpiresAtMs: l.expiresAtMs, RemainingMs: remaining, Held: remaining > 0 };
}

/** end: where the shard ends when it is closed. */
function checkpointView(sh: ShardRecord, c: CheckpointRecord, end: number | undefined) {
  return {
    LeaseName: c.name,
    ...(c.offset > 0 ? { SequenceNumber: sequenceNumber(sh.ordinal, c.offset - 1) } : {}),
    ShardEnd: end !== undefined && c.offset >= end,
    UpdatedAtMs: c.updatedAtMs,
  };
}

/** A refused lease command as the API reports it; `reason` tells a lease held by another from one the caller lost. */
function leaseError(r: ErrorResult, reason: 'LeaseHeld' | 'LeaseLost'): AwsError {
  if (r.code === 'FailedPrecondition') return new AwsError('ResourceInUseException', r.message, { fields: { Reason: reason } });
  if (r.code === 'OutOfRange') return new AwsError('InvalidArgumentException', `The sequence number is beyond the shard's last record (${r.message}).`);
  return toAwsError(r);
}

/** A lease result's body; the release of a lease never taken answers null. */
function leaseOf(bytes: Uint8Array, reason: 'LeaseHeld' | 'LeaseLost'): LeaseRecord | undefined {
  const r = decodeResult(bytes);
  if (!r.ok) throw leaseError(r, reason);
  const v = JSON.parse(Buffer.from(r.body).toString('utf8')) as LeaseRecord | null;
  return v ?? undefined;
}

async function shardOf(k: KinesisBackend, input: { StreamName?: string | undefined; StreamARN?: string | undefined; ShardId: string }): Promise<ShardRecord> {
  return k.shard(await k.resolve(input), input.ShardId);
}

export const acquireShardLease = defineAction<KinesisBackend>()({
  name: 'AcquireShardLease',
  input: t.struct({ ...shardRef, Owner: { ...owner, required: true }, TtlMs: t.integer({ min: 100, max: 3_600_000, required: true }), Steal: t.boolean() }),
  output: t.struct({ Lease: shardLease }),
  async handler(i, _ctx, k) {
    const sh = await shardOf(k, i);
    const l = leaseOf(await k.command(sh.groupId, { type: 'acquireLease', name: i.LeaseName, owner: i.Owner, ttlMs: i.TtlMs, steal: i.Steal === true }), 'LeaseHeld');
    if (!l) throw new AwsError('InternalFailureException', 'the shard answered no lease');
    return { Lease: leaseView(l) };
  },
});

export const releaseShardLease = defineAction<KinesisBackend>()({
  name: 'ReleaseShardLease',
  input: t.struct({ ...shardRef, Owner: { ...owner, required: true }, Token: t.integer({ min: 0, required: true }) }),
  output: t.struct({ Lease: shardLease, Released: t.boolean() }),
  async handler(i, _ctx, k) {
    const sh = await shardOf(k, i);
    const l = leaseOf(await k.command(sh.groupId, { type: 'releaseLease', name: i.LeaseName, owner: i.Owner, token: i.Token }), 'LeaseLost') ?? { name: i.LeaseName, owner: '', token: 0, expiresAtMs: 0 };
    // The group answers the lease as it is: freed under the caller's token means this call (or an earlier one of it) released it.
    return { Lease: leaseView(l), Released: l.owner === '' && l.token === i.Token };
  },
});

export const checkpointShard = defineAction<KinesisBackend>()({
  name: 'CheckpointShard',
  input: t.struct({ ...shardRef, SequenceNumber: sequenceNumberShape, ShardEnd: t.boolean(), Owner: owner, Token: t.integer({ min: 0 }) }),
  output: t.struct({ Checkpoint: shardCheckpoint }),
  async handler(i, _ctx, k) {
    if ((i.SequenceNumber === undefined) === (i.ShardEnd !== true)) throw new AwsError('InvalidArgumentException', 'Give exactly one of SequenceNumber and ShardEnd.');
    if ((i.Owner === undefined) !== (i.Token === undefined)) throw new AwsError('InvalidArgumentException', 'Owner and Token go together.');
    const sh = await shardOf(k, i);
    const end = await k.ending(sh);
    let offset: number;
    if (i.SequenceNumber === undefined) {
      if (end === undefined) throw new AwsError('InvalidArgumentException', `Shard ${sh.shardId} is open: it has no end to checkpoint at.`);
      offset = end;
    } else {
      const pos = parseSequenceNumber(i.SequenceNumber);
      if (!pos || pos.ordinal !== sh.ordinal) throw new AwsError('InvalidArgumentException', `SequenceNumber ${i.SequenceNumber} is not a sequence number of shard ${sh.shardId}.`);
      offset = pos.offset + 1;
    }
    const fence = i.Owner !== undefined && i.Token !== undefined ? { owner: i.Owner, token: i.Token } : {};
    const r = decodeCheckpointResult(await k.command(sh.groupId, { type: 'checkpoint', name: i.LeaseName, offset, ...fence }));
    if (!r.ok) throw leaseError(r, 'LeaseLost');
    return { Checkpoint: checkpointView(sh, r.value, end) };
  },
});

export const describeShardLeases = defineAction<KinesisBackend>()({
  name: 'DescribeShardLeases',
  input: t.struct({ StreamName: streamName, StreamARN: streamArn, ShardId: { ...shardId, required: true }, LeaseName: leaseName }),
  output: t.struct({ ShardId: t.string(), Closed: t.boolean(), Leases: t.list(shardLease), Checkpoints: t.list(shardCheckpoint) }),
  async handler(i, _ctx, k) {
    const sh = await shardOf(k, i);
    const [st, end] = await Promise.all([k.state(sh), k.ending(sh)]);
    const mine = (name: string): boolean => i.LeaseName === undefined || name === i.LeaseName;
    const now = Date.now();
    return {
      ShardId: sh.shardId,
      Closed: st.closed || end !== undefined,
      Leases: st.leases.filter((l) => mine(l.name)).map((l) => leaseView(l, now)),
      Checkpoints: st.checkpoints.filter((c) => mine(c.name)).map((c) => checkpointView(sh, c, end)),
    };
  },
});

export const LEASE_ACTIONS: AnyAction<KinesisBackend>[] = [acquireShardLease, releaseShardLease, checkpointShard, describeShardLeases];

// --- SubscribeToShard ---

export const SUBSCRIBE_INPUT = t.struct({
  StreamName: streamName,
  StreamARN: streamArn,
  ConsumerARN: consumerArn,
  ShardId: { ...shardId, required: true },
  StartingPosition: { ...t.struct({ Type: { ...iteratorType, required: true }, SequenceNumber: sequenceNumberShape, Timestamp: timestamp }), required: true },
  Limit: t.integer({ min: 1, max: 10000 }),
});
export const SUBSCRIBE_EVENT = t.struct({ Records: t.list(record), ContinuationSequenceNumber: t.string(), MillisBehindLatest: t.integer(), ChildShards: t.list(childShard) });

/** An idle subscription polls its shard at most this far apart (a caught-up consumer waits at most this long for a new record). */
const MAX_IDLE_WAIT_MS = 200;
const MIN_IDLE_WAIT_MS = 10;
/** AWS sends an event at least this often; an empty one tells the consumer the stream is alive and where it stands. */
const HEARTBEAT_MS = 5000;
/** How often an idle subscription asks its shard whether it was closed, for a catalog this gateway may not have refreshed yet. */
const CLOSE_CHECK_MS = 1000;


interface Subscription {
  name: string;
  streamId: number;
  shardId: string;
  offset: number;
  limit: number;
}

/** Resolves the request to a stream, a shard and the offset to read from. */
async function open(k: KinesisBackend, request: unknown): Promise<Subscription> {
  const i = check(SUBSCRIBE_INPUT, fromProtoValue(SUBSCRIBE_INPUT, decoded(request, 'SubscribeToShard')));
  let name: string | undefined;
  if (i.ConsumerARN !== undefined) name = (await resolveConsumer(k, { ConsumerARN: i.ConsumerARN })).stream.name;
  if (i.StreamName !== undefined || i.StreamARN !== undefined) {
    const named = k.nameOf(i);
    if (name !== undefined && named !== name) throw new AwsError('InvalidArgumentException', 'ConsumerARN and the stream named refer to different streams.');
    name = named;
  }
  if (name === undefined) throw new AwsError('InvalidArgumentException', 'Either StreamName, StreamARN or ConsumerARN should be provided.');
  const s = await k.resolve({ StreamName: name });
  const sh = k.shard(s, i.ShardId);
  const p = i.StartingPosition;
  const offset = await startOffset(k, s, sh, { type: p.Type, sequenceNumber: p.SequenceNumber, timestamp: p.Timestamp });
  return { name, streamId: s.id, shardId: sh.shardId, offset, limit: i.Limit ?? 10000 };
}

/** Reads the shard and writes its events until the call is cancelled or a closed shard is read to its end. */
async function pump(k: KinesisBackend, call: grpc.ServerWritableStream<unknown, unknown>, sub: Subscription, signal: AbortSignal): Promise<void> {
  let offset = sub.offset;
  let wait = 0;
  let lastEvent = Date.now();
  let lastCloseCheck = Date.now();
  while (!signal.aborted) {
    // The catalog record each round: readShard learns from it whether the shard was closed.
    const s = await k.find(sub.name);
    if (!s || s.id !== sub.streamId) throw k.notFound(sub.name);
    const sh = k.shard(s, sub.shardId);
    const batch = await readShard(k, s, sh, offset, sub.limit);
    const now = Date.now();
    if (batch.records.length > 0 || batch.children !== undefined || now - lastEvent >= HEARTBEAT_MS) {
      offset = batch.nextOffset;
      const event = {
        Records: batch.records,
        ...(offset > 0 ? { ContinuationSequenceNumber: sequenceNumber(sh.ordinal, offset - 1) } : {}),
        MillisBehindLatest: batch.millisBehindLatest,
        ...(batch.children !== undefined ? { ChildShards: batch.children } : {}),
      };
      lastEvent = now;
      // Backpressure: the next read waits until the transport has taken this event.
      if (!call.write(toProto(SUBSCRIBE_EVENT, event))) await drained(call, signal);
      if (batch.children !== undefined) return;
    }
    if (batch.records.length > 0) {
      wait = 0;
      continue;
    }
    if (sh.closedAtMs === undefined && now - lastCloseCheck >= CLOSE_CHECK_MS) {
      lastCloseCheck = now;
      // Another gateway split or merged the shard: this one's catalog catches up on demand.
      if ((await k.state(sh)).closed) await k.placement.refresh();
    }
    wait = Math.min(MAX_IDLE_WAIT_MS, Math.max(MIN_IDLE_WAIT_MS, wait * 2));
    await sleep(wait, signal);
  }
}

export function streamService(k: KinesisBackend, o: StreamServiceOptions): GrpcService {
  const actions = actionMap([...KINESIS_ACTIONS, ...LEASE_ACTIONS]);
  const base = actionRunner({ name: 'StreamService', awsService: 'kinesis', actions, deps: k, errorAliases: ERROR_ALIASES }, o);
  const runner: ActionRunner<KinesisBackend> = {
    ...base,
    statusOf: (err, requestId, method) => remap(base.statusOf(err, requestId, method)),
    unary: (method, action) => {
      const handle = base.unary(method, action);
      return (call, cb) => handle(call, (err, value, trailer, flags) => cb(err ? remap(err) : err, value, trailer, flags));
    },
  };

  const subscribe = (call: grpc.ServerWritableStream<unknown, unknown>): void => {
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const requestId = randomUUID();
    (async () => pump(k, call, await open(k, call.request), abort.signal))().then(
      () => {
        if (!abort.signal.aborted) call.end();
      },
      (err: unknown) => {
        // grpc-js turns an 'error' event into the call's final status (code, details, metadata).
        if (abort.signal.aborted) return;
        const status = runner.statusOf(err, requestId, 'SubscribeToShard');
        call.emit('error', Object.assign(new Error(status.details), status));
      },
    );
  };

  return actionService(streamServiceClient().service, runner, actions, { SubscribeToShard: subscribe });
}
