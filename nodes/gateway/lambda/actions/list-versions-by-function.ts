import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { configurationOf } from '../config.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { functionConfiguration, functionNameLabel, markerQuery, maxItemsQuery } from '../shapes.js';

export const listVersionsByFunction = defineAction<LambdaBackend>()({
  name: 'ListVersionsByFunction',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/versions' },
  input: t.struct({ FunctionName: functionNameLabel, Marker: markerQuery, MaxItems: maxItemsQuery }),
  output: t.struct({ NextMarker: t.string(), Versions: t.list(functionConfiguration) }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.function(id.name);
    const all = [f.doc.latest, ...f.doc.versions];
    const start = input.Marker === undefined ? 0 : Math.max(0, all.findIndex((v) => v.version === decodeMarker(input.Marker!)) + 1);
    const limit = Math.min(input.MaxItems ?? 50, 50);
    const page = all.slice(start, start + limit);
    return {
      Versions: page.map((v) => configurationOf(lambda, f.doc, v)),
      ...(start + limit < all.length ? { NextMarker: encodeMarker(page[page.length - 1]!.version) } : {}),
    };
  },
});
