import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { apiKeyView, readApiKey } from './keys.js';
import { apiKeyLabel, apiKeyShape } from './shapes.js';

export const getApiKey = defineAction<ApigwBackend>()({
  name: 'GetApiKey',
  http: { method: 'GET', uri: '/apikeys/{apiKey}' },
  input: t.struct({ apiKey: apiKeyLabel, includeValue: t.boolean({ location: 'querystring', locationName: 'includeValue' }) }),
  output: apiKeyShape,
  async handler(input, _ctx, backend) {
    return apiKeyView(await readApiKey(backend, input.apiKey), input.includeValue ?? false);
  },
});
