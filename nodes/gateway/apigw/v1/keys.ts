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

/** Checks that a `{restApiId}` API has stage `stage` (usage plans and API keys may only name existing stages). */
export async function checkApiStage(backend: ApigwBackend, apiId: string, stage: string): Promise<void> {
  const api = await backend.restApi(apiId);
  if (!api.stages[stage]) throw new AwsError('ApigwNotFoundException', 'Invalid stage identifier specified');
}

/** Id-ordered paging over a listed collection: `position` is the last id of the previous page. */
export function pageById<T extends { id: string }>(all: T[], position: string | undefined, limit: number | undefined): { page: T[]; position?: string } {
  const sorted = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const from = position === undefined ? sorted : sorted.filter((x) => x.id > position);
  const page = from.slice(0, limit ?? 25);
  return { page, ...(from.length > page.length ? { position: page[page.length - 1]!.id } : {}) };
}
