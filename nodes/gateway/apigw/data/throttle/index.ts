// Admission of a request to a user-defined API: the account's throttle (10,000 requests/s,
// burst 5,000 by default), the stage's or method's, and, for methods that require an API key,
// the key (present, enabled, in a usage plan of this API stage) with its plan's throttles and
// quota. Answers are AWS's: 429 THROTTLED / QUOTA_EXCEEDED, 403 INVALID_API_KEY.
// Throttle buckets live in this gateway process: with several gateways each enforces the limits
// on its own traffic (a shared limiter is not built). Quota counters are shared through the
// catalog (quota.ts).
import { type ApigwBackend } from '../../backend.js';
import { type ApiKeyDoc, type UsagePlanDoc, asApiKeyDoc, asUsagePlanDoc } from '../../model.js';
import { type Admission, type AdmitCall, type AdmitResult, type Limit } from '../types.js';
import { TokenBucket } from './bucket.js';
import { QuotaCounters } from './quota.js';

interface KeyIndex {
  at: number;
  byValue: Map<string, ApiKeyDoc>;
  plans: UsagePlanDoc[];
}

/** How long a read of keys and plans is reused: key and plan changes reach traffic within this. */
const INDEX_TTL_MS = 1000;

export function createAdmission(backend: ApigwBackend, clock: () => number = () => performance.now(), wall: () => number = () => Date.now()): Admission & { close(): Promise<void> } {
  const account = new TokenBucket(backend.opts.accountRateLimit, backend.opts.accountBurstLimit, clock);
  const buckets = new Map<string, TokenBucket>();
  const quotas = new QuotaCounters(backend, wall);
  let index: Promise<KeyIndex> | undefined;

  const bucket = (key: string, l: Limit): TokenBucket => {
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new TokenBucket(l.rateLimit, l.burstLimit, clock)));
    else b.configure(l.rateLimit, l.burstLimit);
    return b;
  };

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
      if (!account.tryTake()) return throttled();
      const limit = call.methodLimit ?? call.stageLimit;
      if (limit && !bucket(`m:${call.apiId}/${call.stage}/${call.resourcePath} ${call.httpMethod}`, limit).tryTake()) return throttled();
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
        if (!bucket(`k:${plan.id}/${key.id}/${name === 'method' ? `${call.resourcePath} ${call.httpMethod}` : ''}`, { rateLimit: t.rateLimit, burstLimit: t.burstLimit }).tryTake()) return throttled();
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
