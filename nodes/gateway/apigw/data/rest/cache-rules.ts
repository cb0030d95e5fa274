// The stage cache's rules for one REST method: whether it caches, the key, and what a client's
// `Cache-Control: max-age=0` (invalidate this entry) may do.
//
// AWS lets a caller invalidate an entry only with the `execute-api:InvalidateCache` permission
// when the method's `requireAuthorizationForCacheControl` is on (the default). Stratus has no
// per-action permission for execute-api, so "allowed" means: the request was signed with SigV4
// by a known caller (the method is AWS_IAM and the authorizer accepted it, or the signature
// verifies against the gateway's credentials; with authentication off, any SigV4-signed request).
import { type MethodSettingDoc, type StageDoc } from '../../model.js';
import { queryValues } from '../events/proxy-v1.js';
import { type ApiRequest, type DataRuntime, GatewayFailure } from '../types.js';

/** What AWS's SUCCEED_WITH_RESPONSE_HEADER strategy adds when it ignores an unauthorized invalidation. */
export const CACHE_CONTROL_IGNORED_WARNING = '199 - "Cache-Control: max-age=0 ignored: the caller is not authorized to invalidate the cache"';

/** The method's own settings (`~1pets~1{id}/GET`), else the stage-wide `*\/*`; AWS's key escapes `/` as `~1`. */
export function methodSettingsFor(stage: StageDoc, resourcePath: string, method: string): { own?: MethodSettingDoc; stageWide?: MethodSettingDoc } {
  const escaped = resourcePath.replace(/\//g, '~1');
  const own = stage.methodSettings[`${escaped}/${method}`] ?? stage.methodSettings[`${escaped}/ANY`] ?? stage.methodSettings[`${resourcePath}/${method}`];
  const stageWide = stage.methodSettings['*/*'];
  return { ...(own ? { own } : {}), ...(stageWide ? { stageWide } : {}) };
}

/**
 * Whether the method's responses are cached: the stage has a cache cluster and the settings
 * enable caching; the stage-wide setting covers GET only (AWS: "only GET methods have caching
 * enabled by default"), a method's own setting covers its method.
 */
export function cachingEnabled(stage: StageDoc, settings: { own?: MethodSettingDoc; stageWide?: MethodSettingDoc }, method: string): MethodSettingDoc | undefined {
  if (!stage.cacheClusterEnabled) return undefined;
  if (settings.own) return settings.own.cachingEnabled ? settings.own : undefined;
  return settings.stageWide?.cachingEnabled === true && method === 'GET' ? settings.stageWide : undefined;
}

/** Stage, flush generation, method and resource, and the integration's cache key parameters' values. */
export function cacheKeyOf(apiId: string, stage: StageDoc, namespace: string, resourcePath: string, req: ApiRequest, path: Record<string, string>, keys: string[]): string {
  const query = queryValues(req.rawQuery);
  const parts = keys.map((k) => {
    const m = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(k);
    if (!m) return k;
    const name = m[2]!;
    const v = m[1] === 'path' ? path[name] : m[1]!.endsWith('querystring') ? query[name]?.join(',') : req.headers[name.toLowerCase()]?.join(',');
    return `${k}=${v ?? ''}`;
  });
  return JSON.stringify([apiId, stage.stageName, stage.cacheGeneration, namespace, req.method, resourcePath, ...parts]);
}

export function asksInvalidation(req: ApiRequest): boolean {
  return (req.headers['cache-control'] ?? []).some((v) => /(?:^|,)\s*max-age\s*=\s*0\s*(?:,|$)/i.test(v));
}

async function signedByKnownCaller(rt: DataRuntime, req: ApiRequest, iamAuthorized: boolean): Promise<boolean> {
  if (iamAuthorized) return true;
  const auth = req.headers.authorization?.[0] ?? '';
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) return false;
  if (!rt.authenticate) return true;
  try {
    await rt.authenticate(req.signed);
    return true;
  } catch {
    return false;
  }
}

export type Invalidation = { invalidate: boolean; warning?: string };

/**
 * What the request's `Cache-Control: max-age=0` does: invalidate (refetch and store), nothing,
 * or refuse the request (FAIL_WITH_403).
 */
export async function invalidationOf(rt: DataRuntime, settings: MethodSettingDoc, req: ApiRequest, iamAuthorized: boolean): Promise<Invalidation> {
  if (!asksInvalidation(req)) return { invalidate: false };
  if (!settings.requireAuthorizationForCacheControl || (await signedByKnownCaller(rt, req, iamAuthorized))) return { invalidate: true };
  switch (settings.unauthorizedCacheControlHeaderStrategy) {
    case 'FAIL_WITH_403':
      throw new GatewayFailure('ACCESS_DENIED', 'User is not authorized to invalidate the cache', {}, 'Cache invalidation refused: the caller is not authorized');
    case 'SUCCEED_WITHOUT_RESPONSE_HEADER':
      return { invalidate: false };
    default:
      return { invalidate: false, warning: CACHE_CONTROL_IGNORED_WARNING };
  }
}
