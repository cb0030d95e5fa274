import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { gatewayResponseType, gatewayResponseView } from './parts.js';
import { responseTypeLabel } from './put-gateway-response.js';
import { gatewayResponseShape, restApiIdLabel } from './shapes.js';

export const getGatewayResponse = defineAction<ApigwBackend>()({
  name: 'GetGatewayResponse',
  http: { method: 'GET', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}' },
  input: t.struct({ restApiId: restApiIdLabel, responseType: responseTypeLabel }),
  output: gatewayResponseShape,
  async handler(input, _ctx, backend) {
    const type = gatewayResponseType(input.responseType);
    return gatewayResponseView(await backend.restApi(input.restApiId), type);
  },
});
