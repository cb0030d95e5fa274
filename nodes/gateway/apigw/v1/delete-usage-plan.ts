import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { readUsagePlan } from './keys.js';
import { usagePlanIdLabel } from './shapes.js';

export const deleteUsagePlan = defineAction<ApigwBackend>()({
  name: 'DeleteUsagePlan',
  http: { method: 'DELETE', uri: '/usageplans/{usagePlanId}', code: 202 },
  input: t.struct({ usagePlanId: usagePlanIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    const plan = await readUsagePlan(backend, input.usagePlanId);
    const first = plan.apiStages[0];
    if (first) throw new AwsError('ApigwBadRequestException', `Cannot delete Usage Plan ${plan.id} because there are API Stages associated with it, including ${first.apiId}:${first.stage}`);
    await backend.store.remove('usageplan', plan.id);
    return {};
  },
});
