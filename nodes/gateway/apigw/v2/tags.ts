// Tags of HTTP and WebSocket APIs and their stages, addressed by ARN
// (`arn:aws:apigateway:{region}::/apis/{apiId}[/stages/{stageName}]`).
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, stageOf } from './lookup.js';

type Target = { id: string; stage?: string };

const ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]*::\/apis\/([^/]+)(?:\/stages\/([^/]+))?$/;
const MAX_TAGS = 50;

export function taggable(arn: string): Target {
  const m = ARN.exec(arn);
  if (!m) throw new AwsError('ApigwBadRequestException', `Invalid resource ARN specified: ${arn}`);
  return { id: m[1]!, ...(m[2] !== undefined ? { stage: m[2] } : {}) };
}

export async function readTags(backend: ApigwBackend, target: Target): Promise<Record<string, string>> {
  const api = await backend.apiV2(target.id);
  if (target.stage === undefined) return api.tags;
  const s = stageOf(api, target.stage);
  return s.tags;
}

/** AWS: at most 50 tags, keys 1–128 characters (not `aws:`), values up to 256. */
export async function editTags(backend: ApigwBackend, target: Target, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const next = (tags: Record<string, string>): Record<string, string> => {
    const out = change(tags);
    if (Object.keys(out).length > MAX_TAGS) throw new AwsError('ApigwBadRequestException', `Too many tags: a resource may have at most ${MAX_TAGS}`);
    return out;
  };
  await editApiV2(backend, target.id, (api) => {
    if (target.stage === undefined) api.tags = next(api.tags);
    else {
      const s = stageOf(api, target.stage);
      s.tags = next(s.tags);
    }
  }, false);
}

export function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (k.length === 0 || k.length > 128 || v.length > 256) throw new AwsError('ApigwBadRequestException', `Invalid tag: keys are 1 to 128 characters and values up to 256 (${k})`);
    if (k.toLowerCase().startsWith('aws:')) throw new AwsError('ApigwBadRequestException', `Tag keys starting with 'aws:' are reserved (${k})`);
  }
}
