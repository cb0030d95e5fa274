import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type GatewayResponseDoc } from '../model.js';
import { editRestApi } from './lookup.js';
import { type PatchRules, applyPatch, badRequest, mapEntryRule, stringRule } from './patch.js';
import { gatewayResponseBase, gatewayResponseType, gatewayResponseView } from './parts.js';
import { responseTypeLabel } from './put-gateway-response.js';
import { STATUS_CODE } from './put-method-response.js';
import { gatewayResponseShape, patchOperations, restApiIdLabel } from './shapes.js';

const RULES: PatchRules<GatewayResponseDoc> = {
  '/statusCode': stringRule<GatewayResponseDoc>('statusCode', {
    check: (v) => {
      if (!STATUS_CODE.test(v)) throw badRequest('Invalid status code specified');
    },
  }),
  '/responseParameters/*': mapEntryRule<GatewayResponseDoc>('responseParameters'),
  '/responseTemplates/*': mapEntryRule<GatewayResponseDoc>('responseTemplates'),
};

export const updateGatewayResponse = defineAction<ApigwBackend>()({
  name: 'UpdateGatewayResponse',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/gatewayresponses/{responseType}' },
  input: t.struct({ restApiId: restApiIdLabel, responseType: responseTypeLabel, patchOperations }),
  output: gatewayResponseShape,
  async handler(input, _ctx, backend) {
    const type = gatewayResponseType(input.responseType);
    return editRestApi(backend, input.restApiId, (api) => {
      // Updating a type nobody customised starts from AWS's default for it.
      api.gatewayResponses[type] = applyPatch(structuredClone(gatewayResponseBase(api, type)), input.patchOperations ?? [], RULES);
      return gatewayResponseView(api, type);
    });
  },
});
