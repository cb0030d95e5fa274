// AWS Signature Version 4 verification for the HTTP gateway: requests signed in the Authorization
// header and presigned (query-string) requests. The canonical request is rebuilt from the bytes on
// the wire exactly as the AWS SDKs and botocore build it for non-S3 services, so that unmodified
// clients verify here; rejections carry the codes and messages AWS itself returns, because SDKs
// branch on them (clock-skew correction, retries) and users search for them.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Lowercase header names to values. Prefer Node's `req.headersDistinct`: `req.headers` joins a
 * repeated header with ', ', while AWS joins the values with ',', so only distinct values let a
 * signed repeated header verify.
 */
export type HeaderMap = IncomingHttpHeaders | NodeJS.Dict<string | string[]>;

export interface SignedRequest {
  method: string;
  /** The request target path as received, before '?', still percent-encoded. */
  rawPath: string;
  /** The request target after '?', '' if none. */
  rawQuery: string;
  headers: HeaderMap;
  body: Buffer;
}

export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

export interface Principal {
  accessKeyId: string;
  region: string;
  service: string;
}

/** What the endpoint serves; a credential scoped elsewhere is refused before the key is looked up. */
export interface ScopeExpectation {
  region?: string;
  service?: string;
}

export interface AuthScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

export class AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
// AWS allows 15 minutes between the signer's clock and its own ("Common Errors": RequestExpired).
const MAX_SKEW_MS = 15 * 60_000;
// Presigned URLs live at most 7 days, the validity of a SigV4 signing key (SigV4 query-string docs).
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
// Non-S3 services hold a presigned URL to the same 15 minutes when X-Amz-Expires is absent
// (aws/aws-sdk-go#2167: STS presigned GetCallerIdentity lives 15 minutes).
const DEFAULT_PRESIGN_SECONDS = 15 * 60;

// AWS's wording as SQS and STS return it, with status 403 (boto/boto#1573 and aristidb/aws#126 for
// SQS, boto/boto3#756 for STS).
const MISMATCH_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

// MissingAuthenticationToken, 403: SQS API Reference "Common Errors" ("The request must contain
// either a valid (registered) AWS access key ID or X.509 certificate."); the message is the one
// AWS returns for an unsigned request (recorded in dacut/scratchstack-aws-signature's error docs).
const missingAuth = (): AuthError => new AuthError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
// IncompleteSignature, 400: SQS API Reference "Common Errors" ("The request signature does not
// conform to AWS standards."); messages as AWS words them (brendanhay/amazonka#316 for SES,
// aws/aws-sdk-go#289 for CloudFormation, aws/chalice#828 for API Gateway).
const incomplete = (m: string): AuthError => new AuthError('IncompleteSignature', m, 400);
// SignatureDoesNotMatch, 403: also what SQS and STS answer for a skewed clock ("Signature expired:
// … is now earlier than …", aws/aws-sdk-js#401 for SQS, devsecops/bootcamp#101 for STS). It is in
// CLOCK_SKEW_ERROR_CODES of @smithy/core's service-error-classification; SDK v3 corrects its clock
// from the response's Date header (AwsSdkSigV4Signer.errorHandler) and retries.
const mismatch = (m: string): AuthError => new AuthError('SignatureDoesNotMatch', m, 403);
// InvalidClientTokenId, 403: SQS API Reference "Common Errors"; message as SQS returns it for an
// unknown access key id (ex-aws/ex_aws#220, aws/aws-sdk-js-v3#6715).
const invalidToken = (): AuthError => new AuthError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
// RequestExpired, 400: SQS API Reference "Common Errors" names it for requests past "the request
// expiration date (such as for pre-signed URLs)"; message as EC2 returns it ("Request has expired.").
const expired = (): AuthError => new AuthError('RequestExpired', 'Request has expired.', 400);
// MalformedQueryString, 404 (sic): SQS API Reference "Common Errors" ("The query string contains a
// syntax error."); messages as recorded by scratchstack-aws-signature.
const malformedQuery = (m: string): AuthError => new AuthError('MalformedQueryString', m, 404);

/** Splits `AKID/20240101/us-east-1/sqs/aws4_request` into its parts. */
export function parseAuthScope(credential: string): AuthScope {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  return { accessKeyId, date, region, service, terminator };
}

/** Resolves to the signer when the request verifies; rejects with an AuthError otherwise (lookup's own failures pass through). */
export async function verifySigV4(req: SignedRequest, lookup: SecretLookup, nowMs: number, expected: ScopeExpectation = {}): Promise<Principal> {
  const query = parseQuery(req.rawQuery);
  const header = firstValue(req.headers, 'authorization')?.trim() || undefined;
  const algorithm = queryParam(query, 'X-Amz-Algorithm');
  if (header !== undefined && algorithm !== undefined) {
    // Code per the same table as IncompleteSignature; wording follows S3's answer to the same request.
    throw incomplete('Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.');
  }
  if (header === undefined && algorithm === undefined) throw missingAuth();
  const auth = header !== undefined ? fromHeader(header, req.headers) : fromQuery(query);

  // SDK v3 over HTTP/2 signs `:authority` in place of `host` (@aws-sdk/core hostHeaderMiddleware).
  if (!auth.signedHeaders.includes('host') && !auth.signedHeaders.includes(':authority')) throw mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined) throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${auth.amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  checkTime(signedAt, nowMs, auth.expiresSeconds);
  const scope = parseAuthScope(auth.credential);
  checkScope(scope, auth.amzDate, expected);

  const secret = await lookup(scope.accessKeyId);
  if (secret === undefined) throw invalidToken();

  const canonical = canonicalRequest(req, query, auth);
  const scopeText = `${scope.date}/${scope.region}/${scope.service}/${scope.terminator}`;
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${scopeText}\n${sha256Hex(Buffer.from(canonical, 'latin1'))}`;
  const key = signingKey(secret, scope.date, scope.region, scope.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'latin1').digest('hex');
  if (!sameText(signature, auth.signature)) {
    // SQS and STS append both strings so a client author can see where the two sides diverge.
    const shown = Buffer.from(canonical, 'latin1').toString('utf8');
    throw mismatch(`${MISMATCH_MESSAGE}\n\nThe Canonical String for this request should have been\n'${shown}'\n\nThe String-to-Sign should have been\n'${stringToSign}'\n`);
  }
  return { accessKeyId: scope.accessKeyId, region: scope.region, service: scope.service };
}

interface AuthParts {
  credential: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  /** Presigned requests only. */
  expiresSeconds?: number;
}

function fromHeader(header: string, headers: HeaderMap): AuthParts {
  const space = header.search(/\s/);
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM && algorithm.startsWith('AWS4-')) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
  const params = new Map<string, string>();
  // Anything that is not SigV4 (a bearer token, SigV2) is answered as a SigV4 header lacking every part.
  if (algorithm === ALGORITHM && space >= 0) {
    // AWS splits on whitespace as well as commas: a stray space inside Credential surfaces as its
    // own token (aws/aws-sdk-go#289), which clients' authors recognise.
    for (const token of header.slice(space).split(/[\s,]+/)) {
      if (token === '') continue;
      const eq = token.indexOf('=');
      if (eq < 0) throw incomplete(`'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
      params.set(token.slice(0, eq), token.slice(eq + 1));
    }
  }
  const [credential, signature, signed, amzDate] = present(
    [params.get('Credential'), params.get('Signature'), params.get('SignedHeaders'), headerDate(headers)],
    [
      "Authorization header requires 'Credential' parameter.",
      "Authorization header requires 'Signature' parameter.",
      "Authorization header requires 'SignedHeaders' parameter.",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    ],
    `Authorization=${header}`,
  );
  return { credential, signature, amzDate, signedHeaders: signedHeaderList(signed) };
}

function fromQuery(query: QueryPair[]): AuthParts {
  // scratchstack-aws-signature's record of AWS's error ordering (rule 7a): an unknown query
  // algorithm reads as no authentication at all.
  if (queryParam(query, 'X-Amz-Algorithm') !== ALGORITHM) throw missingAuth();
  const names = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const [credential, signature, signed, amzDate] = present(
    [queryParam(query, 'X-Amz-Credential'), queryParam(query, 'X-Amz-Signature'), queryParam(query, 'X-Amz-SignedHeaders'), queryParam(query, 'X-Amz-Date')],
    names.map((n) => `AWS query-string parameters must include '${n}'.`),
    'Re-examine the query-string parameters.',
  );
  const expiresText = queryParam(query, 'X-Amz-Expires');
  let expiresSeconds = DEFAULT_PRESIGN_SECONDS;
  if (expiresText !== undefined) {
    expiresSeconds = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : 0;
    if (expiresSeconds < 1 || expiresSeconds > MAX_PRESIGN_SECONDS) {
      throw incomplete(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS} (7 days), got '${expiresText}'.`);
    }
  }
  return { credential, signature, amzDate, signedHeaders: signedHeaderList(signed), expiresSeconds };
}

/** The parts found, or an IncompleteSignature naming every missing one, as AWS reports them. */
function present<const T extends readonly (string | undefined)[]>(found: T, messages: readonly string[], tail: string): { -readonly [K in keyof T]: string } {
  const missing = messages.filter((_, i) => found[i] === undefined);
  if (missing.length > 0) throw incomplete(`${missing.join(' ')} ${tail}`);
  return found as unknown as { -readonly [K in keyof T]: string };
}

function signedHeaderList(text: string): string[] {
  return text.split(';').filter((h) => h !== '').sort();
}

/** X-Amz-Date, or else the Date header turned into the basic ISO-8601 form the signer hashed. */
function headerDate(headers: HeaderMap): string | undefined {
  const amz = firstValue(headers, 'x-amz-date');
  if (amz !== undefined) return amz.trim();
  const date = firstValue(headers, 'date');
  if (date === undefined) return undefined;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? date.trim() : formatAmzDate(ms);
}

function checkTime(signedAt: number, nowMs: number, expiresSeconds: number | undefined): void {
  const at = formatAmzDate;
  if (signedAt > nowMs + MAX_SKEW_MS) {
    throw mismatch(`Signature not yet current: ${at(signedAt)} is still later than ${at(nowMs + MAX_SKEW_MS)} (${at(nowMs)} + 15 min.)`);
  }
  if (expiresSeconds !== undefined) {
    if (nowMs > signedAt + expiresSeconds * 1000) throw expired();
    return;
  }
  if (signedAt < nowMs - MAX_SKEW_MS) {
    throw mismatch(`Signature expired: ${at(signedAt)} is now earlier than ${at(nowMs - MAX_SKEW_MS)} (${at(nowMs)} - 15 min.)`);
  }
}

// Messages as AWS words them (recorded by scratchstack-aws-signature); all faults are reported together.
function checkScope(scope: AuthScope, amzDate: string, expected: ScopeExpectation): void {
  const faults: string[] = [];
  if (expected.region !== undefined && scope.region !== expected.region) {
    faults.push(`Credential should be scoped to a valid region, not '${scope.region}'.`);
  }
  if (expected.service !== undefined && scope.service !== expected.service) {
    faults.push(`Credential should be scoped to correct service: '${expected.service}'.`);
  }
  if (scope.terminator !== 'aws4_request') {
    faults.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'.`);
  }
  const day = amzDate.slice(0, 8);
  if (scope.date !== day) {
    faults.push(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${day}', from '${amzDate}'.`);
  }
  if (faults.length > 0) throw mismatch(faults.join(' '));
}

/**
 * The canonical request as a byte string (one char per byte): Node hands header values over as
 * latin1, and the signer hashed the original bytes, so no text decoding may happen in between.
 */
function canonicalRequest(req: SignedRequest, query: QueryPair[], auth: AuthParts): string {
  const presigned = auth.expiresSeconds !== undefined;
  const pairs = query
    .filter((p) => !(presigned && p.name === 'X-Amz-Signature'))
    .map((p) => [p.encodedName, p.encodedValue] as const)
    // Byte order: the encoded strings are ASCII, where code-unit order is byte order.
    .sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  // A header map holds no pseudo-headers (h2c.ts): `:authority` is the HTTP/2 spelling of `host`.
  const headerLines = auth.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(req.headers[name] ?? (name === ':authority' ? req.headers.host : undefined))}\n`);
  return [
    req.method,
    canonicalPath(req.rawPath),
    pairs.map(([k, v]) => `${k}=${v}`).join('&'),
    headerLines.join(''),
    auth.signedHeaders.join(';'),
    payloadHash(req, query, presigned),
  ].join('\n');
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  // Only ASCII blanks are trimmed: in a latin1 byte string U+00A0 may be half of a UTF-8 character.
  return values.map((v) => bytesOf(v).toString('latin1').replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '')).join(',');
}

/**
 * Non-S3 services hash the body themselves; a client's x-amz-content-sha256 only matters when it
 * opts out with UNSIGNED-PAYLOAD. A hash that disagrees with the body thus fails as a signature.
 */
function payloadHash(req: SignedRequest, query: QueryPair[], presigned: boolean): string {
  const declared = (presigned ? queryParam(query, 'X-Amz-Content-Sha256') : undefined) ?? firstValue(req.headers, 'x-amz-content-sha256');
  return declared?.trim() === UNSIGNED_PAYLOAD ? UNSIGNED_PAYLOAD : sha256Hex(req.body);
}

/**
 * Non-S3 services normalise the path (empty and '.' segments dropped, '..' resolved) and encode the
 * still-encoded path once more, as SDK v3 and botocore do before signing.
 */
function canonicalPath(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const lead = path.startsWith('/') ? '/' : '';
  const trail = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return uriEncode(bytesOf(lead + segments.join('/') + trail), true);
}

interface QueryPair {
  name: string;
  value: string;
  encodedName: string;
  encodedValue: string;
}

/** Decodes each name and value to bytes and re-encodes them in AWS's one canonical spelling. */
function parseQuery(rawQuery: string): QueryPair[] {
  const out: QueryPair[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq));
    const value = percentDecode(eq < 0 ? '' : part.slice(eq + 1));
    out.push({ name: name.toString('utf8'), value: value.toString('utf8'), encodedName: uriEncode(name, false), encodedValue: uriEncode(value, false) });
  }
  return out;
}

function queryParam(query: QueryPair[], name: string): string | undefined {
  return query.find((p) => p.name === name)?.value;
}

function percentDecode(text: string): Buffer {
  const bytes = bytesOf(text);
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b !== 0x25) out[n++] = b;
    else if (i + 2 >= bytes.length) throw malformedQuery('Incomplete trailing escape % sequence');
    else {
      const hex = bytes.toString('latin1', i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw malformedQuery(`Illegal hex character in escape % pattern: %${hex}`);
      out[n++] = parseInt(hex, 16);
      i += 2;
    }
  }
  return out.subarray(0, n);
}

const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[c.charCodeAt(0)] = 1;

function uriEncode(bytes: Buffer, keepSlash: boolean): string {
  let out = '';
  for (const b of bytes) {
    if (UNRESERVED[b] === 1 || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Node gives wire text one char per byte (latin1); text built in JS may hold wider characters. */
function bytesOf(text: string): Buffer {
  return /[^\x00-\xff]/.test(text) ? Buffer.from(text, 'utf8') : Buffer.from(text, 'latin1');
}

function firstValue(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseAmzDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  // Date.UTC rolls out-of-range fields over (Feb 30 → Mar 2); only a round trip proves a real date.
  return formatAmzDate(ms) === text ? ms : undefined;
}

function formatAmzDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z').replace(/[-:]/g, '');
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function sameText(expected: string, provided: string): boolean {
  const [a, b] = [Buffer.from(expected, 'latin1'), Buffer.from(provided, 'latin1')];
  // The expected length is public (64 hex digits); only the content must not leak through timing.
  return a.length === b.length && timingSafeEqual(a, b);
}

// Deriving a key costs four HMACs; clients sign many requests per day with one key. Bounded, oldest out.
const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, Buffer>();

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}/${region}/${service}/${secret}`;
  let key = keyCache.get(id);
  if (key !== undefined) keyCache.delete(id);
  else key = [date, region, service, 'aws4_request'].reduce((k: Buffer | string, part) => createHmac('sha256', k).update(part).digest(), `AWS4${secret}`) as Buffer;
  keyCache.set(id, key);
  const oldest = keyCache.keys().next();
  if (keyCache.size > KEY_CACHE_LIMIT && !oldest.done) keyCache.delete(oldest.value);
  return key;
}
