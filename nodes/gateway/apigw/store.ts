// API Gateway's catalog: documents in the meta group (the generic compare-and-set document table
// Lambda uses, kinds `api`, `apideploy`, `apikey`, `usageplan`, `apimisc`). Reads are cached per
// catalog version (every write anywhere moves it), so the data plane's lookups cost a map hit
// while nothing changes; writes are read-modify-write loops retried when another gateway won.
import { randomBytes } from 'node:crypto';
import { type DocKind } from '../../../storage/partitions/meta-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { type Placement } from '../../cluster/placement.js';
import { AwsError } from '../errors.js';
import { FunctionCatalogClient } from '../lambda/catalog.js';

export type ApiDocKind = Extract<DocKind, 'api' | 'apideploy' | 'apikey' | 'usageplan' | 'apimisc'>;

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const LIST_PAGE = 1000;
const ATTEMPTS = 5;

/** A random lower-case alphanumeric id, as AWS's (10 characters for APIs, 6 for resources). */
export function newId(length = 10): string {
  const bytes = randomBytes(length);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

export class ApiStore {
  private readonly docs: FunctionCatalogClient;

  constructor(client: ClusterClient, placement: Placement) {
    // API documents hold no code and reserve no concurrency: Lambda's account limits never bind.
    this.docs = new FunctionCatalogClient(client, placement, () => ({ codeStorageBytes: Number.MAX_SAFE_INTEGER, accountConcurrency: Number.MAX_SAFE_INTEGER, minUnreserved: 0 }));
  }

  /** A document (cached while the catalog is unchanged, at most maxAgeMs stale), or undefined. */
  async get<T>(kind: ApiDocKind, name: string, parse: (v: unknown) => T, maxAgeMs = 1000): Promise<T | undefined> {
    return (await this.docs.get(kind, name, parse, maxAgeMs))?.doc;
  }

  /** Every document of a kind whose name starts with `prefix`, in name order. */
  async list<T>(kind: ApiDocKind, parse: (v: unknown) => T, prefix = ''): Promise<T[]> {
    const out: T[] = [];
    let after: string | undefined = prefix === '' ? undefined : prefix;
    for (;;) {
      const page = await this.docs.listNamed(kind, after, LIST_PAGE);
      let done = page.length < LIST_PAGE;
      for (const { name, doc } of page) {
        if (!name.startsWith(prefix)) {
          done = true;
          break;
        }
        out.push(parse(doc));
        after = name;
      }
      if (done) return out;
    }
  }

  /** Creates a document that must not exist yet. */
  async create(kind: ApiDocKind, name: string, doc: unknown): Promise<void> {
    const r = await this.docs.put(kind, name, 0, doc, 0, null);
    if ('rev' in r) return;
    if (r.code === 'AlreadyExists') throw new AwsError('ApigwConflictException', `${kind} ${name} already exists`);
    throw new Error(`apigw catalog: ${r.message}`);
  }

  /**
   * Read-modify-write of an existing document: `change` gets a private copy and returns the next
   * document (null deletes it) or throws an AwsError; a missing document raises `notFound()`.
   */
  async update<T>(kind: ApiDocKind, name: string, parse: (v: unknown) => T, notFound: () => AwsError, change: (doc: T) => T | null): Promise<T | null> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.docs.fresh(kind, name, parse);
      if (!current) throw notFound();
      const next = change(structuredClone(current.doc));
      const r = await this.docs.put(kind, name, current.rev, next, 0, null);
      if ('rev' in r) return next;
      if (r.code === 'FailedPrecondition') continue;
      if (r.code === 'NotFound') throw notFound();
      throw new Error(`apigw catalog: ${r.message}`);
    }
    throw new AwsError('ApigwConflictException', 'Unable to complete operation due to concurrent modification. Please try again later.');
  }

  /** Deletes a document if it exists (no error when it does not). */
  async remove(kind: ApiDocKind, name: string): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const current = await this.docs.fresh(kind, name, (v) => v);
      if (!current) return;
      const r = await this.docs.put(kind, name, current.rev, null, 0, null);
      if ('rev' in r || r.code === 'NotFound') return;
      if (r.code !== 'FailedPrecondition') throw new Error(`apigw catalog: ${r.message}`);
    }
    throw new AwsError('ApigwConflictException', 'Unable to complete operation due to concurrent modification. Please try again later.');
  }
}
