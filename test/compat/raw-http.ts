// Raw HTTP against the gateway, below any SDK: requests built byte by byte (Query forms, JSON,
// malformed bodies), optionally SigV4-signed with the Smithy signer the SDKs themselves use, and
// a flat-XML reader good enough for the Query protocol's answers.
import { request } from 'node:http';
import { type IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT } from './targets.js';

export const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
export const JSON_10 = 'application/x-amz-json-1.0';
export const SQS_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';

export interface RawRequest {
  method?: string;
  path?: string;
  /** An array value is sent as that many header lines. */
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

type SignableRequest = Parameters<SignatureV4['sign']>[0];

export interface SignOptions {
  signingDate?: Date;
  secretAccessKey?: string;
  /** The SigV4 scope's service; default sqs. */
  service?: string;
}

/** Adds SigV4 headers (service sqs, us-east-1, the test root key) to a request aimed at `endpoint`. */
export async function sign(endpoint: string, r: RawRequest, o: SignOptions = {}): Promise<RawRequest> {
  const url = new URL(endpoint);
  const path = r.path ?? '/';
  const q = path.indexOf('?');
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(path.slice(q + 1))) query[k] = v;
  const signer = new SignatureV4({
    service: o.service ?? 'sqs',
    region: 'us-east-1',
    credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: o.secretAccessKey ?? ROOT.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
  });
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  const toSign: SignableRequest = {
    method: r.method ?? 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: q >= 0 ? path.slice(0, q) : path,
    query,
    // The signer knows one value per header; AWS's canonical form of a repeated one is the values joined by ','.
    headers: { host: url.host, ...(body ? { 'content-length': String(body.length) } : {}), ...Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])) },
    ...(body ? { body } : {}),
  };
  const signed = await signer.sign(toSign, o.signingDate ? { signingDate: o.signingDate } : {});
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = v;
  return { ...r, headers };
}

/** Sends a request exactly as given (no content-type or encoding added) and reads the whole answer. */
export function send(endpoint: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: r.method ?? 'POST', path: r.path ?? '/', headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...r.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function signedSend(endpoint: string, r: RawRequest, o: SignOptions = {}): Promise<RawResponse> {
  return send(endpoint, await sign(endpoint, r, o));
}

/** A signed Query-protocol POST: `Action=…&Version=2012-11-05&…` as a form body. */
export function query(endpoint: string, action: string, params: Record<string, string> = {}, path = '/'): Promise<RawResponse> {
  const body = new URLSearchParams({ Action: action, Version: '2012-11-05', ...params }).toString();
  return signedSend(endpoint, { path, headers: { 'content-type': FORM }, body });
}

/** A signed JSON 1.0 request (`X-Amz-Target: AmazonSQS.<action>`); the body is sent as given when it is a string or Buffer. */
export function json(endpoint: string, action: string, body: unknown, o: SignOptions = {}): Promise<RawResponse> {
  const bytes = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return signedSend(endpoint, { headers: { 'content-type': JSON_10, 'x-amz-target': `AmazonSQS.${action}` }, body: bytes }, o);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

/**
 * Every `<name>…</name>` (or `<name/>`) in `xml`, raw inner text. SQS's XML nests distinct
 * element names only, so non-greedy matching finds the right closing tag.
 */
export function elements(xml: string, name: string): string[] {
  const re = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}>)`, 'g');
  return [...xml.matchAll(re)].map((m) => m[1] ?? '');
}

/** The text of the first `<name>` in `xml`, unescaped; undefined when absent. */
export function text(xml: string, name: string): string | undefined {
  const e = elements(xml, name)[0];
  return e === undefined ? undefined : unescapeXml(e);
}

/** A flattened map's entries (`<Attribute><Name/><Value/></Attribute>`) as an object of raw inner `Value`s. */
export function entries(xml: string, name: string, key = 'Name', value = 'Value'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of elements(xml, name)) out[text(e, key) ?? ''] = elements(e, value)[0] ?? '';
  return out;
}
