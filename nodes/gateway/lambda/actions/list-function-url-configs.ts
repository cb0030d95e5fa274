import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { asFunctionDoc } from '../model.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { functionNameLabel, markerQuery } from '../shapes.js';
import { noSuchFunction, urlConfigShape, urlView } from '../urls.js';

export const listFunctionUrlConfigs = defineAction<LambdaBackend>()({
  name: 'ListFunctionUrlConfigs',
  http: { method: 'GET', uri: '/2021-10-31/functions/{FunctionName}/urls' },
  input: t.struct({
    FunctionName: functionNameLabel,
    Marker: markerQuery,
    // AWS: 1–50 URL configs a page.
    MaxItems: t.integer({ location: 'querystring', locationName: 'MaxItems', min: 1, max: 50 }),
  }),
  output: t.struct({ FunctionUrlConfigs: t.list(urlConfigShape), NextMarker: t.string() }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.catalog.get('function', id.name, asFunctionDoc);
    if (!f) throw noSuchFunction();
    const after = input.Marker === undefined ? undefined : decodeMarker(input.Marker);
    // The unqualified function's config ('') sorts first, then the aliases' by name.
    const all = [...f.doc.urls].sort((a, b) => (a.qualifier < b.qualifier ? -1 : a.qualifier > b.qualifier ? 1 : 0)).filter((u) => after === undefined || u.qualifier > after);
    const limit = input.MaxItems ?? 50;
    const page = all.slice(0, limit);
    return {
      FunctionUrlConfigs: page.map((u) => urlView(lambda, ctx.baseUrl, id.name, u)),
      ...(all.length > limit ? { NextMarker: encodeMarker(page[page.length - 1]!.qualifier) } : {}),
    };
  },
});
