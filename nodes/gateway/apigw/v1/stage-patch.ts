// UpdateStage's patch operations (AWS's PatchOperation: op, path, value). Paths use `~1` for a
// `/` inside a segment, as JSON Pointer; method settings are `/{resourcePath}/{METHOD}/{setting}`
// with `*` for every resource or method.
import { type MethodSettingDoc, type RestApiDoc, type StageDoc } from '../model.js';
import { defaultMethodSetting } from './deploy.js';
import { type PatchOp, badRequest, parseBool, parseEnum, parseNumber, unescapeSegment } from './patch.js';
import { CACHE_CLUSTER_SIZES } from './shapes.js';

export type { PatchOp };

const bad = badRequest;
const unescape = unescapeSegment;
const bool = parseBool;
const num = (v: string | undefined, path: string, min: number, max: number): number => parseNumber(v, path, min, max);

const SETTING_PATHS: Record<string, (s: MethodSettingDoc, v: string | undefined, path: string) => void> = {
  'metrics/enabled': (s, v, p) => (s.metricsEnabled = bool(v, p)),
  'logging/loglevel': (s, v, p) => {
    if (v !== 'OFF' && v !== 'ERROR' && v !== 'INFO') throw bad(`Invalid patch value ${JSON.stringify(v)} for ${p}: expected OFF, ERROR or INFO`);
    s.loggingLevel = v;
  },
  'logging/dataTrace': (s, v, p) => (s.dataTraceEnabled = bool(v, p)),
  'throttling/burstLimit': (s, v, p) => (s.throttlingBurstLimit = Math.floor(num(v, p, 0, 1e9))),
  'throttling/rateLimit': (s, v, p) => (s.throttlingRateLimit = num(v, p, 0, 1e9)),
  'caching/enabled': (s, v, p) => (s.cachingEnabled = bool(v, p)),
  // AWS: 0 to 3,600 seconds (default 300).
  'caching/ttlInSeconds': (s, v, p) => (s.cacheTtlInSeconds = Math.floor(num(v, p, 0, 3600))),
  'caching/dataEncrypted': (s, v, p) => (s.cacheDataEncrypted = bool(v, p)),
  'caching/requireAuthorizationForCacheControl': (s, v, p) => (s.requireAuthorizationForCacheControl = bool(v, p)),
  'caching/unauthorizedCacheControlHeaderStrategy': (s, v, p) => {
    if (v !== 'FAIL_WITH_403' && v !== 'SUCCEED_WITH_RESPONSE_HEADER' && v !== 'SUCCEED_WITHOUT_RESPONSE_HEADER') throw bad(`Invalid patch value ${JSON.stringify(v)} for ${p}`);
    s.unauthorizedCacheControlHeaderStrategy = v;
  },
};

/** Applies the operations to a copy of the stage (validated against the API: deployments must exist). */
export function patchStage(api: RestApiDoc, stage: StageDoc, ops: PatchOp[]): StageDoc {
  const s = structuredClone(stage);
  for (const o of ops) {
    const op = o.op ?? 'replace';
    const path = o.path ?? '';
    const parts = path.split('/').slice(1).map(unescape);
    const [head, second] = parts;
    const deploymentMustExist = (id: string | undefined): string => {
      if (id === undefined || !api.deploymentIds.includes(id)) throw bad(`Deployment id ${id ?? ''} does not exist`);
      return id;
    };
    if (path === '/deploymentId' && op === 'replace') s.deploymentId = deploymentMustExist(o.value);
    else if (path === '/description') s.description = op === 'remove' ? undefined : o.value;
    else if (path === '/clientCertificateId') s.clientCertificateId = op === 'remove' ? undefined : o.value;
    else if (path === '/documentationVersion') s.documentationVersion = op === 'remove' ? undefined : o.value;
    else if (head === 'variables' && parts.length === 2) {
      if (op === 'remove') delete s.variables[second!];
      else if (op === 'add' || op === 'replace') s.variables[second!] = o.value ?? '';
      else throw bad(`Invalid patch operation ${op} for ${path}`);
    } else if (path === '/cacheClusterEnabled') {
      s.cacheClusterEnabled = bool(o.value, path);
      s.cacheClusterStatus = s.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE';
      if (s.cacheClusterEnabled) s.cacheClusterSize ??= '0.5';
    } else if (path === '/cacheClusterSize') s.cacheClusterSize = parseEnum(o.value, path, CACHE_CLUSTER_SIZES);
    else if (path === '/tracingEnabled') s.tracingEnabled = bool(o.value, path);
    else if (path === '/accessLogSettings' && op === 'remove') delete s.accessLogSettings;
    else if (head === 'accessLogSettings' && (second === 'format' || second === 'destinationArn')) s.accessLogSettings = { ...s.accessLogSettings, [second]: o.value };
    else if (path === '/canarySettings' && op === 'remove') delete s.canarySettings;
    else if (head === 'canarySettings') {
      const c = (s.canarySettings ??= { percentTraffic: 0, deploymentId: s.deploymentId, stageVariableOverrides: {}, useStageCache: false });
      if (second === 'percentTraffic') c.percentTraffic = num(o.value, path, 0, 100);
      else if (second === 'deploymentId') c.deploymentId = deploymentMustExist(o.value);
      else if (second === 'useStageCache') c.useStageCache = bool(o.value, path);
      else if (second === 'stageVariableOverrides' && parts.length === 3) {
        if (op === 'remove') delete c.stageVariableOverrides[parts[2]!];
        else c.stageVariableOverrides[parts[2]!] = o.value ?? '';
      } else throw bad(`Invalid patch path ${path}`);
    } else if (parts.length >= 4) {
      // `/{resourcePath}/{METHOD}/{group}/{setting}`: the resource path is escaped into one segment.
      const [resourcePath, method, ...rest] = parts;
      const setter = SETTING_PATHS[rest.join('/')];
      if (!setter) throw bad(`Invalid method setting path: ${path}. Must be one of: [${Object.keys(SETTING_PATHS).map((k) => `/{resourcePath}/{httpMethod}/${k}`).join(', ')}]`);
      // AWS keys method settings by the escaped resource path: `~1pets/GET` for /pets.
      const key = `${path.split('/')[1]!}/${method!}`;
      if (resourcePath !== '*' && !Object.values(api.resources).some((r) => r.path === resourcePath)) throw bad(`Invalid method setting path: ${path}: no resource ${resourcePath}`);
      const setting = (s.methodSettings[key] ??= { ...(s.methodSettings['*/*'] ?? defaultMethodSetting()) });
      if (op === 'remove') delete s.methodSettings[key];
      else setter(setting, o.value, path);
    } else if (parts.length === 2 && op === 'remove') delete s.methodSettings[path.slice(1)];
    else throw bad(`Invalid patch path ${path}`);
  }
  return s;
}
