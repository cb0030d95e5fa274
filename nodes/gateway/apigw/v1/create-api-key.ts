import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiKeyDoc, asApiKeyDoc } from '../model.js';
import { newId } from '../store.js';
import { apiKeyView, checkApiStage, newKeyValue } from './keys.js';
import { nowSeconds } from './lookup.js';
import { apiKeyShape, tagsShape } from './shapes.js';
import { checkTags } from './tags.js';

export const createApiKey = defineAction<ApigwBackend>()({
  name: 'CreateApiKey',
  http: { method: 'POST', uri: '/apikeys', code: 201 },
  input: t.struct({
    name: t.string(),
    description: t.string(),
    enabled: t.boolean(),
    generateDistinctId: t.boolean(),
    value: t.string(),
    stageKeys: t.list(t.struct({ restApiId: t.string(), stageName: t.string() })),
    customerId: t.string(),
    tags: tagsShape,
  }),
  output: apiKeyShape,
  async handler(input, _ctx, backend) {
    checkTags(input.tags ?? {});
    // AWS: a key is 20 to 128 characters.
    if (input.value !== undefined && (input.value.length < 20 || input.value.length > 128)) throw new AwsError('ApigwBadRequestException', 'API Key value should be at least 20 characters');
    const value = input.value ?? newKeyValue();
    const taken = (await backend.store.list('apikey', asApiKeyDoc)).some((k) => k.value === value);
    if (taken) throw new AwsError('ApigwConflictException', 'API Key already exists');
    const stageKeys: string[] = [];
    for (const sk of input.stageKeys ?? []) {
      if (sk.restApiId === undefined || sk.stageName === undefined) throw new AwsError('ApigwBadRequestException', 'Invalid stage key specified');
      await checkApiStage(backend, sk.restApiId, sk.stageName);
      stageKeys.push(`${sk.restApiId}/${sk.stageName}`);
    }
    const now = nowSeconds();
    const doc: ApiKeyDoc = {
      id: newId(),
      value,
      // AWS names an unnamed key after its id.
      name: input.name ?? '',
      ...(input.description !== undefined ? { description: input.description } : {}),
      enabled: input.enabled ?? false,
      ...(input.customerId !== undefined ? { customerId: input.customerId } : {}),
      stageKeys,
      tags: input.tags ?? {},
      createdDate: now,
      lastUpdatedDate: now,
    };
    if (doc.name === '') doc.name = doc.id;
    await backend.store.create('apikey', doc.id, doc);
    return apiKeyView(doc, true);
  },
});
