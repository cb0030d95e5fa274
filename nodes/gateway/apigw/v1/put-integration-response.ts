import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type IntegrationResponseDoc } from '../model.js';
import { editRestApi, integrationNotFound, methodOf } from './lookup.js';
import { STATUS_CODE } from './put-method-response.js';
import { httpMethodLabel, integrationResponseShape, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const putIntegrationResponse = defineAction<ApigwBackend>()({
  name: 'PutIntegrationResponse',
  http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration/responses/{statusCode}', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    resourceId: resourceIdLabel,
    httpMethod: httpMethodLabel,
    statusCode: statusCodeLabel,
    selectionPattern: t.string(),
    responseParameters: t.map(t.string()),
    responseTemplates: t.map(t.string()),
    contentHandling: t.string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
  }),
  output: integrationResponseShape,
  async handler(input, _ctx, backend) {
    if (!STATUS_CODE.test(input.statusCode)) throw new AwsError('ApigwBadRequestException', 'Invalid Response status code specified');
    if (input.selectionPattern !== undefined) {
      try {
        new RegExp(input.selectionPattern);
      } catch {
        throw new AwsError('ApigwBadRequestException', `Invalid selection pattern specified: ${input.selectionPattern}`);
      }
    }
    return editRestApi(backend, input.restApiId, (api) => {
      const m = methodOf(api, input.resourceId, input.httpMethod);
      if (!m.methodIntegration) throw integrationNotFound();
      if (!m.methodResponses[input.statusCode]) throw new AwsError('ApigwBadRequestException', 'Invalid mapping expression specified: no method response for this status code');
      const r: IntegrationResponseDoc = {
        statusCode: input.statusCode,
        ...(input.selectionPattern !== undefined ? { selectionPattern: input.selectionPattern } : {}),
        responseParameters: input.responseParameters ?? {},
        responseTemplates: input.responseTemplates ?? {},
        ...(input.contentHandling !== undefined ? { contentHandling: input.contentHandling as NonNullable<IntegrationResponseDoc['contentHandling']> } : {}),
      };
      m.methodIntegration.integrationResponses[input.statusCode] = r;
      return r;
    });
  },
});
