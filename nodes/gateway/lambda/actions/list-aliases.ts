import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { aliasView } from '../aliases.js';
import { type LambdaBackend } from '../backend.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { aliasConfiguration, functionNameLabel, markerQuery, maxItemsQuery } from '../shapes.js';

export const listAliases = defineAction<LambdaBackend>()({
  name: 'ListAliases',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/aliases' },
  input: t.struct({
    FunctionName: functionNameLabel,
    FunctionVersion: t.string({ location: 'querystring', locationName: 'FunctionVersion' }),
    Marker: markerQuery,
    MaxItems: maxItemsQuery,
  }),
  output: t.struct({ NextMarker: t.string(), Aliases: t.list(aliasConfiguration) }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.function(id.name);
    const after = input.Marker === undefined ? undefined : decodeMarker(input.Marker);
    const all = f.doc.aliases
      .filter((a) => input.FunctionVersion === undefined || a.functionVersion === input.FunctionVersion)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .filter((a) => after === undefined || a.name > after);
    const limit = Math.min(input.MaxItems ?? 50, 50);
    const page = all.slice(0, limit);
    return { Aliases: page.map((a) => aliasView(lambda, id.name, a)), ...(all.length > limit ? { NextMarker: encodeMarker(page[page.length - 1]!.name) } : {}) };
  },
});
