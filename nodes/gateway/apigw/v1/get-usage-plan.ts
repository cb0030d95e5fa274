import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { readUsagePlan, usagePlanView } from './keys.js';
import { usagePlanIdLabel, usagePlanShape } from './shapes.js';

export const getUsagePlan = defineAction<ApigwBackend>()({
  name: 'GetUsagePlan',
  http: { method: 'GET', uri: '/usageplans/{usagePlanId}' },
  input: t.struct({ usagePlanId: usagePlanIdLabel }),
  output: usagePlanShape,
  async handler(input, _ctx, backend) {
    return usagePlanView(await readUsagePlan(backend, input.usagePlanId));
  },
});
