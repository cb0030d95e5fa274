import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { readApiKey, readUsagePlan, usagePlanKeyNotFound, usagePlanKeyView } from './keys.js';
import { usagePlanIdLabel, usagePlanKeyShape } from './shapes.js';

export const getUsagePlanKey = defineAction<ApigwBackend>()({
  name: 'GetUsagePlanKey',
  http: { method: 'GET', uri: '/usageplans/{usagePlanId}/keys/{keyId}' },
  input: t.struct({ usagePlanId: usagePlanIdLabel, keyId: t.string({ required: true, location: 'uri' }) }),
  output: usagePlanKeyShape,
  async handler(input, _ctx, backend) {
    const plan = await readUsagePlan(backend, input.usagePlanId);
    if (!plan.keys[input.keyId]) throw usagePlanKeyNotFound();
    return usagePlanKeyView(await readApiKey(backend, input.keyId));
  },
});
