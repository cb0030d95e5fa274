import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asUsagePlanDoc } from '../model.js';
import { readApiKey, usagePlanNotFound } from './keys.js';
import { apiKeyLabel } from './shapes.js';

export const deleteApiKey = defineAction<ApigwBackend>()({
  name: 'DeleteApiKey',
  http: { method: 'DELETE', uri: '/apikeys/{apiKey}', code: 202 },
  input: t.struct({ apiKey: apiKeyLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    const key = await readApiKey(backend, input.apiKey);
    // A deleted key leaves every usage plan it belonged to.
    for (const plan of await backend.store.list('usageplan', asUsagePlanDoc)) {
      if (!plan.keys[key.id]) continue;
      await backend.store.update('usageplan', plan.id, asUsagePlanDoc, usagePlanNotFound, (p) => {
        delete p.keys[key.id];
        return p;
      });
    }
    await backend.store.remove('apikey', key.id);
    return {};
  },
});
