// Admission of a request to a user-defined API: the account's throttle (10,000 requests/s,
// burst 5,000 by default), the stage's or method's, and, for methods that require an API key,
// the key (present, enabled, in a usage plan of this API stage) with its plan's throttles and
// quota. Answers are AWS's: 429 THROTTLED / QUOTA_EXCEEDED, 403 INVALID_API_KEY.
// Throttle buckets are shared by every gateway (leases.ts: tokens leased from the meta group's
// leader); quota counters are shared through the catalog (quota.ts).
import { type ApigwBackend } from '../../backend.js';
import { type ApiKeyDoc, type UsagePlanDoc, asApiKeyDoc, asUsagePlanDoc } from '../../model.js';
import { type Admission, type AdmitCall, type AdmitResult, type Limit } from '../types.js';
import { META_GROUP } from '../../../../cluster/placement.js';
import { SharedBuckets, type TokenSource } from './leases.js';
import { QuotaCounters } from './quota.js';

interface KeyIndex {
  at: number;
  byValue: Map<string, ApiKeyDoc>;
  plans: UsagePlanDoc[];
}

/** How long a read of keys and plans is reused: key and plan changes reach traffic within this. */
const INDEX_TTL_MS = 1000;

export interface AdmissionOptions {
  clock?: () => number;
  wall?: () => number;
  /** Where shared throttle tokens come from; by default the meta group's leader. */
  tokens?: TokenSource;
  log?: (line: string) => void;
}

export function createAdmission(backend: ApigwBackend, o: AdmissionOptions = {}): Admission & { close(): Promise<void> } {
  const wall = o.wall ?? (() => Date.now());
  const tokens: TokenSource = o.tokens ?? { acquire: (b, rate, burst, want) => backend.deps.client.acquireTokens(META_GROUP, `apigw:${b}`, rate, burst, want) };
  const buckets = new SharedBuckets(tokens, o.clock, o.log);
  const accountLimit = { rateLimit: backend.opts.accountRateLimit, burstLimit: backend.opts.accountBurstLimit };
  const quotas = new QuotaCounters(backend, wall);
  let index: Promise<KeyIndex> | undefined;

  const keys = async (): Promise<KeyIndex> => {
    const now = wall();
    const current = index ? await index : undefined;
    if (current && now - current.at < INDEX_TTL_MS) return current;
    index = (async () => {
      const [all, plans] = await Promise.all([backend.store.list('apikey', asApiKeyDoc), backend.store.list('usageplan', asUsagePlanDoc)]);
      return { at: now, byValue: new Map(all.map((k) => [k.value, k])), plans };
    })();
    index.catch(() => (index = undefined));
    return index;
  };

  const throttled = (): AdmitResult => ({ ok: false, type: 'THROTTLED' });

  return {
    async admit(call: AdmitCall): Promise<AdmitResult> {
      if (!(await buckets.take('account', accountLimit))) return throttled();
      const limit = call.methodLimit ?? call.stageLimit;
      if (limit && !(await buckets.take(`m:${call.apiId}/${call.stage}/${call.resourcePath} ${call.httpMethod}`, limit))) return throttled();
      if (!call.apiKeyRequired) return { ok: true };
      if (call.apiKey === undefined) return { ok: false, type: 'INVALID_API_KEY', message: 'Forbidden' };
      const idx = await keys();
      const key = idx.byValue.get(call.apiKey);
      if (!key || !key.enabled) return { ok: false, type: 'INVALID_API_KEY', message: 'Forbidden' };
      const plan = idx.plans.find((p) => p.keys[key.id] !== undefined && p.apiStages.some((s) => s.apiId === call.apiId && s.stage === call.stage));
      if (!plan) return { ok: false, type: 'INVALID_API_KEY', message: 'Forbidden' };
      const stage = plan.apiStages.find((s) => s.apiId === call.apiId && s.stage === call.stage);
      const perMethod = stage?.throttle?.[`${call.resourcePath}/${call.httpMethod}`];
      for (const [name, t] of [['plan', plan.throttle], ['method', perMethod]] as const) {
        if (t?.rateLimit === undefined || t.burstLimit === undefined) continue;
        if (!(await buckets.take(`k:${plan.id}/${key.id}/${name === 'method' ? `${call.resourcePath} ${call.httpMethod}` : ''}`, { rateLimit: t.rateLimit, burstLimit: t.burstLimit }))) return throttled();
      }
      if (plan.quota && !quotas.take(plan.id, key.id, plan.quota)) return { ok: false, type: 'QUOTA_EXCEEDED', message: 'Limit Exceeded' };
      return { ok: true, apiKeyId: key.id };
    },
    async close() {
      buckets.clear();
      await quotas.close();
    },
  };
}
