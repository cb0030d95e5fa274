// The native StreamService end to end on the embedded server: the unary RPCs (which run the
// Kinesis actions), SubscribeToShard, the lease RPCs, and errors as gRPC statuses with the AWS
// code in metadata.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionMap } from '../../nodes/gateway/action.js';
import { protoName } from '../../nodes/gateway/action-grpc.js';
import { KINESIS_ACTIONS } from '../../nodes/gateway/kinesis/actions/index.js';
import { LEASE_ACTIONS, SUBSCRIBE_EVENT, SUBSCRIBE_INPUT, streamServiceClient } from '../../nodes/gateway/stream-service.js';
import { startEmbedded } from '../compat/targets.js';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;
type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

interface RecordOut {
  sequenceNumber: string;
  data: Buffer;
  partitionKey: string;
  approximateArrivalTimestamp: number;
}
interface ChildShardOut {
  shardId: string;
  parentShards: string[];
}
interface EventOut {
  records: RecordOut[];
  continuationSequenceNumber?: string;
  millisBehindLatest: number;
  childShards: ChildShardOut[];
}
interface LeaseOut {
  leaseName: string;
  owner: string;
  token: number;
  remainingMs: number;
  held: boolean;
}
interface CheckpointOut {
  leaseName: string;
  sequenceNumber?: string;
  shardEnd: boolean;
}
interface ShardOut {
  shardId: string;
  parentShardId?: string;
  hashKeyRange: { startingHashKey: string; endingHashKey: string };
  sequenceNumberRange: { startingSequenceNumber: string; endingSequenceNumber?: string };
}

let target: Embedded | undefined;
let raw: grpc.Client;

beforeAll(async () => {
  target = await startEmbedded(['--kinesis-limits', 'off']);
  const Ctor = streamServiceClient();
  raw = new Ctor(target.node.grpcAddress, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
}, 60_000);

afterAll(async () => {
  raw?.close();
  await target?.stop();
});

function call<T>(method: string, req: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const f = (raw as unknown as Record<string, Unary | undefined>)[method];
    if (!f) throw new Error(`StreamService has no method ${method}`);
    f.call(raw, req, { deadline: new Date(Date.now() + 30_000) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
  });
}

function subscribe(req: object): grpc.ClientReadableStream<EventOut> {
  return (raw as unknown as { subscribeToShard(req: object): grpc.ClientReadableStream<EventOut> }).subscribeToShard(req);
}

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

const awsCode = (e: { metadata: grpc.Metadata }): unknown => e.metadata.get('aws-error-code')[0];

/** Events until `done` says enough, or the stream ends. */
function collect(stream: grpc.ClientReadableStream<EventOut>, done: (events: EventOut[]) => boolean): Promise<EventOut[]> {
  return new Promise((resolve, reject) => {
    const got: EventOut[] = [];
    const finish = (): void => {
      stream.off('data', onData);
      stream.off('error', reject);
      resolve(got);
    };
    const onData = (e: EventOut): void => {
      got.push(e);
      if (done(got)) finish();
    };
    stream.on('data', onData);
    stream.on('error', reject);
    stream.on('end', finish);
  });
}

/** Cancels a subscription whose end the test does not wait for (its CANCELLED status is expected). */
function cancel(stream: grpc.ClientReadableStream<EventOut>): void {
  stream.on('error', () => undefined);
  stream.cancel();
}

function ended(stream: grpc.ClientReadableStream<EventOut>): Promise<grpc.StatusObject> {
  return new Promise((resolve) => {
    stream.on('error', () => undefined);
    stream.once('status', resolve);
  });
}

const records = (events: EventOut[]): RecordOut[] => events.flatMap((e) => e.records);
const texts = (events: EventOut[]): string[] => records(events).map((r) => Buffer.from(r.data).toString());

async function put(stream: string, texts: string[], explicitHashKey?: string): Promise<{ sequenceNumber: string; shardId: string }[]> {
  const r = await call<{ failedRecordCount: number; records: { sequenceNumber: string; shardId: string }[] }>('putRecords', {
    streamName: stream,
    records: texts.map((x) => ({ data: Buffer.from(x), partitionKey: x, ...(explicitHashKey === undefined ? {} : { explicitHashKey }) })),
  });
  expect(r.failedRecordCount).toBe(0);
  return r.records;
}

function fieldNames(method: grpc.MethodDefinition<object, object>, which: 'requestType' | 'responseType'): string[] {
  const t = (method as unknown as Record<string, { type?: { field?: { name: string }[] } } | undefined>)[which];
  return (t?.type?.field ?? []).map((f) => f.name).sort();
}

describe('StreamService', () => {
  it('has one RPC per Kinesis and lease action, with the action members as fields', () => {
    const actions = actionMap([...KINESIS_ACTIONS, ...LEASE_ACTIONS]);
    const defs = streamServiceClient().service;
    const members = (names: string[]) => names.map(protoName).sort();
    for (const [method, def] of Object.entries(defs)) {
      if (method === 'SubscribeToShard') {
        expect(fieldNames(def, 'requestType')).toEqual(members(Object.keys(SUBSCRIBE_INPUT.members)));
        expect(fieldNames(def, 'responseType')).toEqual(members(Object.keys(SUBSCRIBE_EVENT.members)));
        continue;
      }
      const action = actions.get(method);
      expect(action, method).toBeDefined();
      expect(fieldNames(def, 'requestType'), method).toEqual(members(Object.keys(action!.input.members)));
      expect(fieldNames(def, 'responseType'), method).toEqual(members(Object.keys(action!.output.members)));
    }
    for (const name of actions.keys()) expect(Object.keys(defs), name).toContain(name);
  });

  it('creates a stream, puts records as bytes and reads them back', async () => {
    await call('createStream', { streamName: 'grpc-basic', shardCount: 2, tags: { team: 'core' } });
    const summary = await call<{ streamDescriptionSummary: { openShardCount: number; streamArn: string } }>('describeStreamSummary', { streamName: 'grpc-basic' });
    expect(summary.streamDescriptionSummary.openShardCount).toBe(2);
    const shards = (await call<{ shards: ShardOut[] }>('listShards', { streamArn: summary.streamDescriptionSummary.streamArn })).shards;
    expect(shards.map((s) => s.shardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);

    const binary = Buffer.from([0, 1, 2, 254, 255]);
    const one = await call<{ shardId: string; sequenceNumber: string }>('putRecord', { streamName: 'grpc-basic', data: binary, partitionKey: 'k', explicitHashKey: '0' });
    expect(one.shardId).toBe('shardId-000000000000');
    await put('grpc-basic', ['a', 'b', 'c'], '0');
    const { shardIterator } = await call<{ shardIterator: string }>('getShardIterator', { streamName: 'grpc-basic', shardId: one.shardId, shardIteratorType: 'TRIM_HORIZON' });
    const got = await call<{ records: RecordOut[]; nextShardIterator?: string; millisBehindLatest: number }>('getRecords', { shardIterator, limit: 10 });
    expect(got.records.map((r) => Buffer.from(r.data))).toEqual([binary, Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]);
    expect(got.records[0]!.sequenceNumber).toBe(one.sequenceNumber);
    expect(got.records[0]!.partitionKey).toBe('k');
    expect(got.nextShardIterator).toEqual(expect.any(String));
    expect(await call('listTagsForStream', { streamName: 'grpc-basic' })).toEqual({ tags: [{ key: 'team', value: 'core' }], hasMoreTags: false });
  });

  it('pushes records to a subscriber as they arrive, and stops when it cancels', async () => {
    await call('createStream', { streamName: 'grpc-sub', shardCount: 1 });
    await put('grpc-sub', ['r0', 'r1']);
    const stream = subscribe({ streamName: 'grpc-sub', shardId: 'shardId-000000000000', startingPosition: { type: 'TRIM_HORIZON' }, limit: 2 });
    const first = await collect(stream, (ev) => records(ev).length >= 2);
    expect(texts(first)).toEqual(['r0', 'r1']);
    const cont = first[first.length - 1]!.continuationSequenceNumber!;
    expect(cont).toBe(records(first)[1]!.sequenceNumber);

    const later = collect(stream, (ev) => records(ev).length >= 5);
    await put('grpc-sub', ['r2', 'r3', 'r4']);
    await put('grpc-sub', ['r5', 'r6']);
    const next = await later;
    expect(texts(next)).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
    // limit caps each event.
    expect(next.every((e) => e.records.length <= 2)).toBe(true);

    const status = ended(stream);
    stream.cancel();
    expect((await status).code).toBe(grpc.status.CANCELLED);

    // Resuming after the continuation sequence number picks up exactly where the first left off.
    const again = subscribe({ streamName: 'grpc-sub', shardId: 'shardId-000000000000', startingPosition: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: cont } });
    expect(texts(await collect(again, (ev) => records(ev).length >= 5))).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
    cancel(again);
    // LATEST: nothing that was there before. When the server takes its position is not
    // observable, so records go in until one arrives; whatever arrives is new.
    const latest = subscribe({ streamName: 'grpc-sub', shardId: 'shardId-000000000000', startingPosition: { type: 'LATEST' } });
    let arrived = false;
    const fresh = collect(latest, (ev) => records(ev).length >= 1).finally(() => (arrived = true));
    for (let n = 0; !arrived && n < 100; n++) {
      await put('grpc-sub', [`late${n}`]);
      await Promise.race([fresh, new Promise((r) => setTimeout(r, 100))]);
    }
    const late = texts(await fresh);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((x) => x.startsWith('late'))).toBe(true);
    cancel(latest);
  });

  it('ends a closed shard with its children once every record has been sent', async () => {
    await call('createStream', { streamName: 'grpc-split', shardCount: 1 });
    await put('grpc-split', ['p0', 'p1', 'p2']);
    const stream = subscribe({ streamName: 'grpc-split', shardId: 'shardId-000000000000', startingPosition: { type: 'TRIM_HORIZON' } });
    const status = ended(stream);
    const all = collect(stream, () => false);
    await call('splitShard', { streamName: 'grpc-split', shardToSplit: 'shardId-000000000000', newStartingHashKey: (1n << 127n).toString() });
    const events = await all;
    expect(texts(events)).toEqual(['p0', 'p1', 'p2']);
    const last = events[events.length - 1]!;
    expect(last.childShards.map((c) => c.shardId).sort()).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(last.childShards[0]!.parentShards).toEqual(['shardId-000000000000']);
    expect((await status).code).toBe(grpc.status.OK);
    // A new subscription of the closed shard, already read to its end, ends at once.
    const shut = subscribe({ streamName: 'grpc-split', shardId: 'shardId-000000000000', startingPosition: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: records(events)[2]!.sequenceNumber } });
    const tail = await collect(shut, () => false);
    expect(tail.flatMap((e) => e.records)).toEqual([]);
    expect(tail[tail.length - 1]!.childShards).toHaveLength(2);
  });

  it('grants, renews, refuses, steals and releases leases, and fences checkpoints by token', async () => {
    await call('createStream', { streamName: 'grpc-lease', shardCount: 1 });
    const [r0, r1] = await put('grpc-lease', ['x0', 'x1', 'x2']);
    const ref = { streamName: 'grpc-lease', shardId: 'shardId-000000000000', leaseName: 'app' };
    const a = (await call<{ lease: LeaseOut }>('acquireShardLease', { ...ref, owner: 'w1', ttlMs: 10_000 })).lease;
    expect(a).toMatchObject({ leaseName: 'app', owner: 'w1', token: 1, held: true });
    expect(a.remainingMs).toBeGreaterThan(9000);
    // A renewal keeps the token.
    expect((await call<{ lease: LeaseOut }>('acquireShardLease', { ...ref, owner: 'w1', ttlMs: 10_000 })).lease.token).toBe(1);
    const held = await failure(call('acquireShardLease', { ...ref, owner: 'w2', ttlMs: 10_000 }));
    expect([held.code, awsCode(held), held.metadata.get('aws-error-reason')[0]]).toEqual([grpc.status.FAILED_PRECONDITION, 'ResourceInUseException', 'LeaseHeld']);

    const cp = (await call<{ checkpoint: CheckpointOut }>('checkpointShard', { ...ref, sequenceNumber: r0!.sequenceNumber, owner: 'w1', token: 1 })).checkpoint;
    expect(cp).toMatchObject({ leaseName: 'app', sequenceNumber: r0!.sequenceNumber, shardEnd: false });

    const stolen = (await call<{ lease: LeaseOut }>('acquireShardLease', { ...ref, owner: 'w2', ttlMs: 10_000, steal: true })).lease;
    expect(stolen).toMatchObject({ owner: 'w2', token: 2 });
    const lost = await failure(call('checkpointShard', { ...ref, sequenceNumber: r1!.sequenceNumber, owner: 'w1', token: 1 }));
    expect([lost.code, awsCode(lost), lost.metadata.get('aws-error-reason')[0]]).toEqual([grpc.status.FAILED_PRECONDITION, 'ResourceInUseException', 'LeaseLost']);
    // w1's renewal is refused too: it learns it lost the lease.
    expect((await failure(call('acquireShardLease', { ...ref, owner: 'w1', ttlMs: 10_000 }))).code).toBe(grpc.status.FAILED_PRECONDITION);

    const state = await call<{ shardId: string; closed: boolean; leases: LeaseOut[]; checkpoints: CheckpointOut[] }>('describeShardLeases', { streamName: 'grpc-lease', shardId: 'shardId-000000000000' });
    expect(state).toMatchObject({ shardId: 'shardId-000000000000', closed: false });
    expect(state.leases).toEqual([expect.objectContaining({ leaseName: 'app', owner: 'w2', token: 2, held: true })]);
    expect(state.checkpoints).toEqual([expect.objectContaining({ leaseName: 'app', sequenceNumber: r0!.sequenceNumber })]);

    // A stale release changes nothing; the holder's frees the lease.
    expect((await call<{ released: boolean; lease: LeaseOut }>('releaseShardLease', { ...ref, owner: 'w1', token: 1 })).released).toBe(false);
    const freed = await call<{ released: boolean; lease: LeaseOut }>('releaseShardLease', { ...ref, owner: 'w2', token: 2 });
    expect(freed).toMatchObject({ released: true, lease: { owner: '', held: false, token: 2 } });
    // Taken again after a release: a new token.
    expect((await call<{ lease: LeaseOut }>('acquireShardLease', { ...ref, owner: 'w1', ttlMs: 200 })).lease.token).toBe(3);
    // A lease never taken releases as nothing.
    expect(await call('releaseShardLease', { ...ref, leaseName: 'other', owner: 'w1', token: 1 })).toMatchObject({ released: false, lease: { owner: '', token: 0 } });

    // Unconditional checkpoints need no lease; shard_end needs a closed shard.
    expect((await call<{ checkpoint: CheckpointOut }>('checkpointShard', { ...ref, leaseName: 'tool', sequenceNumber: r1!.sequenceNumber })).checkpoint.sequenceNumber).toBe(r1!.sequenceNumber);
    const open = await failure(call('checkpointShard', { ...ref, shardEnd: true }));
    expect([open.code, awsCode(open)]).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidArgumentException']);
    const foreign = await failure(call('checkpointShard', { ...ref, sequenceNumber: '49000000000009000000000000000000' }));
    expect(foreign.code).toBe(grpc.status.INVALID_ARGUMENT);
    const halfFence = await failure(call('checkpointShard', { ...ref, sequenceNumber: r0!.sequenceNumber, owner: 'w1' }));
    expect(halfFence.code).toBe(grpc.status.INVALID_ARGUMENT);

    // Finishing a closed shard: checkpoint at its end.
    await call('splitShard', { streamName: 'grpc-lease', shardToSplit: 'shardId-000000000000', newStartingHashKey: '1000' });
    const end = (await call<{ checkpoint: CheckpointOut }>('checkpointShard', { ...ref, shardEnd: true })).checkpoint;
    expect(end.shardEnd).toBe(true);
    const after = await call<{ closed: boolean; checkpoints: CheckpointOut[] }>('describeShardLeases', { ...ref });
    expect(after.closed).toBe(true);
    expect(after.checkpoints).toEqual([expect.objectContaining({ leaseName: 'app', shardEnd: true })]);
  });

  it('maps Kinesis errors to gRPC statuses with the code in metadata', async () => {
    const missing = await failure(call('describeStream', { streamName: 'no-such-stream' }));
    expect([missing.code, awsCode(missing)]).toEqual([grpc.status.NOT_FOUND, 'ResourceNotFoundException']);
    expect(missing.details).toMatch(/^ResourceNotFoundException: Stream no-such-stream under account \d+ not found\.$/);
    const noName = await failure(call('createStream', { shardCount: 1 }));
    expect([noName.code, awsCode(noName)]).toEqual([grpc.status.INVALID_ARGUMENT, 'ValidationException']);
    const badLimit = await failure(call('listShards', { streamName: 'grpc-basic', maxResults: 0 }));
    expect([badLimit.code, awsCode(badLimit)]).toEqual([grpc.status.INVALID_ARGUMENT, 'ValidationException']);
    const tooMany = await failure(call('createStream', { streamName: 'too-many', shardCount: 100_000 }));
    expect([tooMany.code, awsCode(tooMany)]).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'LimitExceededException']);
    const iterator = await failure(call('getRecords', { shardIterator: 'bm90LWFuLWl0ZXJhdG9y' }));
    expect([iterator.code, awsCode(iterator)]).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidArgumentException']);
    const noShard = await failure(call('acquireShardLease', { streamName: 'grpc-basic', shardId: 'shardId-000000000099', leaseName: 'app', owner: 'w', ttlMs: 1000 }));
    expect([noShard.code, awsCode(noShard)]).toEqual([grpc.status.NOT_FOUND, 'ResourceNotFoundException']);

    const gone = await ended(subscribe({ streamName: 'no-such-stream', shardId: 'shardId-000000000000', startingPosition: { type: 'LATEST' } }));
    expect([gone.code, awsCode(gone)]).toEqual([grpc.status.NOT_FOUND, 'ResourceNotFoundException']);
    const noPosition = await ended(subscribe({ streamName: 'grpc-basic', shardId: 'shardId-000000000000' }));
    expect([noPosition.code, awsCode(noPosition)]).toEqual([grpc.status.INVALID_ARGUMENT, 'ValidationException']);
    const atNothing = await ended(subscribe({ streamName: 'grpc-basic', shardId: 'shardId-000000000000', startingPosition: { type: 'AT_SEQUENCE_NUMBER' } }));
    expect([atNothing.code, awsCode(atNothing)]).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidArgumentException']);
  });
});
