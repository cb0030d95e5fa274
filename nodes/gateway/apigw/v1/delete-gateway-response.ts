import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi } from './lookup.js';
import { gatewayResponseType } from './parts.js';
import { responseTypeLabel } from './put-gateway-response.js';
import { restApiIdLabel } from './shapes.js';

export const deleteGatewayResponse = defineAction<ApigwBackend>()({
  name: 'DeleteGatewayResponse',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, responseType: responseTypeLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    const type = gatewayResponseType(input.responseType);
    await editRestApi(backend, input.restApiId, (api) => {
      // Deleting resets the type to AWS's default.
      if (!api.gatewayResponses[type]) throw new AwsError('ApigwNotFoundException', 'Invalid Gateway Response type specified');
      delete api.gatewayResponses[type];
    });
    return {};
  },
});
