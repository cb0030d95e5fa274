import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type IntegrationResponseV2Doc } from '../model.js';
import { newId } from '../store.js';
import { editApiV2, integrationNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationResponseInput, integrationResponseShape } from './shapes.js';
import { integrationResponseView } from './views.js';

// Integration responses map a WebSocket integration's answer (keys like `$default` or `/2\d\d/`).
export const createIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'CreateIntegrationResponse',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses', code: 201 },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel, integrationResponseKey: t.string({ required: true }), ...integrationResponseInput }),
  output: integrationResponseShape,
  async handler(input, _ctx, backend) {
    const out = await editApiV2(backend, input.apiId, (api) => {
      if (api.protocolType !== 'WEBSOCKET') throw new AwsError('ApigwBadRequestException', 'Integration responses are supported only for WebSocket APIs.');
      const i = api.integrations[input.integrationId];
      if (!i) throw integrationNotFound(input.integrationId);
      if (Object.values(i.integrationResponses).some((r) => r.integrationResponseKey === input.integrationResponseKey)) {
        throw new AwsError('ApigwConflictException', `Integration response ${input.integrationResponseKey} already exists`);
      }
      const r: IntegrationResponseV2Doc = {
        integrationResponseId: newId(6),
        integrationResponseKey: input.integrationResponseKey,
        ...(input.contentHandlingStrategy !== undefined ? { contentHandlingStrategy: input.contentHandlingStrategy as NonNullable<IntegrationResponseV2Doc['contentHandlingStrategy']> } : {}),
        responseParameters: input.responseParameters ?? {},
        responseTemplates: input.responseTemplates ?? {},
        ...(input.templateSelectionExpression !== undefined ? { templateSelectionExpression: input.templateSelectionExpression } : {}),
      };
      i.integrationResponses[r.integrationResponseId] = r;
      return r;
    });
    return integrationResponseView(out);
  },
});
