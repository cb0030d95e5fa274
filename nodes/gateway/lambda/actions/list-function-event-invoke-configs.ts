import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { invokeConfigView } from '../invoke-configs.js';
import { functionNameLabel, invokeConfigShape, markerQuery, maxItemsQuery } from '../shapes.js';

export const listFunctionEventInvokeConfigs = defineAction<LambdaBackend>()({
  name: 'ListFunctionEventInvokeConfigs',
  http: { method: 'GET', uri: '/2019-09-25/functions/{FunctionName}/event-invoke-config/list' },
  input: t.struct({ FunctionName: functionNameLabel, Marker: markerQuery, MaxItems: t.integer({ location: 'querystring', locationName: 'MaxItems', min: 1, max: 50 }) }),
  output: t.struct({ FunctionEventInvokeConfigs: t.list(invokeConfigShape), NextMarker: t.string() }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.function(id.name);
    return { FunctionEventInvokeConfigs: f.doc.invokeConfigs.map((c) => invokeConfigView(lambda, id.name, c)) };
  },
});
