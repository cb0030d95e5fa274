// v1 GetUsage and UpdateUsage over the shared quota counters (quota.ts): per key and UTC day,
// `[used, remaining]`, remaining counted against the plan's quota within its period (0 when the
// plan has no quota). UpdateUsage's `replace /remaining` sets what is left of the current period.
import { defineAction, type AnyAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { type UsagePlanDoc, asUsagePlanDoc } from '../../model.js';
import { apiKeyNotFound, usagePlanNotFound } from '../../v1/keys.js';
import { patchOperations } from '../../v1/shapes.js';
import { type UsageDoc, asUsageDoc, changeUsage, dayOf, periodStart, usageName } from './quota.js';

const DAY_MS = 86_400_000;
/** AWS serves at most 90 days of usage per call. */
const MAX_DAYS = 90;

const usageShape = t.struct({
  usagePlanId: t.string(),
  startDate: t.string(),
  endDate: t.string(),
  items: t.map(t.list(t.list(t.integer())), { locationName: 'values' }),
  position: t.string(),
});

function parseDay(s: string, what: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw new AwsError('ApigwBadRequestException', `Invalid ${what} date: ${s}`);
  return ms;
}

async function readPlan(backend: ApigwBackend, id: string): Promise<UsagePlanDoc> {
  const p = await backend.store.get('usageplan', id, asUsagePlanDoc, 0);
  if (!p) throw usagePlanNotFound();
  return p;
}

/** `[used, remaining]` for each day from `from` to `to` (epoch ms of UTC midnights). */
function series(plan: UsagePlanDoc, doc: UsageDoc, from: number, to: number): number[][] {
  const out: number[][] = [];
  for (let d = from; d <= to; d += DAY_MS) {
    const used = doc.days[dayOf(d)] ?? 0;
    let remaining = 0;
    if (plan.quota) {
      const start = periodStart(plan.quota, d);
      // The current period's total is the counter itself (UpdateUsage may have set it); earlier ones sum their days.
      let spent = 0;
      if (doc.period === start) spent = doc.used;
      else for (let x = start; x <= d; x += DAY_MS) spent += doc.days[dayOf(x)] ?? 0;
      remaining = Math.max(0, plan.quota.limit - spent);
    }
    out.push([used, remaining]);
  }
  return out;
}

export const getUsage = defineAction<ApigwBackend>()({
  name: 'GetUsage',
  http: { method: 'GET', uri: '/usageplans/{usagePlanId}/usage' },
  input: t.struct({
    usagePlanId: t.string({ required: true, location: 'uri' }),
    startDate: t.string({ required: true, location: 'querystring', locationName: 'startDate' }),
    endDate: t.string({ required: true, location: 'querystring', locationName: 'endDate' }),
    keyId: t.string({ location: 'querystring', locationName: 'keyId' }),
    position: t.string({ location: 'querystring', locationName: 'position' }),
    limit: t.integer({ location: 'querystring', locationName: 'limit' }),
  }),
  output: usageShape,
  async handler(input, _ctx, backend) {
    const from = parseDay(input.startDate, 'start');
    const to = parseDay(input.endDate, 'end');
    if (to < from) throw new AwsError('ApigwBadRequestException', 'The end date must not be before the start date.');
    if ((to - from) / DAY_MS >= MAX_DAYS) throw new AwsError('ApigwBadRequestException', `Usage can be retrieved for at most ${MAX_DAYS} days.`);
    const plan = await readPlan(backend, input.usagePlanId);
    const keys = input.keyId !== undefined ? [input.keyId] : Object.keys(plan.keys).sort();
    const items: Record<string, number[][]> = {};
    for (const keyId of keys) {
      if (plan.keys[keyId] === undefined) continue;
      const doc = asUsageDoc(await backend.store.get('apimisc', usageName(plan.id, keyId), (v) => v, 0));
      items[keyId] = series(plan, doc, from, to);
    }
    return { usagePlanId: plan.id, startDate: input.startDate, endDate: input.endDate, items };
  },
});

export const updateUsage = defineAction<ApigwBackend>()({
  name: 'UpdateUsage',
  http: { method: 'PATCH', uri: '/usageplans/{usagePlanId}/keys/{keyId}/usage' },
  input: t.struct({ usagePlanId: t.string({ required: true, location: 'uri' }), keyId: t.string({ required: true, location: 'uri' }), patchOperations }),
  output: usageShape,
  async handler(input, _ctx, backend) {
    const plan = await readPlan(backend, input.usagePlanId);
    if (plan.keys[input.keyId] === undefined) throw apiKeyNotFound();
    let remaining: number | undefined;
    for (const op of input.patchOperations ?? []) {
      if (op.op !== 'replace' || op.path !== '/remaining') throw new AwsError('ApigwBadRequestException', `Invalid patch path ${op.path ?? ''}`);
      const n = Number(op.value);
      if (!Number.isInteger(n) || n < 0) throw new AwsError('ApigwBadRequestException', `Invalid remaining value: ${op.value ?? ''}`);
      remaining = n;
    }
    const now = Date.now();
    const today = now - (now % DAY_MS);
    let doc = asUsageDoc(await backend.store.get('apimisc', usageName(plan.id, input.keyId), (v) => v, 0));
    if (remaining !== undefined) {
      if (!plan.quota) throw new AwsError('ApigwBadRequestException', 'The usage plan has no quota.');
      const period = periodStart(plan.quota, now);
      const used = Math.max(0, plan.quota.limit - remaining);
      doc = await changeUsage(backend, usageName(plan.id, input.keyId), (d) => ({ period, used, days: d.days }));
    }
    const day = dayOf(today);
    return { usagePlanId: plan.id, startDate: day, endDate: day, items: { [input.keyId]: series(plan, doc, today, today) } };
  },
});

export const USAGE_ACTIONS: AnyAction<ApigwBackend>[] = [getUsage, updateUsage];
