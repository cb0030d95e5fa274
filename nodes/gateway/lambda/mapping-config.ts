// The rules of CreateEventSourceMapping and UpdateEventSourceMapping for SQS queues and Kinesis
// streams. Checks run in the order Lambda applies them: the model's constraints first (one
// ValidationException listing every violation), then the per-source rules, the function, the
// event source, and last the conflict with an existing mapping.
import { randomUUID } from 'node:crypto';
import { MAX_PATTERN_LENGTH, parseFilterCriteria } from '../../scheduler/event-filter.js';
import { type RequestContext } from '../action.js';
import { AwsError } from '../errors.js';
import { type Infer, t } from '../shapes.js';
import { type LambdaBackend, type QueueSource } from './backend.js';
import { type MappingDoc, type MappingSource, NO_RECORDS_PROCESSED, scanMappings } from './mappings.js';
import { asFunctionDoc } from './model.js';
import { type FunctionId } from './names.js';
import { destinationConfig } from './shapes.js';

const filterCriteria = t.struct({ Filters: t.list(t.struct({ Pattern: t.string() })) });

/** The members Create and Update share (UpdateEventSourceMappingRequest's body). */
const shared = {
  FunctionName: t.string(),
  Enabled: t.boolean(),
  BatchSize: t.integer(),
  FilterCriteria: filterCriteria,
  MaximumBatchingWindowInSeconds: t.integer(),
  ParallelizationFactor: t.integer(),
  DestinationConfig: destinationConfig,
  MaximumRecordAgeInSeconds: t.integer(),
  BisectBatchOnFunctionError: t.boolean(),
  MaximumRetryAttempts: t.integer(),
  TumblingWindowInSeconds: t.integer(),
  FunctionResponseTypes: t.list(t.string()),
  ScalingConfig: t.struct({ MaximumConcurrency: t.integer() }),
};
const sharedInput = t.struct(shared);
type SharedInput = Infer<typeof sharedInput>;

export const createMappingInput = t.struct({
  ...shared,
  EventSourceArn: t.string(),
  StartingPosition: t.string(),
  StartingPositionTimestamp: t.double({ timestamp: true }),
});
export type CreateMappingInput = Infer<typeof createMappingInput>;

export const uuidLabel = t.string({ required: true, location: 'uri', locationName: 'UUID' });
export const updateMappingInput = t.struct({ UUID: uuidLabel, ...shared });
export type UpdateMappingInput = Infer<typeof updateMappingInput>;

/** The model's Arn pattern (EventSourceArn). */
const ARN_PATTERN = /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const ARN_PATTERN_TEXT = 'arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const STARTING_POSITIONS = ['LATEST', 'AT_TIMESTAMP', 'TRIM_HORIZON'];
const RESPONSE_TYPES = ['ReportBatchItemFailures'];

/** Collects constraint violations in AWS's words; `raise` throws them as one ValidationException. */
class Violations {
  private readonly list: string[] = [];

  range(member: string, v: number | undefined, min: number, max: number): void {
    if (v === undefined) return;
    if (v < min) this.list.push(`Value '${v}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    else if (v > max) this.list.push(`Value '${v}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
  }

  add(text: string): void {
    this.list.push(text);
  }

  raise(): void {
    const n = this.list.length;
    if (n > 0) throw new AwsError('ValidationException', `${n} validation error${n > 1 ? 's' : ''} detected: ${this.list.join('; ')}`);
  }
}

function checkShared(v: Violations, input: SharedInput): void {
  if (input.FunctionName !== undefined && (input.FunctionName.length < 1 || input.FunctionName.length > 256)) {
    v.add(`Value '${input.FunctionName}' at 'functionName' failed to satisfy constraint: Member must have length ${input.FunctionName.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 256'}`);
  }
  v.range('batchSize', input.BatchSize, 1, 10_000);
  v.range('maximumBatchingWindowInSeconds', input.MaximumBatchingWindowInSeconds, 0, 300);
  v.range('parallelizationFactor', input.ParallelizationFactor, 1, 10);
  v.range('maximumRecordAgeInSeconds', input.MaximumRecordAgeInSeconds, -1, 604_800);
  v.range('maximumRetryAttempts', input.MaximumRetryAttempts, -1, 10_000);
  v.range('tumblingWindowInSeconds', input.TumblingWindowInSeconds, 0, 900);
  v.range('scalingConfig.maximumConcurrency', input.ScalingConfig?.MaximumConcurrency, 2, 1000);
  const types = input.FunctionResponseTypes;
  if (types !== undefined && types.length > 1) v.add(`Value '[${types.join(', ')}]' at 'functionResponseTypes' failed to satisfy constraint: Member must have length less than or equal to 1`);
  else if (types !== undefined && types.some((x) => !RESPONSE_TYPES.includes(x))) {
    v.add(`Value '[${types.join(', ')}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${RESPONSE_TYPES.join(', ')}]]`);
  }
  (input.FilterCriteria?.Filters ?? []).forEach((f, i) => {
    if (f.Pattern !== undefined && f.Pattern.length > MAX_PATTERN_LENGTH) {
      v.add(`Value '${f.Pattern.slice(0, 64)}...' at 'filterCriteria.filters.${i + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PATTERN_LENGTH}`);
    }
  });
  for (const which of ['onSuccess', 'onFailure'] as const) {
    const d = input.DestinationConfig?.[which === 'onSuccess' ? 'OnSuccess' : 'OnFailure']?.Destination;
    if (d !== undefined && d.length > 350) v.add(`Value '${d}' at 'destinationConfig.${which}.destination' failed to satisfy constraint: Member must have length less than or equal to 350`);
  }
}

const invalid = (message: string): AwsError => new AwsError('InvalidParameterValueException', message);
const unsupported = (param: string): AwsError => invalid(`Unsupported ${param} parameter for given event source mapping type.`);

/** SQS mappings take none of the stream settings; Lambda names the first one it meets. */
const STREAM_ONLY = ['ParallelizationFactor', 'MaximumRecordAgeInSeconds', 'BisectBatchOnFunctionError', 'MaximumRetryAttempts', 'TumblingWindowInSeconds', 'DestinationConfig'] as const;

function checkSourceParams(source: MappingSource, input: SharedInput): void {
  if (input.DestinationConfig?.OnSuccess !== undefined) throw unsupported('DestinationConfig');
  if (source === 'sqs') {
    const given = STREAM_ONLY.find((k) => input[k] !== undefined);
    if (given) throw unsupported(given);
  } else if (input.ScalingConfig !== undefined) {
    throw unsupported('ScalingConfig');
  }
  const age = input.MaximumRecordAgeInSeconds;
  // Inside the model's range but refused: the documented minimum is 60 s (or -1 for no limit).
  if (age !== undefined && age >= 0 && age < 60) throw invalid(`MaximumRecordAgeInSeconds must be -1 (no limit) or between 60 and 604800, got ${age}.`);
}

/** SQS: a batch above 10 messages needs a batching window (Lambda's own check and wording). */
function checkSqsBatch(batchSize: number, window: number): void {
  if (batchSize > 10 && window === 0) throw invalid('Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
}

/** The scheduler's matcher compiles the patterns; one it would refuse is refused here, with AWS's answer. */
function checkFilters(criteria: SharedInput['FilterCriteria'], source: MappingSource): string[] {
  return [...parseFilterCriteria(criteria, { source }).sources];
}

export function sourceOf(arn: string): MappingSource {
  const m = /^arn:aws[a-zA-Z0-9-]*:([a-zA-Z0-9-]+):[^:]*:[^:]*:(.*)$/.exec(arn);
  if (m?.[1] === 'sqs') return 'sqs';
  if (m?.[1] === 'kinesis' && m[2]!.startsWith('stream/')) return 'kinesis';
  throw invalid('Unrecognized event source.');
}

export interface ResolvedFunction {
  name: string;
  qualifier?: string;
  arn: string;
  /** The version's timeout, which an SQS queue's visibility timeout must cover. */
  timeout: number;
}

/** The function (and version or alias) a mapping invokes; Lambda refuses an unknown one as a bad parameter. */
async function resolveFunction(lambda: LambdaBackend, raw: string, ctx: Pick<RequestContext, 'accountId'>): Promise<ResolvedFunction> {
  const gone = invalid('Function does not exist');
  let id: FunctionId;
  try {
    id = lambda.id(raw, undefined, ctx);
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ResourceNotFoundException') throw gone;
    throw err;
  }
  const f = await lambda.catalog.get('function', id.name, asFunctionDoc);
  if (!f) throw gone;
  const q = id.qualifier;
  if (q !== undefined && q !== '$LATEST' && !f.doc.versions.some((v) => v.version === q) && !f.doc.aliases.some((a) => a.name === q)) throw gone;
  return { name: id.name, ...(q === undefined ? {} : { qualifier: q }), arn: lambda.arn(id.name, q), timeout: lambda.versionOf(f.doc, q).timeout };
}

/** The queue a new mapping reads must exist; AWS reports the failed poll it tried. */
async function existingQueue(lambda: LambdaBackend, arn: string): Promise<QueueSource> {
  const q = await lambda.eventSources.queue(arn);
  if (!q) {
    throw invalid('Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.');
  }
  return q;
}

async function checkStream(lambda: LambdaBackend, arn: string): Promise<void> {
  const stream = lambda.eventSources.stream;
  if (stream && !(await stream(arn))) throw invalid(`Stream not found: ${arn}`);
}

/** Rules that need the queue: FIFO queues take no batching window; messages must stay hidden while the function runs. */
function checkQueue(queue: QueueSource, window: number, fn: ResolvedFunction | undefined): void {
  if (queue.fifo && window > 0) throw invalid('Batching window is not supported for FIFO queues');
  if (fn && queue.visibilityTimeoutSeconds < fn.timeout) {
    throw invalid(`Queue visibility timeout: ${queue.visibilityTimeoutSeconds} seconds is less than Function timeout: ${fn.timeout} seconds`);
  }
}

/** Where a stream mapping's discarded batches go: Stratus delivers to its own SQS queues and SNS topics. */
async function checkOnFailure(lambda: LambdaBackend, arn: string): Promise<void> {
  if (/^arn:aws[a-z-]*:sqs:/.test(arn) && (await lambda.eventSources.queue(arn))) return;
  if (/^arn:aws[a-z-]*:sns:/.test(arn) && (await lambda.topicExists(arn))) return;
  throw invalid(`The destination ARN ${arn} is invalid: Stratus delivers discarded batches to existing SQS queues and SNS topics.`);
}

function conflict(doc: Pick<MappingDoc, 'source' | 'eventSourceArn' | 'functionName'>, uuid: string): AwsError {
  const tail = `already exists. Please update or delete the existing mapping with UUID ${uuid}`;
  return new AwsError(
    'ResourceConflictException',
    doc.source === 'sqs'
      ? `An event source mapping with SQS arn (" ${doc.eventSourceArn} ") and function (" ${doc.functionName} ") ${tail}`
      : `The event source arn (" ${doc.eventSourceArn} ") and function (" ${doc.functionName} ") provided mapping ${tail}`,
  );
}

/** One mapping per function (as qualified) and event source. */
async function checkNoConflict(lambda: LambdaBackend, doc: Pick<MappingDoc, 'source' | 'eventSourceArn' | 'functionName' | 'functionArn' | 'uuid'>): Promise<void> {
  for await (const m of scanMappings(lambda)) {
    if (m.doc.uuid !== doc.uuid && m.doc.functionArn === doc.functionArn && m.doc.eventSourceArn === doc.eventSourceArn) throw conflict(doc, m.doc.uuid);
  }
}

function checkStartingPosition(input: CreateMappingInput, source: MappingSource): number | undefined {
  const position = input.StartingPosition;
  const ts = input.StartingPositionTimestamp;
  if (source === 'sqs') {
    if (position !== undefined || ts !== undefined) throw invalid('StartingPosition is not valid for SQS event sources.');
    return undefined;
  }
  if (position === undefined) throw invalid("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
  if (ts !== undefined && position !== 'AT_TIMESTAMP') throw invalid('Timestamp only valid with StartingPosition AT_TIMESTAMP');
  if (position !== 'AT_TIMESTAMP') return undefined;
  if (ts === undefined) throw invalid('StartingPositionTimestamp is required when StartingPosition is AT_TIMESTAMP.');
  const ms = Math.round(ts * 1000);
  if (ms > Date.now()) throw invalid('StartingPositionTimestamp cannot be in the future.');
  return ms;
}

/** A new mapping from a CreateEventSourceMapping request, checked and ready to store. */
export async function buildMapping(lambda: LambdaBackend, input: CreateMappingInput, ctx: Pick<RequestContext, 'accountId'>): Promise<MappingDoc> {
  const v = new Violations();
  if (input.FunctionName === undefined) v.add("Value null at 'functionName' failed to satisfy constraint: Member must not be null");
  if (input.EventSourceArn !== undefined && !ARN_PATTERN.test(input.EventSourceArn)) {
    v.add(`Value '${input.EventSourceArn}' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN_PATTERN_TEXT}`);
  }
  if (input.StartingPosition !== undefined && !STARTING_POSITIONS.includes(input.StartingPosition)) {
    v.add(`Value '${input.StartingPosition}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [${STARTING_POSITIONS.join(', ')}]`);
  }
  checkShared(v, input);
  v.raise();
  if (input.DestinationConfig?.OnSuccess !== undefined) throw unsupported('DestinationConfig');
  if (input.EventSourceArn === undefined) throw invalid('Unrecognized event source.');
  const source = sourceOf(input.EventSourceArn);
  const timestampMs = checkStartingPosition(input, source);
  checkSourceParams(source, input);
  const batchSize = input.BatchSize ?? (source === 'sqs' ? 10 : 100);
  const window = input.MaximumBatchingWindowInSeconds ?? 0;
  if (source === 'sqs') checkSqsBatch(batchSize, window);
  const filterPatterns = checkFilters(input.FilterCriteria, source);
  const fn = await resolveFunction(lambda, input.FunctionName!, ctx);
  if (source === 'sqs') checkQueue(await existingQueue(lambda, input.EventSourceArn), window, fn);
  else await checkStream(lambda, input.EventSourceArn);
  const onFailure = input.DestinationConfig?.OnFailure?.Destination;
  if (onFailure) await checkOnFailure(lambda, onFailure);
  const now = Date.now();
  const doc: MappingDoc = {
    uuid: randomUUID(),
    functionArn: fn.arn,
    functionName: fn.name,
    ...(fn.qualifier === undefined ? {} : { qualifier: fn.qualifier }),
    eventSourceArn: input.EventSourceArn,
    source,
    enabled: input.Enabled ?? true,
    batchSize,
    maximumBatchingWindowInSeconds: window,
    parallelizationFactor: input.ParallelizationFactor ?? 1,
    bisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: input.MaximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? -1,
    reportBatchItemFailures: (input.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    filterPatterns,
    lastModifiedMs: now,
    lastProcessingResult: NO_RECORDS_PROCESSED,
    createdAtMs: now,
  };
  if (source === 'kinesis') {
    doc.startingPosition = input.StartingPosition!;
    if (timestampMs !== undefined) doc.startingPositionTimestampMs = timestampMs;
    doc.tumblingWindowInSeconds = input.TumblingWindowInSeconds ?? 0;
    if (onFailure) doc.onFailureDestination = onFailure;
  } else if (input.ScalingConfig?.MaximumConcurrency !== undefined) {
    doc.maximumConcurrency = input.ScalingConfig.MaximumConcurrency;
  }
  await checkNoConflict(lambda, doc);
  return doc;
}

/**
 * An UpdateEventSourceMapping request, checked against the stored mapping: the asynchronous
 * lookups run once, and `apply` merges the request into whichever revision the write meets.
 */
export async function planUpdate(lambda: LambdaBackend, current: MappingDoc, input: UpdateMappingInput, ctx: Pick<RequestContext, 'accountId'>): Promise<(doc: MappingDoc) => MappingDoc> {
  const v = new Violations();
  checkShared(v, input);
  v.raise();
  checkSourceParams(current.source, input);
  const filterPatterns = input.FilterCriteria === undefined ? undefined : checkFilters(input.FilterCriteria, current.source);
  const fn = input.FunctionName === undefined ? undefined : await resolveFunction(lambda, input.FunctionName, ctx);
  // A queue deleted since the mapping was made no longer constrains it; its poller reports the failure.
  const queue = current.source === 'sqs' ? await lambda.eventSources.queue(current.eventSourceArn) : undefined;
  const onFailure = input.DestinationConfig?.OnFailure;
  if (onFailure?.Destination) await checkOnFailure(lambda, onFailure.Destination);
  if (fn && fn.arn !== current.functionArn) await checkNoConflict(lambda, { ...current, functionArn: fn.arn, functionName: fn.name });
  return (doc) => {
    const next: MappingDoc = { ...doc, lastModifiedMs: Date.now() };
    if (fn) {
      next.functionArn = fn.arn;
      next.functionName = fn.name;
      if (fn.qualifier === undefined) delete next.qualifier;
      else next.qualifier = fn.qualifier;
    }
    if (input.Enabled !== undefined) next.enabled = input.Enabled;
    if (input.BatchSize !== undefined) next.batchSize = input.BatchSize;
    if (input.MaximumBatchingWindowInSeconds !== undefined) next.maximumBatchingWindowInSeconds = input.MaximumBatchingWindowInSeconds;
    if (input.ParallelizationFactor !== undefined) next.parallelizationFactor = input.ParallelizationFactor;
    if (input.BisectBatchOnFunctionError !== undefined) next.bisectBatchOnFunctionError = input.BisectBatchOnFunctionError;
    if (input.MaximumRetryAttempts !== undefined) next.maximumRetryAttempts = input.MaximumRetryAttempts;
    if (input.MaximumRecordAgeInSeconds !== undefined) next.maximumRecordAgeInSeconds = input.MaximumRecordAgeInSeconds;
    if (input.TumblingWindowInSeconds !== undefined) next.tumblingWindowInSeconds = input.TumblingWindowInSeconds;
    if (input.FunctionResponseTypes !== undefined) next.reportBatchItemFailures = input.FunctionResponseTypes.includes('ReportBatchItemFailures');
    if (filterPatterns !== undefined) next.filterPatterns = filterPatterns;
    if (onFailure !== undefined) {
      if (onFailure.Destination) next.onFailureDestination = onFailure.Destination;
      else delete next.onFailureDestination;
    }
    if (input.ScalingConfig !== undefined) {
      if (input.ScalingConfig.MaximumConcurrency === undefined) delete next.maximumConcurrency;
      else next.maximumConcurrency = input.ScalingConfig.MaximumConcurrency;
    }
    if (next.source === 'sqs') {
      checkSqsBatch(next.batchSize, next.maximumBatchingWindowInSeconds);
      if (queue) checkQueue(queue, next.maximumBatchingWindowInSeconds, fn);
    }
    return next;
  };
}
