import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { provisionedShape, provisionedView } from '../provisioned.js';
import { functionNameLabel, markerQuery } from '../shapes.js';

export const listProvisionedConcurrencyConfigs = defineAction<LambdaBackend>()({
  name: 'ListProvisionedConcurrencyConfigs',
  http: { method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL' },
  input: t.struct({ FunctionName: functionNameLabel, Marker: markerQuery, MaxItems: t.integer({ location: 'querystring', locationName: 'MaxItems', min: 1, max: 50 }) }),
  output: t.struct({ ProvisionedConcurrencyConfigs: t.list(provisionedShape), NextMarker: t.string() }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.function(id.name);
    return { ProvisionedConcurrencyConfigs: f.doc.provisioned.map((p) => provisionedView(lambda, id.name, p, true)) };
  },
});
