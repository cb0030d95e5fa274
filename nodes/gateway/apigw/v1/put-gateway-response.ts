import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type GatewayResponseDoc } from '../model.js';
import { editRestApi } from './lookup.js';
import { badRequest } from './patch.js';
import { gatewayResponseType, gatewayResponseView } from './parts.js';
import { STATUS_CODE } from './put-method-response.js';
import { gatewayResponseShape, restApiIdLabel } from './shapes.js';

export const responseTypeLabel = t.string({ required: true, location: 'uri' });

export const putGatewayResponse = defineAction<ApigwBackend>()({
  name: 'PutGatewayResponse',
  http: { method: 'PUT', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}', code: 201 },
  input: t.struct({ restApiId: restApiIdLabel, responseType: responseTypeLabel, statusCode: t.string(), responseParameters: t.map(t.string()), responseTemplates: t.map(t.string()) }),
  output: gatewayResponseShape,
  async handler(input, _ctx, backend) {
    const type = gatewayResponseType(input.responseType);
    if (input.statusCode !== undefined && !STATUS_CODE.test(input.statusCode)) throw badRequest('Invalid status code specified');
    return editRestApi(backend, input.restApiId, (api) => {
      const r: GatewayResponseDoc = {
        responseType: type,
        ...(input.statusCode !== undefined ? { statusCode: input.statusCode } : {}),
        responseParameters: input.responseParameters ?? {},
        responseTemplates: input.responseTemplates ?? {},
      };
      api.gatewayResponses[type] = r;
      return gatewayResponseView(api, type);
    });
  },
});
