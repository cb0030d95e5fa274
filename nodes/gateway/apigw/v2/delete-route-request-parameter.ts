import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editApiV2, routeNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel } from './shapes.js';

export const deleteRouteRequestParameter = defineAction<ApigwBackend>()({
  name: 'DeleteRouteRequestParameter',
  http: { method: 'DELETE', uri: '/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}', code: 204 },
  input: t.struct({ apiId: apiIdLabel, routeId: routeIdLabel, requestParameterKey: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editApiV2(backend, input.apiId, (api) => {
      const r = api.routes[input.routeId];
      if (!r) throw routeNotFound(input.routeId);
      if (!(input.requestParameterKey in r.requestParameters)) throw new AwsError('ApigwNotFoundException', `Invalid request parameter key specified ${input.requestParameterKey}`);
      delete r.requestParameters[input.requestParameterKey];
    });
    return {};
  },
});
