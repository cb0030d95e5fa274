import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RouteResponseDoc } from '../model.js';
import { newId } from '../store.js';
import { editApiV2, routeNotFound } from './lookup.js';
import { apiIdLabel, routeIdLabel } from './shapes.js';

const routeResponseShape = t.struct({
  modelSelectionExpression: t.string(),
  responseModels: t.map(t.string()),
  responseParameters: t.map(t.struct({ required: t.boolean() })),
  routeResponseId: t.string(),
  routeResponseKey: t.string(),
});

// A route response makes a WebSocket route two-way: the integration's answer goes back to the client.
export const createRouteResponse = defineAction<ApigwBackend>()({
  name: 'CreateRouteResponse',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/routes/{routeId}/routeresponses', code: 201 },
  input: t.struct({
    apiId: apiIdLabel,
    routeId: routeIdLabel,
    routeResponseKey: t.string({ required: true }),
    modelSelectionExpression: t.string(),
    responseModels: t.map(t.string()),
    responseParameters: t.map(t.struct({ required: t.boolean() })),
  }),
  output: routeResponseShape,
  async handler(input, _ctx, backend) {
    return editApiV2(backend, input.apiId, (api) => {
      if (api.protocolType !== 'WEBSOCKET') throw new AwsError('ApigwBadRequestException', 'Route responses are supported only for WebSocket APIs.');
      const route = api.routes[input.routeId];
      if (!route) throw routeNotFound(input.routeId);
      if (Object.values(route.routeResponses).some((r) => r.routeResponseKey === input.routeResponseKey)) throw new AwsError('ApigwConflictException', `Route response ${input.routeResponseKey} already exists`);
      const r: RouteResponseDoc = {
        routeResponseId: newId(6),
        routeResponseKey: input.routeResponseKey,
        ...(input.modelSelectionExpression !== undefined ? { modelSelectionExpression: input.modelSelectionExpression } : {}),
        responseModels: input.responseModels ?? {},
        responseParameters: Object.fromEntries(Object.entries(input.responseParameters ?? {}).map(([k, v]) => [k, { required: v.required ?? false }])),
      };
      route.routeResponses[r.routeResponseId] = r;
      return r;
    });
  },
});
