// An HTTP API's CORS configuration: API Gateway answers preflights itself (even without an
// OPTIONS route) and adds the allow headers to every answer to an allowed origin.
import { type CorsDoc } from '../../model.js';
import { type ApiRequest, type ApiResponse } from '../types.js';

/** An allowed origin: exact (case-insensitive), or with `*` standing for any text (`https://*`). */
function originMatches(pattern: string, origin: string): boolean {
  if (!pattern.includes('*')) return pattern.toLowerCase() === origin.toLowerCase();
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(origin);
}

function originAllowed(cors: CorsDoc, origin: string): string | undefined {
  const origins = cors.allowOrigins ?? [];
  if (origins.includes('*')) return cors.allowCredentials ? origin : '*';
  return origins.some((o) => originMatches(o, origin)) ? origin : undefined;
}

export function isPreflight(req: ApiRequest): boolean {
  return req.method === 'OPTIONS' && req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined;
}

export function preflight(cors: CorsDoc, req: ApiRequest): ApiResponse {
  const origin = req.headers.origin?.[0] ?? '';
  const allowed = originAllowed(cors, origin);
  const headers: Record<string, string[]> = {};
  if (allowed !== undefined) {
    headers['access-control-allow-origin'] = [allowed];
    const methods = cors.allowMethods ?? [];
    if (methods.length > 0) headers['access-control-allow-methods'] = [methods.includes('*') ? (req.headers['access-control-request-method']?.[0] ?? '*') : methods.join(',')];
    const allowHeaders = cors.allowHeaders ?? [];
    if (allowHeaders.length > 0) headers['access-control-allow-headers'] = [allowHeaders.includes('*') ? (req.headers['access-control-request-headers']?.[0] ?? '*') : allowHeaders.join(',')];
    if (cors.maxAge !== undefined) headers['access-control-max-age'] = [String(cors.maxAge)];
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = ['true'];
  }
  return { status: 204, headers, body: Buffer.alloc(0) };
}

/** The CORS headers an answer to `req` carries (none when the origin is not allowed). */
export function withCors(cors: CorsDoc | undefined, req: ApiRequest, res: ApiResponse): ApiResponse {
  if (!cors) return res;
  // With a CORS configuration, API Gateway ignores the CORS headers the integration sent.
  const own: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) if (!k.toLowerCase().startsWith('access-control-')) own[k] = v;
  const origin = req.headers.origin?.[0];
  const allowed = origin === undefined ? undefined : originAllowed(cors, origin);
  if (allowed === undefined) return { ...res, headers: own };
  const headers: Record<string, string[]> = { ...own, 'access-control-allow-origin': [allowed] };
  if (cors.exposeHeaders && cors.exposeHeaders.length > 0) headers['access-control-expose-headers'] = [cors.exposeHeaders.join(',')];
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = ['true'];
  return { ...res, headers };
}
