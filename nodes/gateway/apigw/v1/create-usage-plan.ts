import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type QuotaSettings, type ThrottleSettings, type UsagePlanDoc } from '../model.js';
import { newId } from '../store.js';
import { checkApiStage, usagePlanView } from './keys.js';
import { quotaInput, tagsShape, throttleInput, usagePlanShape } from './shapes.js';
import { checkTags } from './tags.js';
import { checkQuota } from './usage-plan-patch.js';

export const createUsagePlan = defineAction<ApigwBackend>()({
  name: 'CreateUsagePlan',
  http: { method: 'POST', uri: '/usageplans', code: 201 },
  input: t.struct({
    name: t.string({ required: true }),
    description: t.string(),
    apiStages: t.list(t.struct({ apiId: t.string({ required: true }), stage: t.string({ required: true }), throttle: t.map(throttleInput) })),
    throttle: throttleInput,
    quota: quotaInput,
    tags: tagsShape,
  }),
  output: usagePlanShape,
  async handler(input, _ctx, backend) {
    checkTags(input.tags ?? {});
    const apiStages: UsagePlanDoc['apiStages'] = [];
    for (const s of input.apiStages ?? []) {
      await checkApiStage(backend, s.apiId, s.stage, input.name);
      if (apiStages.some((x) => x.apiId === s.apiId && x.stage === s.stage)) throw new AwsError('ApigwBadRequestException', `Duplicate API stage ${s.apiId}:${s.stage}`);
      apiStages.push({ apiId: s.apiId, stage: s.stage, ...(s.throttle ? { throttle: s.throttle as Record<string, ThrottleSettings> } : {}) });
    }
    let quota: QuotaSettings | undefined;
    if (input.quota) {
      if (input.quota.limit === undefined || input.quota.period === undefined) throw new AwsError('ApigwBadRequestException', 'Quota limit and period are required');
      quota = { limit: input.quota.limit, offset: input.quota.offset ?? 0, period: input.quota.period as QuotaSettings['period'] };
      checkQuota(quota);
    }
    const doc: UsagePlanDoc = {
      id: newId(),
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      apiStages,
      ...(input.throttle ? { throttle: input.throttle } : {}),
      ...(quota ? { quota } : {}),
      tags: input.tags ?? {},
      keys: {},
    };
    await backend.store.create('usageplan', doc.id, doc);
    return usagePlanView(doc);
  },
});
