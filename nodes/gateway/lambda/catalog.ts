// The gateway's view of the function catalog: reads documents from the meta group (cached while
// the catalog's version is unchanged), and writes them by compare-and-set, retrying a
// read-modify-write that raced with another gateway.
import { randomUUID } from 'node:crypto';
import { type ErrorResult } from '../../../storage/partitions/envelope.js';
import {
  type AccountUsage,
  type CatalogLimits,
  type DocKind,
  type StoreRecord,
  type StoredDoc,
  decodeDocListResult,
  decodeDocResult,
  decodeStoreResult,
  decodeUsageResult,
  encodeMetaCommand,
  encodeMetaQuery,
} from '../../../storage/partitions/meta-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { META_GROUP, type Placement } from '../../cluster/placement.js';
import { Sequencer } from '../../cluster/sequencer.js';
import { AwsError } from '../errors.js';

export interface Versioned<T> {
  rev: number;
  doc: T;
}

/** What a write must become when the stored document changed meanwhile and the retries ran out. */
const CONFLICT = 'The operation cannot be performed at this time. An update is in progress for resource: ';

export class FunctionCatalogClient {
  private readonly sequencer = new Sequencer(`lambda-gw-${randomUUID()}`);
  private readonly cache = new Map<string, Versioned<unknown> | null>();
  private cachedVersion = -1;

  constructor(
    private readonly client: ClusterClient,
    private readonly placement: Placement,
    private readonly limits: () => CatalogLimits,
  ) {
    placement.onChange(() => this.cache.clear());
  }

  /** A document, or undefined. Served from cache while the catalog version is unchanged. */
  async get<T>(kind: DocKind, name: string, parse: (v: unknown) => T, maxAgeMs = 1000): Promise<Versioned<T> | undefined> {
    const view = await this.placement.current(maxAgeMs);
    if (view.version !== this.cachedVersion) {
      this.cache.clear();
      this.cachedVersion = view.version;
    }
    const key = `${kind}/${name}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit === null ? undefined : { rev: hit.rev, doc: parse(hit.doc) };
    const r = decodeDocResult(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'getDoc', kind, name })));
    if (!r.ok) {
      if (r.code !== 'NotFound') throw new Error(`function catalog: ${r.message}`);
      this.cache.set(key, null);
      return undefined;
    }
    this.cache.set(key, { rev: r.value.rev, doc: r.value.doc });
    return { rev: r.value.rev, doc: parse(r.value.doc) };
  }

  /** Fresh read, bypassing the cache (before a compare-and-set). */
  async fresh<T>(kind: DocKind, name: string, parse: (v: unknown) => T): Promise<Versioned<T> | undefined> {
    this.cache.delete(`${kind}/${name}`);
    const r = decodeDocResult(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'getDoc', kind, name })));
    if (!r.ok) {
      if (r.code === 'NotFound') return undefined;
      throw new Error(`function catalog: ${r.message}`);
    }
    return { rev: r.value.rev, doc: parse(r.value.doc) };
  }

  async list<T>(kind: DocKind, after: string | undefined, limit: number, parse: (v: unknown) => T): Promise<T[]> {
    const r = decodeDocListResult(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'listDocs', kind, ...(after === undefined ? {} : { after }), limit })));
    if (!r.ok) throw new Error(`function catalog: ${r.message}`);
    return r.value.map((d) => parse(d.doc));
  }

  /** A page of documents with the names they are stored under, in name order after `after`. */
  async listNamed(kind: DocKind, after: string | undefined, limit: number): Promise<{ name: string; doc: unknown }[]> {
    const r = decodeDocListResult(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'listDocs', kind, ...(after === undefined ? {} : { after }), limit })));
    if (!r.ok) throw new Error(`function catalog: ${r.message}`);
    return r.value.map((d) => ({ name: d.name, doc: d.doc }));
  }

  async usage(): Promise<AccountUsage> {
    const r = decodeUsageResult(await this.client.read(META_GROUP, encodeMetaQuery({ type: 'getUsage' })));
    if (!r.ok) throw new Error(`function catalog: ${r.message}`);
    return r.value;
  }

  /** Writes a document if its revision is still expectRev (0: create); null deletes it. */
  async put(kind: DocKind, name: string, expectRev: number, doc: unknown, codeBytes: number, reserved: number | null): Promise<StoredDoc | ErrorResult> {
    const bytes = await this.sequencer.propose(encodeMetaCommand({ type: 'putDoc', kind, name, expectRev, doc, codeBytes, reserved, limits: this.limits() }), (b) =>
      this.client.propose(META_GROUP, b),
    );
    this.cache.delete(`${kind}/${name}`);
    const r = decodeDocResult(bytes);
    // This gateway's next request must see its own write (the cache keys on the catalog version).
    await this.placement.refresh();
    return r.ok ? r.value : r;
  }

  /**
   * Read-modify-write: `change` gets the current document and returns the next one (or throws an
   * AwsError); a write that loses a race is retried on the new document.
   */
  async update<T>(
    kind: DocKind,
    name: string,
    parse: (v: unknown) => T,
    change: (current: Versioned<T> | undefined) => { doc: T | null; codeBytes: number; reserved: number | null },
    arn: string,
  ): Promise<T | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.fresh(kind, name, parse);
      const next = change(current);
      const r = await this.put(kind, name, current?.rev ?? 0, next.doc, next.codeBytes, next.reserved);
      if ('rev' in r) return next.doc;
      if (r.code === 'FailedPrecondition' || (r.code === 'AlreadyExists' && current === undefined && attempt < 4)) continue;
      throw catalogError(r, kind, name, arn);
    }
    throw new AwsError('ResourceConflictException', CONFLICT + arn);
  }

  async ensureStore(name: string, partitions: number): Promise<StoreRecord> {
    const up = (await this.placement.refresh()).upNodes;
    const bytes = await this.sequencer.propose(encodeMetaCommand({ type: 'ensureStore', name, partitions, replicationFactor: Math.max(1, Math.min(3, up)) }), (b) =>
      this.client.propose(META_GROUP, b),
    );
    const r = decodeStoreResult(bytes);
    if (!r.ok) throw new Error(`store ${name}: ${r.message}`);
    await this.placement.refresh();
    return r.value;
  }
}

export function catalogError(r: ErrorResult, kind: DocKind, name: string, arn: string): AwsError {
  switch (r.code) {
    case 'AlreadyExists':
      return kind === 'function' ? new AwsError('ResourceConflictException', `Function already exist: ${name}`) : new AwsError('ResourceConflictException', r.message);
    case 'NotFound':
      return new AwsError('ResourceNotFoundException', kind === 'function' ? `Function not found: ${arn}` : `Layer not found: ${arn}`);
    case 'OutOfRange':
      return new AwsError('CodeStorageExceededException', 'Code storage limit exceeded.');
    case 'FailedPrecondition':
      return new AwsError('ResourceConflictException', CONFLICT + arn);
    default:
      return new AwsError('InvalidParameterValueException', r.message);
  }
}
