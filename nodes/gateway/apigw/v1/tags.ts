// Tagging by ARN (TagResource, UntagResource, GetTags): REST APIs and their stages live in the
// API's document, API keys and usage plans in their own.
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';
import { asApiKeyDoc, asUsagePlanDoc } from '../model.js';
import { apiKeyNotFound, readApiKey, readUsagePlan, usagePlanNotFound } from './keys.js';
import { editRestApi, stageNotFound } from './lookup.js';

type Target = { kind: 'restapi'; id: string } | { kind: 'stage'; id: string; stage: string } | { kind: 'apikey'; id: string } | { kind: 'usageplan'; id: string };

const MAX_TAGS = 50;

const ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]*::(\/.+)$/;

export function taggable(arn: string): Target {
  const path = ARN.exec(arn)?.[1];
  const parts = path?.split('/').slice(1) ?? [];
  if (parts[0] === 'restapis' && parts.length === 2) return { kind: 'restapi', id: parts[1]! };
  if (parts[0] === 'restapis' && parts.length === 4 && parts[2] === 'stages') return { kind: 'stage', id: parts[1]!, stage: parts[3]! };
  if (parts[0] === 'apikeys' && parts.length === 2) return { kind: 'apikey', id: parts[1]! };
  if (parts[0] === 'usageplans' && parts.length === 2) return { kind: 'usageplan', id: parts[1]! };
  throw new AwsError('ApigwBadRequestException', `Invalid resource ARN specified: ${arn}`);
}

/** AWS: at most 50 tags, keys up to 128 characters (not `aws:`), values up to 256. */
export function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw new AwsError('ApigwBadRequestException', `Too many tags: a resource may have at most ${MAX_TAGS}`);
  for (const [k, v] of Object.entries(tags)) {
    if (k.length === 0 || k.length > 128 || v.length > 256) throw new AwsError('ApigwBadRequestException', `Invalid tag: keys are 1 to 128 characters and values up to 256 (${k})`);
    if (k.toLowerCase().startsWith('aws:')) throw new AwsError('ApigwBadRequestException', `Tag keys starting with 'aws:' are reserved (${k})`);
  }
}

export async function readTags(backend: ApigwBackend, target: Target): Promise<Record<string, string>> {
  switch (target.kind) {
    case 'restapi':
      return (await backend.restApi(target.id)).tags;
    case 'stage': {
      const s = (await backend.restApi(target.id)).stages[target.stage];
      if (!s) throw stageNotFound();
      return s.tags;
    }
    case 'apikey':
      return (await readApiKey(backend, target.id)).tags;
    case 'usageplan':
      return (await readUsagePlan(backend, target.id)).tags;
  }
}

/** Applies `change` to the target's tags; the result may hold at most 50. */
export async function editTags(backend: ApigwBackend, target: Target, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const next = (tags: Record<string, string>): Record<string, string> => {
    const out = change(tags);
    if (Object.keys(out).length > MAX_TAGS) throw new AwsError('ApigwBadRequestException', `Too many tags: a resource may have at most ${MAX_TAGS}`);
    return out;
  };
  switch (target.kind) {
    case 'restapi':
      await editRestApi(backend, target.id, (api) => void (api.tags = next(api.tags)));
      return;
    case 'stage':
      await editRestApi(backend, target.id, (api) => {
        const s = api.stages[target.stage];
        if (!s) throw stageNotFound();
        s.tags = next(s.tags);
      });
      return;
    case 'apikey':
      await backend.store.update('apikey', target.id, asApiKeyDoc, apiKeyNotFound, (k) => ({ ...k, tags: next(k.tags) }));
      return;
    case 'usageplan':
      await backend.store.update('usageplan', target.id, asUsagePlanDoc, usagePlanNotFound, (p) => ({ ...p, tags: next(p.tags) }));
      return;
  }
}
