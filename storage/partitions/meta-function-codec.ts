// The function catalog in the meta group: command bodies, records and decoders.
//
// A function (and a layer) is one JSON document that the gateway validates and builds; the
// meta group stores it under compare-and-set on a revision counter. Apply checks only what the
// gateway cannot check alone because it spans documents or races: the revision (concurrent
// updates), the account's code-storage quota and its unreserved concurrency.
import { DecodeError } from './codec.js';
import { type Decoded, decodeResultWith } from './envelope.js';
import { type Obj, num, object, str } from './meta-queue-codec.js';

/** Limits the proposer enforces through apply; they travel in the command so apply stays pure. */
export interface CatalogLimits {
  /** Bytes of code (every version, every layer version) the account may store. */
  codeStorageBytes: number;
  /** The account's concurrency limit. */
  accountConcurrency: number;
  /** Concurrency that reservations must leave to unreserved functions. */
  minUnreserved: number;
}

/**
 * Document kinds; `mapping` is an event source mapping, named by its UUID. The `api*` kinds and
 * `usageplan` are API Gateway's (nodes/gateway/apigw/store.ts). Grows at the end only.
 */
export const DOC_KINDS = ['function', 'layer', 'mapping', 'api', 'apideploy', 'apikey', 'usageplan', 'apimisc'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export interface StoredDoc {
  name: string;
  /** 1 on creation, +1 per write. */
  rev: number;
  /** Code bytes this document holds (all its versions). */
  codeBytes: number;
  /** Reserved concurrency of a function; null when none is set. */
  reserved: number | null;
  doc: unknown;
}

export interface StoreRecord {
  name: string;
  kind: 'blob';
  groupIds: number[];
  createdAtMs: number;
}

export interface AccountUsage {
  codeBytes: number;
  reservedConcurrency: number;
  functions: number;
}

export type FunctionCatalogCommand =
  | {
      type: 'putDoc';
      kind: DocKind;
      name: string;
      /** 0: the document must not exist; otherwise its current revision. */
      expectRev: number;
      /** null deletes the document. */
      doc: unknown;
      codeBytes: number;
      reserved: number | null;
      limits: CatalogLimits;
    }
  | { type: 'ensureStore'; name: string; partitions: number; replicationFactor: number };

export type FunctionCatalogQuery =
  | { type: 'getDoc'; kind: DocKind; name: string }
  | { type: 'listDocs'; kind: DocKind; after?: string; limit: number }
  | { type: 'getStore'; name: string }
  | { type: 'getUsage' };

const docKind = (o: Obj, f: string): DocKind => {
  const v = str(o, f);
  const kind = DOC_KINDS.find((k) => k === v);
  if (kind === undefined) throw new DecodeError(`${f} must be one of ${DOC_KINDS.join(', ')}`);
  return kind;
};

const nullableNum = (o: Obj, f: string): number | null => (o[f] === null ? null : num(o, f));

function toLimits(v: unknown): CatalogLimits {
  const o = object(v, 'limits');
  return { codeStorageBytes: num(o, 'codeStorageBytes'), accountConcurrency: num(o, 'accountConcurrency'), minUnreserved: num(o, 'minUnreserved') };
}

export function decodeFunctionCatalogCommand(type: FunctionCatalogCommand['type'], o: Obj): FunctionCatalogCommand {
  if (type === 'ensureStore') return { type, name: str(o, 'name'), partitions: num(o, 'partitions'), replicationFactor: num(o, 'replicationFactor') };
  if (!('doc' in o)) throw new DecodeError('doc is missing');
  return {
    type,
    kind: docKind(o, 'kind'),
    name: str(o, 'name'),
    expectRev: num(o, 'expectRev'),
    doc: o.doc,
    codeBytes: num(o, 'codeBytes'),
    reserved: nullableNum(o, 'reserved'),
    limits: toLimits(o.limits),
  };
}

export function decodeFunctionCatalogQuery(type: FunctionCatalogQuery['type'], o: Obj): FunctionCatalogQuery {
  switch (type) {
    case 'getDoc':
      return { type, kind: docKind(o, 'kind'), name: str(o, 'name') };
    case 'listDocs':
      return { type, kind: docKind(o, 'kind'), ...(o.after === undefined ? {} : { after: str(o, 'after') }), limit: num(o, 'limit') };
    case 'getStore':
      return { type, name: str(o, 'name') };
    case 'getUsage':
      return { type };
  }
}

export function toStoredDoc(v: unknown): StoredDoc {
  const o = object(v, 'document');
  if (!('doc' in o)) throw new DecodeError('doc is missing');
  return { name: str(o, 'name'), rev: num(o, 'rev'), codeBytes: num(o, 'codeBytes'), reserved: nullableNum(o, 'reserved'), doc: o.doc };
}

export function toStoreRecord(v: unknown): StoreRecord {
  const o = object(v, 'store');
  const ids = o.groupIds;
  if (!Array.isArray(ids) || !ids.every((x): x is number => typeof x === 'number')) throw new DecodeError('groupIds must be numbers');
  if (o.kind !== 'blob') throw new DecodeError('store kind must be blob');
  return { name: str(o, 'name'), kind: 'blob', groupIds: ids, createdAtMs: num(o, 'createdAtMs') };
}

const parse = (b: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(b)) as unknown;

export function decodeDocResult(bytes: Uint8Array): Decoded<StoredDoc> {
  return decodeResultWith(bytes, (b) => toStoredDoc(parse(b)));
}

export function decodeDocListResult(bytes: Uint8Array): Decoded<StoredDoc[]> {
  return decodeResultWith(bytes, (b) => {
    const docs = object(parse(b)).docs;
    if (!Array.isArray(docs)) throw new DecodeError('docs must be an array');
    return docs.map(toStoredDoc);
  });
}

export function decodeStoreResult(bytes: Uint8Array): Decoded<StoreRecord> {
  return decodeResultWith(bytes, (b) => toStoreRecord(parse(b)));
}

export function decodeUsageResult(bytes: Uint8Array): Decoded<AccountUsage> {
  return decodeResultWith(bytes, (b) => {
    const o = object(parse(b));
    return { codeBytes: num(o, 'codeBytes'), reservedConcurrency: num(o, 'reservedConcurrency'), functions: num(o, 'functions') };
  });
}
