// Functions, layers and internal stores in the meta group (see meta-function-codec.ts for why
// documents are opaque here). Totals for the account quotas are kept in memory and rebuilt by
// load(), so apply can check a write against every other document without a scan.
import { prefixEnd, utf8 } from './codec.js';
import { errorResult, okResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';
import { DOC_KINDS, type DocKind, type FunctionCatalogCommand, type FunctionCatalogQuery, type StoreRecord, type StoredDoc, toStoreRecord, toStoredDoc } from './meta-function-codec.js';
import { type GroupAllocator } from './meta-queues.js';

/** Lambda function names: 1–64 of letters, digits, hyphens and underscores (layer names alike). */
export const FUNCTION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const LAYER_NAME_PATTERN = /^[A-Za-z0-9_-]{1,140}$/;
/** Event source mapping UUIDs (the gateway generates them). */
const MAPPING_NAME_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STORE_NAME_PATTERN = /^[a-z0-9-]{1,64}$/;
export const MAX_LIST_DOCS = 10_000;
export const MAX_STORE_PARTITIONS = 64;

/** API Gateway's documents: ids the gateway generates, deployments as `<apiId>.<deploymentId>`. */
const API_DOC_NAME_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const PREFIX: Record<DocKind, string> = { function: 'F/', layer: 'Y/', mapping: 'E/', api: 'G/', apideploy: 'D/', apikey: 'H/', usageplan: 'U/', apimisc: 'J/' };
const NAME_PATTERN: Record<DocKind, RegExp> = {
  function: FUNCTION_NAME_PATTERN,
  layer: LAYER_NAME_PATTERN,
  mapping: MAPPING_NAME_PATTERN,
  api: API_DOC_NAME_PATTERN,
  apideploy: API_DOC_NAME_PATTERN,
  apikey: API_DOC_NAME_PATTERN,
  usageplan: API_DOC_NAME_PATTERN,
  apimisc: API_DOC_NAME_PATTERN,
};
const emptyDocs = (): Record<DocKind, Map<string, StoredDoc>> => Object.fromEntries(DOC_KINDS.map((k) => [k, new Map<string, StoredDoc>()])) as Record<DocKind, Map<string, StoredDoc>>;
const STORE_PREFIX = 'S/';

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const parse = (b: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(b)) as unknown;

async function scanValues(store: PartitionStore, prefix: string): Promise<Uint8Array[]> {
  const gte = utf8(prefix);
  const out: Uint8Array[] = [];
  for await (const [, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) out.push(v);
  return out;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class FunctionCatalog {
  private docs = emptyDocs();
  private stores = new Map<string, StoreRecord>();
  private codeBytes = 0;
  private reserved = 0;

  async load(store: PartitionStore): Promise<void> {
    const docs = emptyDocs();
    let codeBytes = 0;
    let reserved = 0;
    for (const kind of DOC_KINDS) {
      for (const v of await scanValues(store, PREFIX[kind])) {
        const d = toStoredDoc(parse(v));
        docs[kind].set(d.name, d);
        codeBytes += d.codeBytes;
        reserved += d.reserved ?? 0;
      }
    }
    const stores = new Map<string, StoreRecord>();
    for (const v of await scanValues(store, STORE_PREFIX)) {
      const s = toStoreRecord(parse(v));
      stores.set(s.name, s);
    }
    this.docs = docs;
    this.stores = stores;
    this.codeBytes = codeBytes;
    this.reserved = reserved;
  }

  sortedStores(): StoreRecord[] {
    return [...this.stores.values()].sort(byName);
  }

  apply(cmd: FunctionCatalogCommand, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    if (cmd.type === 'ensureStore') return this.ensureStore(cmd, now, ctx, groups);
    const pattern = NAME_PATTERN[cmd.kind];
    if (!pattern.test(cmd.name)) return errorResult('InvalidArgument', `invalid ${cmd.kind} name ${JSON.stringify(cmd.name)}`);
    if (!Number.isSafeInteger(cmd.codeBytes) || cmd.codeBytes < 0) return errorResult('InvalidArgument', 'codeBytes must be a non-negative integer');
    if (cmd.reserved !== null && (!Number.isSafeInteger(cmd.reserved) || cmd.reserved < 0)) return errorResult('InvalidArgument', 'reserved must be a non-negative integer');
    const table = this.docs[cmd.kind];
    const current = table.get(cmd.name);
    if (cmd.expectRev === 0 && current !== undefined) return errorResult('AlreadyExists', `${cmd.kind} ${cmd.name} already exists`);
    if (cmd.expectRev !== 0 && current === undefined) return errorResult('NotFound', `${cmd.kind} ${cmd.name} does not exist`);
    if (current !== undefined && current.rev !== cmd.expectRev) {
      return errorResult('FailedPrecondition', `${cmd.kind} ${cmd.name} changed concurrently (revision ${current.rev}, expected ${cmd.expectRev})`);
    }
    const key = utf8(PREFIX[cmd.kind] + cmd.name);
    const oldBytes = current?.codeBytes ?? 0;
    const oldReserved = current?.reserved ?? 0;
    if (cmd.doc === null) {
      table.delete(cmd.name);
      this.codeBytes -= oldBytes;
      this.reserved -= oldReserved;
      ctx.ops.push({ type: 'del', key });
      // The catalog's version moves with every document: gateways cache documents per version.
      groups.touch(ctx);
      return okResult(json(current));
    }
    const codeBytes = this.codeBytes - oldBytes + cmd.codeBytes;
    // Quotas bind growth only: a document that shrinks or stays is never refused.
    if (cmd.codeBytes > oldBytes && codeBytes > cmd.limits.codeStorageBytes) {
      return errorResult('OutOfRange', `Code storage limit exceeded: ${codeBytes} bytes would exceed the account's ${cmd.limits.codeStorageBytes}.`);
    }
    const reserved = cmd.kind === 'function' ? (cmd.reserved ?? 0) : 0;
    const reservedTotal = this.reserved - oldReserved + reserved;
    if (reserved > oldReserved && cmd.limits.accountConcurrency - reservedTotal < cmd.limits.minUnreserved) {
      return errorResult(
        'InvalidArgument',
        `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${cmd.limits.minUnreserved}].`,
      );
    }
    const next: StoredDoc = { name: cmd.name, rev: (current?.rev ?? 0) + 1, codeBytes: cmd.codeBytes, reserved: cmd.kind === 'function' ? cmd.reserved : null, doc: cmd.doc };
    table.set(cmd.name, next);
    this.codeBytes = codeBytes;
    this.reserved = reservedTotal;
    ctx.ops.push({ type: 'put', key, value: json(next) });
    groups.touch(ctx);
    return okResult(json(next));
  }

  /** Creates an internal store's groups once; later calls return the same record. */
  private ensureStore(cmd: Extract<FunctionCatalogCommand, { type: 'ensureStore' }>, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const existing = this.stores.get(cmd.name);
    if (existing) return okResult(json(existing));
    if (!STORE_NAME_PATTERN.test(cmd.name)) return errorResult('InvalidArgument', `invalid store name ${JSON.stringify(cmd.name)}`);
    if (!Number.isInteger(cmd.partitions) || cmd.partitions < 1 || cmd.partitions > MAX_STORE_PARTITIONS) {
      return errorResult('InvalidArgument', `partitions must be 1-${MAX_STORE_PARTITIONS}, got ${cmd.partitions}`);
    }
    let groupIds: number[];
    try {
      groupIds = groups.allocate('blob', cmd.name, cmd.partitions, cmd.replicationFactor, ctx.ops);
    } catch (e) {
      return errorResult('InvalidArgument', e instanceof Error ? e.message : String(e));
    }
    const s: StoreRecord = { name: cmd.name, kind: 'blob', groupIds, createdAtMs: now };
    this.stores.set(s.name, s);
    ctx.ops.push({ type: 'put', key: utf8(STORE_PREFIX + s.name), value: json(s) });
    groups.touch(ctx);
    return okResult(json(s));
  }

  read(q: FunctionCatalogQuery): Uint8Array {
    switch (q.type) {
      case 'getDoc': {
        const d = this.docs[q.kind].get(q.name);
        return d === undefined ? errorResult('NotFound', `${q.kind} ${q.name} does not exist`) : okResult(json(d));
      }
      case 'listDocs': {
        const limit = Math.max(1, Math.min(MAX_LIST_DOCS, q.limit));
        const after = q.after;
        const names = [...this.docs[q.kind].keys()].filter((n) => after === undefined || n > after).sort();
        return okResult(json({ docs: names.slice(0, limit).map((n) => this.docs[q.kind].get(n)) }));
      }
      case 'getStore': {
        const s = this.stores.get(q.name);
        return s === undefined ? errorResult('NotFound', `store ${q.name} does not exist`) : okResult(json(s));
      }
      case 'getUsage':
        return okResult(json({ codeBytes: this.codeBytes, reservedConcurrency: this.reserved, functions: this.docs.function.size }));
    }
  }
}
