// HTTP and HTTP_PROXY integrations (REST and HTTP APIs): a request to any URL, bounded by the
// integration's timeout; an unreachable backend is INTEGRATION_FAILURE, a slow one INTEGRATION_TIMEOUT.
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
    if (timeout.aborted) throw new GatewayFailure('INTEGRATION_TIMEOUT', undefined, {}, `Execution failed due to a timeout error after ${c.timeoutMs} ms: ${c.method} ${c.url}`);
    // The caller sees AWS's generic message; the cause goes to the log, as AWS's execution log has it.
    const cause = err instanceof Error ? ((err.cause instanceof Error ? err.cause.message : undefined) ?? err.message) : String(err);
    throw new GatewayFailure('INTEGRATION_FAILURE', 'Internal server error', {}, `Execution failed due to configuration error: Network error communicating with endpoint ${c.url}: ${cause}`);
  }
  let body: Buffer;
  try {
    body = Buffer.from(await res.arrayBuffer());
  } catch {
    if (timeout.aborted) throw new GatewayFailure('INTEGRATION_TIMEOUT', undefined, {}, `Execution failed due to a timeout error after ${c.timeoutMs} ms reading the answer of ${c.url}`);
    throw new GatewayFailure('INTEGRATION_FAILURE', 'Internal server error', {}, `Execution failed: the endpoint ${c.url} closed the connection mid-answer`);
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
