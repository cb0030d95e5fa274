import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asUsagePlanDoc } from '../model.js';
import { usagePlanKeyNotFound, usagePlanNotFound } from './keys.js';
import { usagePlanIdLabel } from './shapes.js';

export const deleteUsagePlanKey = defineAction<ApigwBackend>()({
  name: 'DeleteUsagePlanKey',
  http: { method: 'DELETE', uri: '/usageplans/{usagePlanId}/keys/{keyId}', code: 202 },
  input: t.struct({ usagePlanId: usagePlanIdLabel, keyId: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await backend.store.update('usageplan', input.usagePlanId, asUsagePlanDoc, usagePlanNotFound, (p) => {
      if (!p.keys[input.keyId]) throw usagePlanKeyNotFound();
      delete p.keys[input.keyId];
      return p;
    });
    return {};
  },
});
