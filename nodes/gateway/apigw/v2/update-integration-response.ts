import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type IntegrationResponseV2Doc } from '../model.js';
import { editApiV2, integrationNotFound, integrationResponseNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationResponseIdLabel, integrationResponseInput, integrationResponseShape } from './shapes.js';
import { integrationResponseView } from './views.js';

export const updateIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'UpdateIntegrationResponse',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}' },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel, integrationResponseId: integrationResponseIdLabel, integrationResponseKey: t.string(), ...integrationResponseInput }),
  output: integrationResponseShape,
  async handler(input, _ctx, backend) {
    const out = await editApiV2(backend, input.apiId, (api) => {
      const i = api.integrations[input.integrationId];
      if (!i) throw integrationNotFound(input.integrationId);
      const r = i.integrationResponses[input.integrationResponseId];
      if (!r) throw integrationResponseNotFound(input.integrationResponseId);
      if (input.integrationResponseKey !== undefined && input.integrationResponseKey !== r.integrationResponseKey) {
        if (Object.values(i.integrationResponses).some((o) => o.integrationResponseKey === input.integrationResponseKey)) {
          throw new AwsError('ApigwConflictException', `Integration response ${input.integrationResponseKey} already exists`);
        }
        r.integrationResponseKey = input.integrationResponseKey;
      }
      if (input.contentHandlingStrategy !== undefined) r.contentHandlingStrategy = input.contentHandlingStrategy as NonNullable<IntegrationResponseV2Doc['contentHandlingStrategy']>;
      if (input.responseParameters !== undefined) r.responseParameters = { ...r.responseParameters, ...input.responseParameters };
      if (input.responseTemplates !== undefined) r.responseTemplates = { ...r.responseTemplates, ...input.responseTemplates };
      if (input.templateSelectionExpression !== undefined) r.templateSelectionExpression = input.templateSelectionExpression;
      return r;
    });
    return integrationResponseView(out);
  },
});
