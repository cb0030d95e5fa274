// What every Lambda action needs: the function catalog, the code store, the master key for
// environments, the scheduler that runs invocations and the async-invoke queue. Stateless
// apart from caches, like the SQS backend.
import { type ClusterClient } from '../../cluster/client.js';
import { type Placement } from '../../cluster/placement.js';
import { type CodeStore } from '../../scheduler/code-store.js';
import { AsyncQueue } from '../../scheduler/async-events.js';
import { type FunctionLogs } from '../../scheduler/function-logs.js';
import { type FunctionRunner, type InvokeTarget, type ProvisionedView } from '../../scheduler/types.js';
import { type RequestContext } from '../action.js';
import { AwsError } from '../errors.js';
import { type SqsBackend } from '../sqs/backend.js';
import { FunctionCatalogClient, type Versioned } from './catalog.js';
import { type MasterKey } from './env-crypto.js';
import { type FunctionDoc, type LayerDoc, type VersionConfig, asFunctionDoc, asLayerDoc } from './model.js';
import { type FunctionId, functionArn, parseFunctionName } from './names.js';

export interface LambdaOptions {
  accountId: string;
  region: string;
  /** AWS: 1,000 concurrent executions per account by default. */
  accountConcurrency: number;
  /** AWS: reservations must leave at least 100 for functions without one. */
  minUnreserved: number;
  /** AWS: 75 GB of code per account and region. */
  codeStorageBytes: number;
}

/** An SQS queue an event source mapping reads: its type and how long a received message stays hidden. */
export interface QueueSource {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
}

/** Lookups of the resources event source mappings read from. */
export interface EventSources {
  queue(arn: string): Promise<QueueSource | undefined>;
  /**
   * Whether a Kinesis stream (or stream consumer) exists. The Kinesis service supplies it; while
   * it is absent, mappings accept any well-formed stream ARN.
   */
  stream?(arn: string): Promise<boolean>;
}

export const CODE_STORE = 'lambda-code';
const CODE_STORE_PARTITIONS = 4;

export class LambdaBackend {
  readonly catalog: FunctionCatalogClient;
  readonly asyncQueue: AsyncQueue;
  /** Replaceable, so a service that owns a kind of event source can plug its lookup in. */
  eventSources: EventSources;
  private codeGroups: number[] | undefined;
  private reservedCache: { at: number; value: number } | undefined;

  constructor(
    readonly client: ClusterClient,
    readonly placement: Placement,
    readonly sqs: SqsBackend,
    readonly masterKey: MasterKey,
    readonly scheduler: FunctionRunner,
    readonly logs: FunctionLogs,
    readonly code: CodeStore,
    readonly provisioner: ProvisionedView,
    readonly opts: LambdaOptions,
  ) {
    this.asyncQueue = new AsyncQueue(sqs);
    this.eventSources = { queue: (arn) => this.queueSource(arn) };
    this.catalog = new FunctionCatalogClient(client, placement, () => ({
      codeStorageBytes: opts.codeStorageBytes,
      accountConcurrency: opts.accountConcurrency,
      minUnreserved: opts.minUnreserved,
    }));
  }

  /** Whether a topic ARN names an existing topic of this account (destinations and dead-letter targets). */
  async topicExists(arn: string): Promise<boolean> {
    const m = /^arn:aws[a-z-]*:sns:[^:]+:(\d{12}):([A-Za-z0-9_.-]{1,256})$/.exec(arn);
    if (!m || m[1] !== this.opts.accountId) return false;
    return (await this.placement.current()).topics.some((t) => t.name === m[2]);
  }

  /** The code store's groups, created with the first function. */
  async storeGroups(): Promise<number[]> {
    if (this.codeGroups) return this.codeGroups;
    const known = (await this.placement.current()).stores.find((s) => s.name === CODE_STORE);
    const store = known ?? (await this.catalog.ensureStore(CODE_STORE, CODE_STORE_PARTITIONS));
    this.codeGroups = store.groupIds;
    return store.groupIds;
  }

  /** A queue of this account and region (SQS ARNs carry both; a queue elsewhere names nothing here). */
  private async queueSource(arn: string): Promise<QueueSource | undefined> {
    const m = /^arn:aws[a-z-]*:sqs:([^:]+):/.exec(arn);
    if (!m || m[1] !== this.opts.region) return undefined;
    const q = await this.sqs.byArn(arn);
    if (!q) return undefined;
    const visibility = Number(q.attributes.VisibilityTimeout ?? '30');
    return { fifo: q.fifo, visibilityTimeoutSeconds: Number.isFinite(visibility) ? visibility : 30 };
  }

  arn(name: string, qualifier?: string): string {
    return functionArn(this.opts.region, this.opts.accountId, name, qualifier);
  }

  id(raw: string, qualifier: string | undefined, ctx: Pick<RequestContext, 'accountId'>): FunctionId {
    return parseFunctionName(raw, qualifier, { region: this.opts.region, accountId: ctx.accountId });
  }

  async function(name: string, qualifier?: string): Promise<Versioned<FunctionDoc>> {
    const f = await this.catalog.get('function', name, asFunctionDoc);
    if (!f) throw new AwsError('ResourceNotFoundException', `Function not found: ${this.arn(name, qualifier)}`);
    return f;
  }

  async layer(name: string): Promise<Versioned<LayerDoc> | undefined> {
    return this.catalog.get('layer', name, asLayerDoc);
  }

  /** The configuration a qualifier names: $LATEST, a published version, or an alias's version. */
  versionOf(doc: FunctionDoc, qualifier: string | undefined): VersionConfig {
    if (qualifier === undefined || qualifier === '$LATEST') return doc.latest;
    const v = doc.versions.find((x) => x.version === qualifier);
    if (v) return v;
    const alias = doc.aliases.find((a) => a.name === qualifier);
    if (alias) return this.versionOf(doc, alias.functionVersion);
    throw new AwsError('ResourceNotFoundException', `Function not found: ${this.arn(doc.name, qualifier)}`);
  }

  /**
   * What an invocation runs. An alias with additional version weights routes each invocation by
   * `roll` (uniform in [0, 1)): the extra versions take their weights, the alias's version the rest.
   */
  resolve(f: Versioned<FunctionDoc>, qualifier: string | undefined, roll: number = Math.random()): InvokeTarget {
    const doc = f.doc;
    let version = qualifier ?? '$LATEST';
    const alias = doc.aliases.find((a) => a.name === qualifier);
    if (alias) {
      version = alias.functionVersion;
      let acc = 0;
      for (const [v, w] of Object.entries(alias.weights).sort(([a], [b]) => Number(a) - Number(b))) {
        acc += w;
        if (roll < acc) {
          version = v;
          break;
        }
      }
    }
    const config = this.versionOf(doc, version);
    return {
      functionName: doc.name,
      invokedArn: this.arn(doc.name, qualifier),
      version: config.version,
      config,
      layers: config.layers,
      env: config.environment === null ? {} : this.masterKey.open(config.environment),
      reserved: doc.reserved,
      rev: f.rev,
    };
  }

  /** The account's reserved concurrency in total, at most a second old. */
  async totalReserved(): Promise<number> {
    const now = Date.now();
    if (this.reservedCache && now - this.reservedCache.at < 1000) return this.reservedCache.value;
    const value = (await this.catalog.usage()).reservedConcurrency;
    this.reservedCache = { at: now, value };
    return value;
  }

  forgetReserved(): void {
    this.reservedCache = undefined;
  }
}
