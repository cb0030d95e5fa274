import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { asUsagePlanDoc } from '../model.js';
import { checkApiStage, readUsagePlan, usagePlanNotFound, usagePlanView } from './keys.js';
import { patchOperations, usagePlanIdLabel, usagePlanShape } from './shapes.js';
import { addedApiStages, patchUsagePlan } from './usage-plan-patch.js';

export const updateUsagePlan = defineAction<ApigwBackend>()({
  name: 'UpdateUsagePlan',
  http: { method: 'PATCH', uri: '/usageplans/{usagePlanId}' },
  input: t.struct({ usagePlanId: usagePlanIdLabel, patchOperations }),
  output: usagePlanShape,
  async handler(input, _ctx, backend) {
    const ops = input.patchOperations ?? [];
    const plan = await readUsagePlan(backend, input.usagePlanId);
    for (const s of addedApiStages(ops)) await checkApiStage(backend, s.apiId, s.stage, plan.name);
    const next = await backend.store.update('usageplan', input.usagePlanId, asUsagePlanDoc, usagePlanNotFound, (p) => patchUsagePlan(p, ops));
    return usagePlanView(next!);
  },
});
