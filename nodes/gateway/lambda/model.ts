// A function as the catalog stores it: one JSON document holding $LATEST, the published
// versions, aliases, tags and the per-function settings. The gateway builds and checks every
// document; the meta group stores it under compare-and-set (meta-function-codec.ts).
import { type CodeRef } from '../../scheduler/code-store.js';

export interface LayerRef {
  /** The layer version ARN (arn:aws:lambda:region:account:layer:name:version). */
  arn: string;
  codeSize: number;
  code: CodeRef;
}

/** One version's configuration: $LATEST (mutable) or a published version (frozen). */
export interface VersionConfig {
  version: string;
  description: string;
  runtime: string;
  handler: string;
  role: string;
  memorySize: number;
  timeout: number;
  /** Environment variables sealed with the node master key (env-crypto.ts); null when none. */
  environment: string | null;
  layers: LayerRef[];
  ephemeralStorage: number;
  deadLetterTarget: string | null;
  tracingMode: 'Active' | 'PassThrough';
  code: CodeRef;
  /** Base64 SHA-256 of the deployment package, as Lambda reports CodeSha256. */
  codeSha256: string;
  lastModified: string;
  revisionId: string;
}

export interface AliasDoc {
  name: string;
  functionVersion: string;
  description: string;
  /** RoutingConfig.AdditionalVersionWeights: version → weight in [0, 1]. */
  weights: Record<string, number>;
  revisionId: string;
}

export interface InvokeConfigDoc {
  /** '$LATEST', a version or an alias name. */
  qualifier: string;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  lastModified: number;
}

export interface ProvisionedDoc {
  qualifier: string;
  requested: number;
  lastModified: string;
}

export interface UrlDoc {
  /** '' for the unqualified function, else an alias name. */
  qualifier: string;
  authType: 'NONE' | 'AWS_IAM';
  urlId: string;
  cors: Record<string, unknown> | null;
  invokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  created: string;
  lastModified: string;
}

export interface PolicyStatement {
  sid: string;
  /**
   * The policy the statement belongs to: '' for the unqualified function, else a version number
   * or an alias name (Lambda keeps one resource policy per qualifier).
   */
  qualifier: string;
  /** The statement as GetPolicy shows it. */
  statement: Record<string, unknown>;
}

export interface FunctionDoc {
  name: string;
  createdMs: number;
  latest: VersionConfig;
  /** Published versions, oldest first. */
  versions: VersionConfig[];
  /** The number the next PublishVersion takes; never reused, even after deletes. */
  nextVersion: number;
  aliases: AliasDoc[];
  tags: Record<string, string>;
  reserved: number | null;
  invokeConfigs: InvokeConfigDoc[];
  provisioned: ProvisionedDoc[];
  urls: UrlDoc[];
  policy: PolicyStatement[];
}

export interface LayerVersionDoc {
  version: number;
  description: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo: string;
  code: CodeRef;
  codeSha256: string;
  created: string;
}

export interface LayerDoc {
  name: string;
  versions: LayerVersionDoc[];
  nextVersion: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Documents come back from our own catalog; a malformed one means a bug or a newer format. */
export function asFunctionDoc(v: unknown): FunctionDoc {
  if (!isObject(v) || typeof v.name !== 'string' || !isObject(v.latest) || !Array.isArray(v.versions) || !Array.isArray(v.aliases)) {
    throw new Error('function catalog: unreadable function document');
  }
  return v as unknown as FunctionDoc;
}

export function asLayerDoc(v: unknown): LayerDoc {
  if (!isObject(v) || typeof v.name !== 'string' || !Array.isArray(v.versions)) throw new Error('function catalog: unreadable layer document');
  return v as unknown as LayerDoc;
}

/** Code bytes a function holds against the account's code storage: every version's package. */
export function codeBytesOf(doc: FunctionDoc): number {
  const seen = new Set<string>();
  let total = 0;
  for (const v of [doc.latest, ...doc.versions]) {
    if (seen.has(v.code.sha256)) continue;
    seen.add(v.code.sha256);
    total += v.code.size;
  }
  return total;
}

export function layerCodeBytes(doc: LayerDoc): number {
  return doc.versions.reduce((n, v) => n + v.code.size, 0);
}
