import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiKeyDoc, asApiKeyDoc } from '../model.js';
import { apiKeyNotFound, apiKeyView, checkApiStage } from './keys.js';
import { nowSeconds } from './lookup.js';
import { type PatchRules, applyPatch, badRequest, parseBool, required, stringRule } from './patch.js';
import { apiKeyLabel, apiKeyShape, patchOperations } from './shapes.js';

const RULES: PatchRules<ApiKeyDoc> = {
  '/name': stringRule<ApiKeyDoc>('name', { removable: false }),
  '/description': stringRule<ApiKeyDoc>('description'),
  '/customerId': stringRule<ApiKeyDoc>('customerId'),
  '/enabled': { set: (k, v, _a, p) => (k.enabled = parseBool(v, p)), get: (k) => String(k.enabled) },
  // The value is `{restApiId}/{stageName}`.
  '/stages': {
    set: (k, v, _a, p) => {
      const sk = required(v, p);
      if (!/^[^/]+\/[^/]+$/.test(sk)) throw badRequest(`Invalid stage key ${sk}: expected {restApiId}/{stageName}`);
      if (!k.stageKeys.includes(sk)) k.stageKeys.push(sk);
    },
    remove: (k, _a, p, v) => {
      const sk = required(v, p);
      k.stageKeys = k.stageKeys.filter((s) => s !== sk);
    },
  },
};

export const updateApiKey = defineAction<ApigwBackend>()({
  name: 'UpdateApiKey',
  http: { method: 'PATCH', uri: '/apikeys/{apiKey}' },
  input: t.struct({ apiKey: apiKeyLabel, patchOperations }),
  output: apiKeyShape,
  async handler(input, _ctx, backend) {
    const ops = input.patchOperations ?? [];
    // Stage keys may only name existing stages; the check reads other documents, so it runs first.
    for (const o of ops) {
      if (o.path === '/stages' && o.op !== 'remove' && o.value !== undefined) {
        const [apiId, stage] = o.value.split('/');
        if (apiId !== undefined && stage !== undefined) await checkApiStage(backend, apiId, stage);
      }
    }
    const next = await backend.store.update('apikey', input.apiKey, asApiKeyDoc, apiKeyNotFound, (k) => {
      applyPatch(k, ops, RULES);
      k.lastUpdatedDate = nowSeconds();
      return k;
    });
    return apiKeyView(next!, false);
  },
});
