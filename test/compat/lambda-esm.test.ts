// Lambda's event source mapping API through the AWS SDK v3 client against the embedded server:
// SQS and Kinesis sources, every validation Lambda applies, paging and filtering, and the
// catalog helpers the scheduler's pollers use.
import {
  CreateAliasCommand,
  type CreateEventSourceMappingCommandInput,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  PublishVersionCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { Placement } from '../../nodes/cluster/placement.js';
import { FunctionCatalogClient } from '../../nodes/gateway/lambda/catalog.js';
import { type MappingStore, asMappingDoc, listMappings, setProcessingResult } from '../../nodes/gateway/lambda/mappings.js';
import { ECHO } from './lambda-fixtures.js';
import { lambdaClient } from './lambda-suite.js';
import { ROOT, startEmbedded } from './targets.js';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const FN_ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/orders';

describe('Lambda event source mappings on the embedded server', () => {
  let t: Awaited<ReturnType<typeof startEmbedded>>;
  let lambda: LambdaClient;
  let sqs: SQSClient;
  let queue = '';
  let fifo = '';

  const queueArn = async (name: string, attributes: Record<string, string> = {}): Promise<string> => {
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
    return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  };
  const fn = (name: string, timeout = 3) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: ECHO }, Timeout: timeout }));
  const create = (input: Partial<CreateEventSourceMappingCommandInput>) => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'esm-fn', EventSourceArn: queue, ...input }));
  const refused = async (p: Promise<unknown>, name: string, message: string | RegExp): Promise<void> => {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
    );
    expect(err, `expected ${name}`).toBeDefined();
    expect(err!.name).toBe(name);
    if (typeof message === 'string') expect(err!.message).toBe(message);
    else expect(err!.message).toMatch(message);
  };

  beforeAll(async () => {
    t = await startEmbedded();
    lambda = lambdaClient(t.endpoint);
    sqs = t.client();
    await fn('esm-fn');
    await fn('esm-other');
    queue = await queueArn('esm-q');
    fifo = await queueArn('esm-q.fifo', { FifoQueue: 'true' });
  });
  afterAll(async () => {
    lambda?.destroy();
    sqs?.destroy();
    await t?.stop();
  });

  it('creates, reads, updates and deletes an SQS mapping with AWS defaults and states', async () => {
    const c = await create({});
    expect(c.$metadata.httpStatusCode).toBe(202);
    expect(c.UUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(c).toMatchObject({
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      EventSourceArn: queue,
      FunctionArn: FN_ARN('esm-fn'),
      FunctionResponseTypes: [],
      State: 'Creating',
      StateTransitionReason: 'USER_INITIATED',
      EventSourceMappingArn: `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${c.UUID}`,
    });
    expect(c.LastModified).toBeInstanceOf(Date);
    expect(Math.abs(c.LastModified!.getTime() - Date.now())).toBeLessThan(60_000);
    // AWS shows none of the stream settings on an SQS mapping.
    for (const k of ['ParallelizationFactor', 'StartingPosition', 'MaximumRetryAttempts', 'DestinationConfig', 'LastProcessingResult', 'FilterCriteria', 'ScalingConfig'] as const) expect(c[k]).toBeUndefined();

    const g = await lambda.send(new GetEventSourceMappingCommand({ UUID: c.UUID }));
    expect(g.$metadata.httpStatusCode).toBe(200);
    expect(g).toMatchObject({ UUID: c.UUID, State: 'Enabled', BatchSize: 10, FunctionArn: FN_ARN('esm-fn') });

    await refused(lambda.send(new UpdateEventSourceMappingCommand({ UUID: c.UUID, BatchSize: 100 })), 'InvalidParameterValueException', 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    const u = await lambda.send(
      new UpdateEventSourceMappingCommand({
        UUID: c.UUID,
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 5 },
        FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["a"]}}' }] },
      }),
    );
    expect(u.$metadata.httpStatusCode).toBe(202);
    expect(u).toMatchObject({
      State: 'Updating',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
      FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["a"]}}' }] },
    });
    expect(u.LastModified!.getTime()).toBeGreaterThanOrEqual(c.LastModified!.getTime());

    expect((await lambda.send(new UpdateEventSourceMappingCommand({ UUID: c.UUID, Enabled: false }))).State).toBe('Disabling');
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: c.UUID }))).State).toBe('Disabled');
    expect((await lambda.send(new UpdateEventSourceMappingCommand({ UUID: c.UUID, Enabled: true }))).State).toBe('Enabling');
    // An empty FilterCriteria clears the filters; AWS then leaves the member out.
    const cleared = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: c.UUID, FilterCriteria: {}, ScalingConfig: {} }));
    expect(cleared.FilterCriteria).toBeUndefined();
    expect(cleared.ScalingConfig).toBeUndefined();

    // Pointing the mapping at another function moves it there.
    const moved = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: c.UUID, FunctionName: 'esm-other' }));
    expect(moved.FunctionArn).toBe(FN_ARN('esm-other'));
    await refused(lambda.send(new UpdateEventSourceMappingCommand({ UUID: c.UUID, FunctionName: 'nope' })), 'InvalidParameterValueException', 'Function does not exist');

    const d = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: c.UUID }));
    expect(d.$metadata.httpStatusCode).toBe(202);
    expect(d).toMatchObject({ UUID: c.UUID, State: 'Deleting', FunctionArn: FN_ARN('esm-other') });
    await refused(lambda.send(new GetEventSourceMappingCommand({ UUID: c.UUID })), 'ResourceNotFoundException', 'The resource you requested does not exist.');
  });

  it('answers a mapping created disabled with its settled state', async () => {
    const c = await create({ FunctionName: 'esm-other', Enabled: false, BatchSize: 3 });
    expect(c.State).toBe('Disabled');
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: c.UUID }))).State).toBe('Disabled');
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: c.UUID }));
  });

  it('refuses a second mapping of the same function and queue, with AWS message', async () => {
    const c = await create({});
    try {
      const err = await create({}).then(
        () => undefined,
        (e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } },
      );
      expect(err?.name).toBe('ResourceConflictException');
      expect(err?.$metadata.httpStatusCode).toBe(409);
      expect(err?.message).toBe(
        `An event source mapping with SQS arn (" ${queue} ") and function (" esm-fn ") already exists. Please update or delete the existing mapping with UUID ${c.UUID}`,
      );
      // Another function may read the same queue; moving it onto the taken pair conflicts too.
      const other = await create({ FunctionName: 'esm-other' });
      await refused(lambda.send(new UpdateEventSourceMappingCommand({ UUID: other.UUID, FunctionName: 'esm-fn' })), 'ResourceConflictException', /already exists\. Please update or delete the existing mapping with UUID /);
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: other.UUID }));
    } finally {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: c.UUID }));
    }
  });

  it('validates values as Lambda does', async () => {
    const bad = (input: Partial<CreateEventSourceMappingCommandInput>, name: string, message: string | RegExp) => refused(create(input), name, message);
    await bad({ BatchSize: 0 }, 'ValidationException', "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await bad(
      { BatchSize: 10_001, MaximumBatchingWindowInSeconds: 301 },
      'ValidationException',
      "2 validation errors detected: Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000; Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 300",
    );
    await bad({ BatchSize: 11 }, 'InvalidParameterValueException', 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
    await bad({ ScalingConfig: { MaximumConcurrency: 1 } }, 'ValidationException', /at 'scalingConfig\.maximumConcurrency' failed to satisfy constraint: Member must have value greater than or equal to 2$/);
    await bad({ FunctionResponseTypes: ['Nope' as 'ReportBatchItemFailures'] }, 'ValidationException', /at 'functionResponseTypes' failed to satisfy constraint: .*enum value set: \[ReportBatchItemFailures\]/);
    await bad({ StartingPosition: 'LATEST' }, 'InvalidParameterValueException', 'StartingPosition is not valid for SQS event sources.');
    await bad({ StartingPosition: 'SOMETIME' as 'LATEST' }, 'ValidationException', "1 validation error detected: Value 'SOMETIME' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]");
    await bad({ ParallelizationFactor: 2 }, 'InvalidParameterValueException', 'Unsupported ParallelizationFactor parameter for given event source mapping type.');
    await bad({ MaximumRetryAttempts: 3 }, 'InvalidParameterValueException', 'Unsupported MaximumRetryAttempts parameter for given event source mapping type.');
    await bad({ DestinationConfig: { OnFailure: { Destination: fifo } } }, 'InvalidParameterValueException', 'Unsupported DestinationConfig parameter for given event source mapping type.');
    await bad({ DestinationConfig: { OnSuccess: { Destination: fifo } } }, 'InvalidParameterValueException', 'Unsupported DestinationConfig parameter for given event source mapping type.');
    await bad({ FilterCriteria: { Filters: [{ Pattern: 'not json' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await bad({ FilterCriteria: { Filters: [{ Pattern: '"a string"' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await bad({ FilterCriteria: { Filters: [{}] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await bad({ FilterCriteria: { Filters: Array.from({ length: 6 }, () => ({ Pattern: '{"body":{"a":[1]}}' })) } }, 'InvalidParameterValueException', /exceeds the quota of 5/);
    await bad({ FilterCriteria: { Filters: [{ Pattern: '{"body":{"a":[{"nosuch":1}]}}' }] } }, 'InvalidParameterValueException', 'Invalid filter pattern definition.');
    await bad({ FilterCriteria: { Filters: [{ Pattern: `{"a":"${'x'.repeat(4100)}"}` }] } }, 'ValidationException', /at 'filterCriteria\.filters\.1\.member\.pattern' failed to satisfy constraint: Member must have length less than or equal to 4096$/);
    await bad({ EventSourceArn: undefined }, 'InvalidParameterValueException', 'Unrecognized event source.');
    await bad({ EventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024' }, 'InvalidParameterValueException', 'Unrecognized event source.');
    await bad({ EventSourceArn: 'queue' }, 'ValidationException', /Value 'queue' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await bad({ FunctionName: 'missing-fn' }, 'InvalidParameterValueException', 'Function does not exist');
    await bad({ FunctionName: 'esm-fn:nope' }, 'InvalidParameterValueException', 'Function does not exist');
    await bad(
      { EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:missing-q' },
      'InvalidParameterValueException',
      'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.',
    );
    await bad({ EventSourceArn: fifo, BatchSize: 5, MaximumBatchingWindowInSeconds: 1 }, 'InvalidParameterValueException', 'Batching window is not supported for FIFO queues');
    await bad({ EventSourceArn: fifo, BatchSize: 11, MaximumBatchingWindowInSeconds: 1 }, 'InvalidParameterValueException', 'Batching window is not supported for FIFO queues');
    await fn('esm-slow', 60);
    await bad({ FunctionName: 'esm-slow' }, 'InvalidParameterValueException', 'Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds');
    expect((await lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings).toEqual([]);
  });

  it('accepts the SQS extremes: 10,000 messages with a window, a FIFO queue at 10', async () => {
    const big = await create({ BatchSize: 10_000, MaximumBatchingWindowInSeconds: 300, FilterCriteria: { Filters: Array.from({ length: 5 }, (_, i) => ({ Pattern: `{"body":{"n":[${i}]}}` })) } });
    expect(big).toMatchObject({ BatchSize: 10_000, MaximumBatchingWindowInSeconds: 300 });
    expect(big.FilterCriteria?.Filters).toHaveLength(5);
    const f = await create({ EventSourceArn: fifo, BatchSize: 10 });
    expect(f.BatchSize).toBe(10);
    for (const u of [big.UUID, f.UUID]) await lambda.send(new DeleteEventSourceMappingCommand({ UUID: u }));
  });

  it('maps versions and aliases by their qualified ARN', async () => {
    await lambda.send(new PublishVersionCommand({ FunctionName: 'esm-fn' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'esm-fn', Name: 'live', FunctionVersion: '1' }));
    const q2 = await queueArn('esm-q2');
    const live = await create({ FunctionName: `${FN_ARN('esm-fn')}:live`, EventSourceArn: q2 });
    expect(live.FunctionArn).toBe(`${FN_ARN('esm-fn')}:live`);
    const v1 = await create({ FunctionName: 'esm-fn:1', EventSourceArn: q2 });
    expect(v1.FunctionArn).toBe(`${FN_ARN('esm-fn')}:1`);
    const byAlias = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'esm-fn:live' }));
    expect(byAlias.EventSourceMappings?.map((m) => m.UUID)).toEqual([live.UUID]);
    const byName = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'esm-fn' }));
    expect(byName.EventSourceMappings?.map((m) => m.UUID).sort()).toEqual([live.UUID, v1.UUID].sort());
    for (const u of [live.UUID, v1.UUID]) await lambda.send(new DeleteEventSourceMappingCommand({ UUID: u }));
  });

  it('lists by function and by source, in pages', async () => {
    const queues = await Promise.all([0, 1, 2, 3, 4].map((i) => queueArn(`esm-page-${i}`)));
    const mine: string[] = [];
    for (const q of queues) mine.push((await create({ EventSourceArn: q })).UUID!);
    const theirs = (await create({ FunctionName: 'esm-other', EventSourceArn: queues[0] })).UUID!;
    try {
      const all = await lambda.send(new ListEventSourceMappingsCommand({}));
      expect(all.EventSourceMappings?.map((m) => m.UUID).sort()).toEqual([...mine, theirs].sort());
      expect(all.NextMarker).toBeUndefined();
      expect(all.EventSourceMappings?.every((m) => m.State === 'Enabled')).toBe(true);

      const seen: string[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const p = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'esm-fn', MaxItems: 2, ...(marker ? { Marker: marker } : {}) }));
        expect(p.EventSourceMappings!.length).toBeLessThanOrEqual(2);
        seen.push(...p.EventSourceMappings!.map((m) => m.UUID!));
        marker = p.NextMarker;
        pages++;
      } while (marker);
      expect(pages).toBe(3);
      expect(seen.sort()).toEqual([...mine].sort());

      const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queues[0] }));
      expect(bySource.EventSourceMappings?.map((m) => m.UUID).sort()).toEqual([mine[0], theirs].sort());
      const both = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queues[0], FunctionName: FN_ARN('esm-other') }));
      expect(both.EventSourceMappings?.map((m) => m.UUID)).toEqual([theirs]);
      expect((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'no-such-fn' }))).EventSourceMappings).toEqual([]);

      await refused(lambda.send(new ListEventSourceMappingsCommand({ MaxItems: 0 })), 'ValidationException', "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
      await refused(lambda.send(new ListEventSourceMappingsCommand({ Marker: 'garbage!' })), 'InvalidParameterValueException', 'Invalid pagination marker.');
    } finally {
      for (const u of [...mine, theirs]) await lambda.send(new DeleteEventSourceMappingCommand({ UUID: u }));
    }
  });

  it('answers an unknown UUID with ResourceNotFoundException on every action', async () => {
    const UUID = '00000000-0000-4000-8000-000000000000';
    const message = 'The resource you requested does not exist.';
    await refused(lambda.send(new GetEventSourceMappingCommand({ UUID })), 'ResourceNotFoundException', message);
    await refused(lambda.send(new UpdateEventSourceMappingCommand({ UUID, BatchSize: 5 })), 'ResourceNotFoundException', message);
    await refused(lambda.send(new DeleteEventSourceMappingCommand({ UUID })), 'ResourceNotFoundException', message);
  });

  it('creates Kinesis mappings with the stream defaults and checks', async () => {
    const kinesis = new KinesisClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttpHandler() });
    await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
    kinesis.destroy();
    await refused(create({ EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/missing', StartingPosition: 'LATEST' }), 'InvalidParameterValueException', /Stream not found/);
    const k = await create({ EventSourceArn: STREAM, StartingPosition: 'LATEST' });
    expect(k).toMatchObject({
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: false,
      MaximumRetryAttempts: -1,
      MaximumRecordAgeInSeconds: -1,
      TumblingWindowInSeconds: 0,
      StartingPosition: 'LATEST',
      DestinationConfig: { OnFailure: {} },
      FunctionResponseTypes: [],
      LastProcessingResult: 'No records processed',
      State: 'Creating',
      StateTransitionReason: 'User action',
    });
    await refused(create({ EventSourceArn: STREAM, StartingPosition: 'LATEST' }), 'ResourceConflictException', `The event source arn (" ${STREAM} ") and function (" esm-fn ") provided mapping already exists. Please update or delete the existing mapping with UUID ${k.UUID}`);
    const u = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: k.UUID, BatchSize: 500, ParallelizationFactor: 10, MaximumRetryAttempts: 10_000, MaximumRecordAgeInSeconds: 60, BisectBatchOnFunctionError: true, DestinationConfig: { OnFailure: { Destination: queue } } }),
    );
    expect(u).toMatchObject({ BatchSize: 500, ParallelizationFactor: 10, MaximumRetryAttempts: 10_000, MaximumRecordAgeInSeconds: 60, BisectBatchOnFunctionError: true, DestinationConfig: { OnFailure: { Destination: queue } } });
    await refused(lambda.send(new UpdateEventSourceMappingCommand({ UUID: k.UUID, ScalingConfig: { MaximumConcurrency: 5 } })), 'InvalidParameterValueException', 'Unsupported ScalingConfig parameter for given event source mapping type.');
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: k.UUID }));

    const at = new Date(Date.now() - 60_000);
    const ts = await create({ EventSourceArn: STREAM, StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: at });
    expect(ts.StartingPositionTimestamp?.getTime()).toBe(at.getTime());
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: ts.UUID }));

    const kbad = (input: Partial<CreateEventSourceMappingCommandInput>, name: string, message: string | RegExp) => refused(create({ EventSourceArn: STREAM, StartingPosition: 'TRIM_HORIZON', ...input }), name, message);
    await refused(create({ EventSourceArn: STREAM }), 'InvalidParameterValueException', "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    await kbad({ StartingPositionTimestamp: at }, 'InvalidParameterValueException', 'Timestamp only valid with StartingPosition AT_TIMESTAMP');
    await kbad({ StartingPosition: 'AT_TIMESTAMP' }, 'InvalidParameterValueException', /StartingPositionTimestamp/);
    await kbad({ ParallelizationFactor: 11 }, 'ValidationException', /Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10$/);
    await kbad({ MaximumRetryAttempts: -2 }, 'ValidationException', /Value '-2' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value greater than or equal to -1$/);
    await kbad({ MaximumRecordAgeInSeconds: 604_801 }, 'ValidationException', /at 'maximumRecordAgeInSeconds' failed to satisfy constraint: Member must have value less than or equal to 604800$/);
    await kbad({ MaximumRecordAgeInSeconds: 30 }, 'InvalidParameterValueException', /MaximumRecordAgeInSeconds/);
    await kbad({ TumblingWindowInSeconds: 901 }, 'ValidationException', /at 'tumblingWindowInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900$/);
    await kbad({ ScalingConfig: { MaximumConcurrency: 5 } }, 'InvalidParameterValueException', 'Unsupported ScalingConfig parameter for given event source mapping type.');
    await kbad({ DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:000000000000:topic' } } }, 'InvalidParameterValueException', /destination ARN/);
  });

  it('keeps a deleted function’s mappings, as Lambda does', async () => {
    await fn('esm-gone');
    const c = await create({ FunctionName: 'esm-gone' });
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'esm-gone' }));
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: c.UUID }))).FunctionArn).toBe(FN_ARN('esm-gone'));
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: c.UUID }));
  });

  it('gives the scheduler every mapping with its revision, and records processing results', async () => {
    const c = await create({ FunctionName: 'esm-other', EventSourceArn: fifo });
    const client = new ClusterClient({ seeds: [t.node.grpcAddress] });
    const placement = new Placement(client);
    const store: MappingStore = { client, catalog: new FunctionCatalogClient(client, placement, () => ({ codeStorageBytes: 1e12, accountConcurrency: 1000, minUnreserved: 100 })) };
    try {
      const [m] = (await listMappings(store)).filter((x) => x.doc.uuid === c.UUID);
      expect(m).toBeDefined();
      expect(m!.doc).toMatchObject({ source: 'sqs', functionName: 'esm-other', batchSize: 10, enabled: true, lastProcessingResult: 'No records processed', filterPatterns: [] });
      await setProcessingResult(store, c.UUID!, 'OK');
      const after = (await listMappings(store)).find((x) => x.doc.uuid === c.UUID)!;
      expect(after.doc.lastProcessingResult).toBe('OK');
      expect(after.rev).toBe(m!.rev + 1);
      // The same result again writes nothing.
      await setProcessingResult(store, c.UUID!, 'OK');
      expect((await listMappings(store)).find((x) => x.doc.uuid === c.UUID)!.rev).toBe(after.rev);
      // A result set by a poller does not move LastModified.
      expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: c.UUID }))).LastModified!.getTime()).toBe(c.LastModified!.getTime());
      await setProcessingResult(store, '00000000-0000-4000-8000-000000000000', 'OK');
    } finally {
      placement.stop();
      client.close();
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: c.UUID }));
    }
    expect(() => asMappingDoc({ uuid: 'x' })).toThrow(/unreadable event source mapping document/);
  });
});
