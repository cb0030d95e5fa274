// UpdateUsagePlan's patch paths: names, the plan's throttle and quota, its API stages (`{apiId}:{stage}`)
// and per-method throttles of a stage (`/apiStages/{apiId}:{stage}/throttle/{~1path}/{METHOD}/rateLimit`),
// stored by `{resourcePath}/{METHOD}` as AWS shows them.
import { type QuotaSettings, type ThrottleSettings, type UsagePlanDoc } from '../model.js';
import { type PatchOp, type PatchRules, applyPatch, badRequest, parseEnum, parseNumber, required, stringRule } from './patch.js';

const MAX = 1e9;

function apiStage(p: UsagePlanDoc, key: string, path: string): UsagePlanDoc['apiStages'][number] {
  const [apiId, stage] = key.split(':');
  const s = p.apiStages.find((x) => x.apiId === apiId && x.stage === stage);
  if (!s) throw badRequest(`Invalid API stage ${key} in ${path}: the usage plan has no such stage`);
  return s;
}

function throttleField(t: ThrottleSettings, field: string, v: string | undefined, path: string): void {
  if (field === 'burstLimit') t.burstLimit = parseNumber(v, path, 0, MAX, true);
  else if (field === 'rateLimit') t.rateLimit = parseNumber(v, path, 0, MAX);
  else throw badRequest(`Invalid patch path '${path}': expected burstLimit or rateLimit`);
}

/** `/pets/GET`; the root resource's methods are `/GET`. */
const methodKey = (resource: string, method: string): string => `${resource === '/' ? '' : resource}/${method.toUpperCase()}`;

const quota = (p: UsagePlanDoc): QuotaSettings => (p.quota ??= { limit: 0, offset: 0, period: 'DAY' });

const RULES: PatchRules<UsagePlanDoc> = {
  '/name': stringRule<UsagePlanDoc>('name', { removable: false }),
  '/description': stringRule<UsagePlanDoc>('description'),
  '/productCode': stringRule<UsagePlanDoc>('productCode'),
  '/apiStages': {
    set: (p, v, _a, path) => {
      const key = required(v, path);
      const [apiId, stage] = key.split(':');
      if (apiId === undefined || stage === undefined || stage === '') throw badRequest(`Invalid API stage ${key}: expected {apiId}:{stage}`);
      if (!p.apiStages.some((s) => s.apiId === apiId && s.stage === stage)) p.apiStages.push({ apiId, stage });
    },
    remove: (p, _a, path, v) => {
      const s = apiStage(p, required(v, path), path);
      p.apiStages = p.apiStages.filter((x) => x !== s);
    },
  },
  '/apiStages/*/throttle': { remove: (p, [key], path) => void delete apiStage(p, key!, path).throttle },
  '/apiStages/*/throttle/*/*': { remove: (p, [key, resource, method], path) => void delete apiStage(p, key!, path).throttle?.[methodKey(resource!, method!)] },
  '/apiStages/*/throttle/*/*/*': {
    set: (p, v, [key, resource, method, field], path) => {
      const s = apiStage(p, key!, path);
      const all = (s.throttle ??= {});
      throttleField((all[methodKey(resource!, method!)] ??= {}), field!, v, path);
    },
  },
  '/throttle': { remove: (p) => void delete p.throttle },
  '/throttle/*': { set: (p, v, [field], path) => throttleField((p.throttle ??= {}), field!, v, path), remove: (p, [field]) => void (p.throttle && delete p.throttle[field as keyof ThrottleSettings]) },
  '/quota': { remove: (p) => void delete p.quota },
  '/quota/limit': { set: (p, v, _a, path) => (quota(p).limit = parseNumber(v, path, 0, MAX, true)) },
  '/quota/offset': { set: (p, v, _a, path) => (quota(p).offset = parseNumber(v, path, 0, MAX, true)) },
  '/quota/period': { set: (p, v, _a, path) => (quota(p).period = parseEnum(v, path, ['DAY', 'WEEK', 'MONTH'] as const)) },
};

/** AWS: the offset is in days into the period (DAY: 0, WEEK: 0-6, MONTH: 0-27). */
export function checkQuota(q: QuotaSettings): void {
  const max = q.period === 'DAY' ? 0 : q.period === 'WEEK' ? 6 : 27;
  if (q.offset > max) throw badRequest(`Invalid quota offset ${q.offset} for period ${q.period}: must be from 0 to ${max}`);
}

export function patchUsagePlan(plan: UsagePlanDoc, ops: readonly PatchOp[]): UsagePlanDoc {
  const next = applyPatch(plan, ops, RULES);
  if (next.quota) checkQuota(next.quota);
  return next;
}

/** The `{apiId}:{stage}` pairs the operations add (their existence is checked before the edit). */
export function addedApiStages(ops: readonly PatchOp[]): { apiId: string; stage: string }[] {
  const out: { apiId: string; stage: string }[] = [];
  for (const o of ops) {
    if (o.path !== '/apiStages' || o.op === 'remove' || o.value === undefined) continue;
    const [apiId, stage] = o.value.split(':');
    if (apiId !== undefined && stage !== undefined) out.push({ apiId, stage });
  }
  return out;
}
