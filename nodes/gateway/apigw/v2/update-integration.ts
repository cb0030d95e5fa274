import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type IntegrationType, type IntegrationV2Doc } from '../model.js';
import { integrationView } from './create-integration.js';
import { editApiV2, integrationNotFound } from './lookup.js';
import { apiIdLabel, integrationIdLabel, integrationInput, integrationShape } from './shapes.js';

export const updateIntegration = defineAction<ApigwBackend>()({
  name: 'UpdateIntegration',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/integrations/{integrationId}' },
  input: t.struct({ apiId: apiIdLabel, integrationId: integrationIdLabel, integrationType: t.string({ enum: ['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'] }), ...integrationInput }),
  output: integrationShape,
  async handler(input, _ctx, backend) {
    const out = await editApiV2(backend, input.apiId, (api) => {
      const i = api.integrations[input.integrationId];
      if (!i) throw integrationNotFound(input.integrationId);
      const http = api.protocolType === 'HTTP';
      if (input.integrationType !== undefined) {
        const type = input.integrationType as IntegrationType;
        if (http && (type === 'AWS' || type === 'HTTP' || type === 'MOCK')) throw new AwsError('ApigwBadRequestException', `Integration type ${type} is not supported for HTTP APIs.`);
        i.integrationType = type;
      }
      if (input.payloadFormatVersion !== undefined) {
        const v = input.payloadFormatVersion;
        if (v !== '1.0' && v !== '2.0') throw new AwsError('ApigwBadRequestException', `Invalid payload format version ${v}: it must be 1.0 or 2.0.`);
        if (!http && v === '2.0') throw new AwsError('ApigwBadRequestException', 'WebSocket APIs support payload format version 1.0 only.');
        i.payloadFormatVersion = v;
      }
      if (input.timeoutInMillis !== undefined) {
        const max = http ? 30_000 : 29_000;
        if (input.timeoutInMillis > max) throw new AwsError('ApigwBadRequestException', `Timeout must be between 50 ms and ${max} ms.`);
        i.timeoutInMillis = input.timeoutInMillis;
      }
      if (input.integrationUri !== undefined) i.integrationUri = input.integrationUri;
      if (input.integrationMethod !== undefined) i.integrationMethod = input.integrationMethod;
      if (input.integrationSubtype !== undefined) i.integrationSubtype = input.integrationSubtype;
      if (input.connectionType !== undefined) i.connectionType = input.connectionType as IntegrationV2Doc['connectionType'];
      if (input.connectionId !== undefined) i.connectionId = input.connectionId;
      if (input.credentialsArn !== undefined) i.credentialsArn = input.credentialsArn;
      if (input.description !== undefined) i.description = input.description;
      if (input.passthroughBehavior !== undefined) i.passthroughBehavior = input.passthroughBehavior as NonNullable<IntegrationV2Doc['passthroughBehavior']>;
      if (input.contentHandlingStrategy !== undefined) i.contentHandlingStrategy = input.contentHandlingStrategy as NonNullable<IntegrationV2Doc['contentHandlingStrategy']>;
      if (input.requestParameters !== undefined) i.requestParameters = { ...i.requestParameters, ...input.requestParameters };
      if (input.requestTemplates !== undefined) i.requestTemplates = { ...i.requestTemplates, ...input.requestTemplates };
      if (input.responseParameters !== undefined) i.responseParameters = { ...i.responseParameters, ...input.responseParameters };
      if (input.templateSelectionExpression !== undefined) i.templateSelectionExpression = input.templateSelectionExpression;
      if (i.integrationType === 'AWS_PROXY' && http && i.integrationSubtype === undefined && i.payloadFormatVersion === undefined) {
        throw new AwsError('ApigwBadRequestException', 'PayloadFormatVersion is required for Lambda proxy integrations of HTTP APIs: 1.0 or 2.0.');
      }
      return i;
    });
    return integrationView(out);
  },
});
