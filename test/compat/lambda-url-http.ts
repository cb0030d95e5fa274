// HTTP against function URLs below any SDK: node:http requests that set their own Host (the
// `<url-id>.lambda-url.<region>.localhost` form, connecting to the gateway's loopback address),
// optionally SigV4-signed for service `lambda` as AWS_IAM URLs require.
import { type IncomingHttpHeaders, request } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT } from './targets.js';

export interface UrlCall {
  method?: string;
  /** Path and query as sent. */
  path?: string;
  /** An array value is sent as that many header lines. */
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
}

export interface UrlAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** The url id of a FunctionUrl (`http://<id>.lambda-url.<region>.localhost:<port>/`). */
export function urlIdOf(functionUrl: string | undefined): string {
  const m = /^http:\/\/([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\.localhost(?::\d+)?\/$/.exec(functionUrl ?? '');
  if (!m) throw new Error(`not a Stratus function URL: ${functionUrl}`);
  return m[1]!;
}

/** Sends `call` to the gateway at `endpoint` with the Host header `host` (default: the endpoint's). */
export function call(endpoint: string, call: UrlCall, host?: string): Promise<UrlAnswer> {
  const url = new URL(endpoint);
  const body = typeof call.body === 'string' ? Buffer.from(call.body, 'utf8') : call.body;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: call.method ?? 'GET',
        path: call.path ?? '/',
        headers: { host: host ?? url.host, ...(body ? { 'content-length': String(body.length) } : {}), ...call.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const all = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: all, text: all.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The same request SigV4-signed (service lambda, us-east-1) for the Host it is sent with. */
export async function signedCall(endpoint: string, c: UrlCall, host: string, secretAccessKey = ROOT.secretAccessKey): Promise<UrlAnswer> {
  const path = c.path ?? '/';
  const q = path.indexOf('?');
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(path.slice(q + 1))) query[k] = v;
  const [hostname, port] = host.split(':');
  const body = typeof c.body === 'string' ? Buffer.from(c.body, 'utf8') : c.body;
  const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey }, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: c.method ?? 'GET',
    protocol: 'http:',
    hostname: hostname!,
    ...(port ? { port: Number(port) } : {}),
    path: q >= 0 ? path.slice(0, q) : path,
    query,
    headers: { host, ...Object.fromEntries(Object.entries(c.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])) },
    ...(body ? { body } : {}),
  });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = v;
  return call(endpoint, { ...c, headers }, host);
}
