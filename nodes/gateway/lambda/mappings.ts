// Event source mappings as the catalog stores them: one `mapping` document per mapping, named by
// its UUID, written by compare-and-set like functions. The gateway's actions and the scheduler's
// pollers share this module: the document, its parser, the API view, and the reads and writes.
import { decodeDocListResult, encodeMetaQuery } from '../../../storage/partitions/meta-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { META_GROUP } from '../../cluster/placement.js';
import { AwsError } from '../errors.js';
import { type Infer, t } from '../shapes.js';
import { type FunctionCatalogClient, type Versioned } from './catalog.js';
import { destinationConfig } from './shapes.js';

export type MappingSource = 'sqs' | 'kinesis';

export interface MappingDoc {
  uuid: string;
  /** The function the mapping invokes, qualified when it was given with a version or alias. */
  functionArn: string;
  functionName: string;
  qualifier?: string;
  eventSourceArn: string;
  source: MappingSource;
  /** The settled state: Enabled or Disabled (the write actions answer the transitional one). */
  enabled: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** Kinesis: TRIM_HORIZON, LATEST or AT_TIMESTAMP. */
  startingPosition?: string;
  startingPositionTimestampMs?: number;
  parallelizationFactor: number;
  bisectBatchOnFunctionError: boolean;
  /** -1: retry until the record expires. */
  maximumRetryAttempts: number;
  /** -1: no age limit. */
  maximumRecordAgeInSeconds: number;
  onFailureDestination?: string;
  reportBatchItemFailures: boolean;
  /** FilterCriteria patterns as given (JSON text); a record passes if any matches, or if none is set. */
  filterPatterns: string[];
  /** SQS: the most concurrent invocations the mapping may run. */
  maximumConcurrency?: number;
  tumblingWindowInSeconds?: number;
  lastModifiedMs: number;
  lastProcessingResult: string;
  createdAtMs: number;
}

/** What a mapping shows until its poller reports a batch (AWS's wording). */
export const NO_RECORDS_PROCESSED = 'No records processed';

/** What the readers and writers here need: the catalog for documents, the cluster for listings with revisions. */
export interface MappingStore {
  readonly client: ClusterClient;
  readonly catalog: FunctionCatalogClient;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Documents come back from our own catalog; a malformed one means a bug or a newer format. */
export function asMappingDoc(v: unknown): MappingDoc {
  const bad = (why: string): Error => new Error(`function catalog: unreadable event source mapping document (${why})`);
  if (!isObject(v)) throw bad('not an object');
  for (const k of ['uuid', 'functionArn', 'functionName', 'eventSourceArn', 'lastProcessingResult'] as const) {
    if (typeof v[k] !== 'string') throw bad(k);
  }
  if (v.source !== 'sqs' && v.source !== 'kinesis') throw bad('source');
  for (const k of ['enabled', 'bisectBatchOnFunctionError', 'reportBatchItemFailures'] as const) {
    if (typeof v[k] !== 'boolean') throw bad(k);
  }
  const ints = ['batchSize', 'maximumBatchingWindowInSeconds', 'parallelizationFactor', 'maximumRetryAttempts', 'maximumRecordAgeInSeconds', 'lastModifiedMs', 'createdAtMs'] as const;
  for (const k of ints) if (!isInt(v[k])) throw bad(k);
  for (const k of ['qualifier', 'startingPosition', 'onFailureDestination'] as const) {
    if (v[k] !== undefined && typeof v[k] !== 'string') throw bad(k);
  }
  for (const k of ['startingPositionTimestampMs', 'maximumConcurrency', 'tumblingWindowInSeconds'] as const) {
    if (v[k] !== undefined && !isInt(v[k])) throw bad(k);
  }
  if (!Array.isArray(v.filterPatterns) || !v.filterPatterns.every((p) => typeof p === 'string')) throw bad('filterPatterns');
  return v as unknown as MappingDoc;
}

/** EventSourceMappingConfiguration, the output of every mapping action. */
export const mappingConfiguration = t.struct({
  UUID: t.string(),
  StartingPosition: t.string(),
  StartingPositionTimestamp: t.double({ timestamp: true }),
  BatchSize: t.integer(),
  MaximumBatchingWindowInSeconds: t.integer(),
  ParallelizationFactor: t.integer(),
  EventSourceArn: t.string(),
  FilterCriteria: t.struct({ Filters: t.list(t.struct({ Pattern: t.string() })) }),
  FunctionArn: t.string(),
  LastModified: t.double({ timestamp: true }),
  LastProcessingResult: t.string(),
  State: t.string(),
  StateTransitionReason: t.string(),
  DestinationConfig: destinationConfig,
  MaximumRecordAgeInSeconds: t.integer(),
  BisectBatchOnFunctionError: t.boolean(),
  MaximumRetryAttempts: t.integer(),
  TumblingWindowInSeconds: t.integer(),
  FunctionResponseTypes: t.list(t.string()),
  ScalingConfig: t.struct({ MaximumConcurrency: t.integer() }),
  EventSourceMappingArn: t.string(),
});
export type MappingConfiguration = Infer<typeof mappingConfiguration>;

export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

export function mappingArn(where: { region: string; accountId: string }, uuid: string): string {
  return `arn:aws:lambda:${where.region}:${where.accountId}:event-source-mapping:${uuid}`;
}

/**
 * The mapping as Lambda shows it. Members follow what AWS returns per source: an SQS mapping
 * leaves out the stream settings (and LastProcessingResult), a Kinesis one shows them all with
 * their defaults; the transition reason is worded differently by each (recorded AWS responses).
 */
export function mappingView(doc: MappingDoc, state: MappingState, where: { region: string; accountId: string }): MappingConfiguration {
  const out: MappingConfiguration = {
    UUID: doc.uuid,
    BatchSize: doc.batchSize,
    MaximumBatchingWindowInSeconds: doc.maximumBatchingWindowInSeconds,
    EventSourceArn: doc.eventSourceArn,
    FunctionArn: doc.functionArn,
    LastModified: doc.lastModifiedMs / 1000,
    State: state,
    StateTransitionReason: doc.source === 'sqs' ? 'USER_INITIATED' : 'User action',
    FunctionResponseTypes: doc.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
    EventSourceMappingArn: mappingArn(where, doc.uuid),
  };
  if (doc.filterPatterns.length > 0) out.FilterCriteria = { Filters: doc.filterPatterns.map((Pattern) => ({ Pattern })) };
  if (doc.source === 'sqs') {
    if (doc.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: doc.maximumConcurrency };
    return out;
  }
  if (doc.startingPosition !== undefined) out.StartingPosition = doc.startingPosition;
  if (doc.startingPositionTimestampMs !== undefined) out.StartingPositionTimestamp = doc.startingPositionTimestampMs / 1000;
  out.ParallelizationFactor = doc.parallelizationFactor;
  out.BisectBatchOnFunctionError = doc.bisectBatchOnFunctionError;
  out.MaximumRetryAttempts = doc.maximumRetryAttempts;
  out.MaximumRecordAgeInSeconds = doc.maximumRecordAgeInSeconds;
  out.TumblingWindowInSeconds = doc.tumblingWindowInSeconds ?? 0;
  out.DestinationConfig = { OnFailure: doc.onFailureDestination === undefined ? {} : { Destination: doc.onFailureDestination } };
  out.LastProcessingResult = doc.lastProcessingResult;
  return out;
}

/** The state a settled mapping shows in Get and List. */
export const settledState = (doc: MappingDoc): MappingState => (doc.enabled ? 'Enabled' : 'Disabled');

export function mappingNotFound(): AwsError {
  return new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.');
}

const LIST_CHUNK = 1000;

/** Mappings in UUID order after `after`, read in chunks, with their revisions. */
export async function* scanMappings(store: MappingStore, after?: string): AsyncGenerator<Versioned<MappingDoc>> {
  let cursor = after;
  for (;;) {
    const query = encodeMetaQuery({ type: 'listDocs', kind: 'mapping', ...(cursor === undefined ? {} : { after: cursor }), limit: LIST_CHUNK });
    const r = decodeDocListResult(await store.client.read(META_GROUP, query));
    if (!r.ok) throw new Error(`function catalog: ${r.message}`);
    for (const d of r.value) yield { rev: d.rev, doc: asMappingDoc(d.doc) };
    if (r.value.length < LIST_CHUNK) return;
    cursor = r.value[r.value.length - 1]!.name;
  }
}

/** Every mapping with its revision, in UUID order (what the scheduler's pollers start from). */
export async function listMappings(store: MappingStore): Promise<Versioned<MappingDoc>[]> {
  const out: Versioned<MappingDoc>[] = [];
  for await (const m of scanMappings(store)) out.push(m);
  return out;
}

/**
 * Records what the mapping's last poll did (AWS: "OK", "PROBLEM: …"). Writes only when the text
 * changes, so a poller reporting the same result on every batch costs a cached read, not a write.
 */
export async function setProcessingResult(store: MappingStore, uuid: string, result: string): Promise<void> {
  const cached = await store.catalog.get('mapping', uuid, asMappingDoc);
  if (!cached || cached.doc.lastProcessingResult === result) return;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.catalog.fresh('mapping', uuid, asMappingDoc);
    if (!current || current.doc.lastProcessingResult === result) return;
    const r = await store.catalog.put('mapping', uuid, current.rev, { ...current.doc, lastProcessingResult: result }, 0, null);
    if ('rev' in r || r.code === 'NotFound') return;
    if (r.code !== 'FailedPrecondition') throw new Error(`function catalog: ${r.message}`);
  }
}

/**
 * Read-modify-write of one mapping: `change` gets a copy of the stored document and returns the
 * next one, or null to delete it; a write that loses a race is retried on the new document.
 * Returns the document as it was and as it became.
 */
export async function changeMapping(
  store: MappingStore,
  uuid: string,
  change: (doc: MappingDoc) => Promise<MappingDoc | null> | MappingDoc | null,
): Promise<{ before: MappingDoc; after: MappingDoc | null }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.catalog.fresh('mapping', uuid, asMappingDoc);
    if (!current) throw mappingNotFound();
    const next = await change(structuredClone(current.doc));
    const r = await store.catalog.put('mapping', uuid, current.rev, next, 0, null);
    if ('rev' in r) return { before: current.doc, after: next };
    if (r.code !== 'FailedPrecondition' && r.code !== 'NotFound') throw new AwsError('InvalidParameterValueException', r.message);
  }
  // Lambda's answer to a mapping another request keeps changing under this one.
  throw new AwsError('ResourceInUseException', `Cannot update the event source mapping ${uuid}: it is being changed by another request. Try again.`);
}

/** Stores a new mapping; its UUID is fresh, so the only refusal left is the catalog's own. */
export async function createMappingDoc(store: MappingStore, doc: MappingDoc): Promise<void> {
  const r = await store.catalog.put('mapping', doc.uuid, 0, doc, 0, null);
  if (!('rev' in r)) throw new Error(`function catalog: ${r.message}`);
}
