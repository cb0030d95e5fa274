// HTTP and HTTP_PROXY integrations: a request to any URL, bounded by the integration's timeout.
import { type ApiResponse, GatewayFailure } from '../types.js';

export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
}

// Headers that describe this hop, not the request: the backend's own connection sets them.
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-connection', 'content-length', 'expect']);

export async function callHttp(c: HttpCall): Promise<ApiResponse> {
  const headers = new Headers();
  for (const [k, values] of Object.entries(c.headers)) {
    if (HOP.has(k.toLowerCase())) continue;
    for (const v of values) headers.append(k, v);
  }
  const timeout = AbortSignal.timeout(c.timeoutMs);
  const signal = c.signal ? AbortSignal.any([timeout, c.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(c.url, { method: c.method, headers, signal, ...(c.method === 'GET' || c.method === 'HEAD' || c.body.length === 0 ? {} : { body: c.body }), redirect: 'manual' });
  } catch (err) {
    if (timeout.aborted) throw new GatewayFailure('INTEGRATION_TIMEOUT');
    throw new GatewayFailure('INTEGRATION_FAILURE', `Network error communicating with endpoint: ${err instanceof Error ? err.message : String(err)}`);
  }
  let body: Buffer;
  try {
    body = Buffer.from(await res.arrayBuffer());
  } catch {
    if (timeout.aborted) throw new GatewayFailure('INTEGRATION_TIMEOUT');
    throw new GatewayFailure('INTEGRATION_FAILURE');
  }
  const out: Record<string, string[]> = {};
  res.headers.forEach((v, k) => {
    if (k === 'set-cookie' || HOP.has(k) || k === 'content-encoding') return;
    out[k] = [v];
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) out['set-cookie'] = cookies;
  return { status: res.status, headers: out, body };
}
