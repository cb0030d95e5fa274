import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asUsagePlanDoc } from '../model.js';
import { readApiKey, readUsagePlan, usagePlanKeyView, usagePlanNotFound } from './keys.js';
import { usagePlanIdLabel, usagePlanKeyShape } from './shapes.js';

export const createUsagePlanKey = defineAction<ApigwBackend>()({
  name: 'CreateUsagePlanKey',
  http: { method: 'POST', uri: '/usageplans/{usagePlanId}/keys', code: 201 },
  input: t.struct({ usagePlanId: usagePlanIdLabel, keyId: t.string({ required: true }), keyType: t.string({ required: true, enum: ['API_KEY'] }) }),
  output: usagePlanKeyShape,
  async handler(input, _ctx, backend) {
    const plan = await readUsagePlan(backend, input.usagePlanId);
    const key = await readApiKey(backend, input.keyId);
    // A key may not be in two plans covering one API stage: which plan's limits apply would be ambiguous.
    const stages = new Set(plan.apiStages.map((s) => `${s.apiId}:${s.stage}`));
    for (const other of await backend.store.list('usageplan', asUsagePlanDoc)) {
      if (other.id === plan.id || !other.keys[key.id]) continue;
      const shared = other.apiStages.find((s) => stages.has(`${s.apiId}:${s.stage}`));
      if (shared) throw new AwsError('ApigwConflictException', `Usage Plan ${plan.id} cannot be added because API Key ${key.id} cannot reference multiple Usage Plans with the same API Stage: ${shared.apiId}:${shared.stage}`);
    }
    await backend.store.update('usageplan', plan.id, asUsagePlanDoc, usagePlanNotFound, (p) => {
      if (p.keys[key.id]) throw new AwsError('ApigwConflictException', 'Usage Plan Key already exists');
      p.keys[key.id] = 'API_KEY';
      return p;
    });
    return usagePlanKeyView(key);
  },
});
