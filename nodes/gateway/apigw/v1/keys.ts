// Account-wide API keys and usage plans (documents `apikey` and `usageplan`): lookups with AWS's
// NotFoundException messages, views and the edits several actions share.
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiKeyDoc, type UsagePlanDoc, asApiKeyDoc, asUsagePlanDoc } from '../model.js';

export const apiKeyNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid API Key identifier specified');
export const usagePlanNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Usage Plan ID specified');
export const usagePlanKeyNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Usage Plan Key identifier specified');

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A generated key value: 40 alphanumeric characters, as AWS's. */
export function newKeyValue(): string {
  let s = '';
  for (const b of randomBytes(40)) s += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return s;
}

export async function readApiKey(backend: ApigwBackend, id: string): Promise<ApiKeyDoc> {
  const k = await backend.store.get('apikey', id, asApiKeyDoc, 0);
  if (!k) throw apiKeyNotFound();
  return k;
}

export async function readUsagePlan(backend: ApigwBackend, id: string): Promise<UsagePlanDoc> {
  const p = await backend.store.get('usageplan', id, asUsagePlanDoc, 0);
  if (!p) throw usagePlanNotFound();
  return p;
}

export function apiKeyView(k: ApiKeyDoc, includeValue: boolean): Record<string, unknown> {
  return {
    id: k.id,
    ...(includeValue ? { value: k.value } : {}),
    name: k.name,
    customerId: k.customerId,
    description: k.description,
    enabled: k.enabled,
    createdDate: k.createdDate,
    lastUpdatedDate: k.lastUpdatedDate,
    stageKeys: k.stageKeys,
    tags: Object.keys(k.tags).length > 0 ? k.tags : undefined,
  };
}

export function usagePlanView(p: UsagePlanDoc): Record<string, unknown> {
  const { keys: _k, ...rest } = p;
  return { ...rest, tags: Object.keys(p.tags).length > 0 ? p.tags : undefined };
}

export function usagePlanKeyView(k: ApiKeyDoc): Record<string, unknown> {
  return { id: k.id, type: 'API_KEY', value: k.value, name: k.name };
}

/**
 * Checks that a `{restApiId}` API has stage `stage` (API keys and usage plans may only name
 * existing stages); `plan` names the usage plan, whose error AWS words differently.
 */
export async function checkApiStage(backend: ApigwBackend, apiId: string, stage: string, plan?: string): Promise<void> {
  const api = await backend.anyApi(apiId, 0);
  if (api?.kind === 'rest' && api.stages[stage]) return;
  if (plan !== undefined) throw new AwsError('ApigwBadRequestException', `Invalid API Stage {api: ${apiId}, stage: ${stage}} specified for usageplan ${plan}`);
  if (api?.kind !== 'rest') throw new AwsError('ApigwNotFoundException', 'Invalid API identifier specified');
  throw new AwsError('ApigwNotFoundException', 'Invalid stage identifier specified');
}

/**
 * Takes a deleted stage (or every stage of a deleted API: `stage` undefined) out of the usage
 * plans and API keys that name it, as AWS does.
 */
export async function forgetStage(backend: ApigwBackend, apiId: string, stage: string | undefined): Promise<void> {
  const matches = (a: string, s: string): boolean => a === apiId && (stage === undefined || s === stage);
  for (const plan of await backend.store.list('usageplan', asUsagePlanDoc)) {
    if (!plan.apiStages.some((s) => matches(s.apiId, s.stage))) continue;
    await backend.store.update('usageplan', plan.id, asUsagePlanDoc, usagePlanNotFound, (p) => ({ ...p, apiStages: p.apiStages.filter((s) => !matches(s.apiId, s.stage)) }));
  }
  for (const key of await backend.store.list('apikey', asApiKeyDoc)) {
    const named = (sk: string): boolean => {
      const [a, s] = sk.split('/');
      return a !== undefined && s !== undefined && matches(a, s);
    };
    if (!key.stageKeys.some(named)) continue;
    await backend.store.update('apikey', key.id, asApiKeyDoc, apiKeyNotFound, (k) => ({ ...k, stageKeys: k.stageKeys.filter((sk) => !named(sk)) }));
  }
}

/** Id-ordered paging over a listed collection: `position` is the last id of the previous page. */
export function pageById<T extends { id: string }>(all: T[], position: string | undefined, limit: number | undefined): { page: T[]; position?: string } {
  const sorted = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const from = position === undefined ? sorted : sorted.filter((x) => x.id > position);
  const page = from.slice(0, limit ?? 25);
  return { page, ...(from.length > page.length ? { position: page[page.length - 1]!.id } : {}) };
}
