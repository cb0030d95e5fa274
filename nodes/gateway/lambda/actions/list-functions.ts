import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { configurationOf } from '../config.js';
import { asFunctionDoc } from '../model.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { functionConfiguration, markerQuery, maxItemsQuery } from '../shapes.js';

export const listFunctions = defineAction<LambdaBackend>()({
  name: 'ListFunctions',
  http: { method: 'GET', uri: '/2015-03-31/functions' },
  input: t.struct({
    MasterRegion: t.string({ location: 'querystring', locationName: 'MasterRegion' }),
    FunctionVersion: t.string({ location: 'querystring', locationName: 'FunctionVersion' }),
    Marker: markerQuery,
    MaxItems: maxItemsQuery,
  }),
  output: t.struct({ NextMarker: t.string(), Functions: t.list(functionConfiguration) }),
  async handler(input, _ctx, lambda) {
    if (input.FunctionVersion !== undefined && input.FunctionVersion !== 'ALL') {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${input.FunctionVersion}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]`);
    }
    // AWS: up to 50 functions per page.
    const limit = Math.min(input.MaxItems ?? 50, 50);
    const after = input.Marker === undefined ? undefined : decodeMarker(input.Marker);
    const docs = await lambda.catalog.list('function', after, limit + 1, asFunctionDoc);
    const page = docs.slice(0, limit);
    const functions = page.flatMap((d) => (input.FunctionVersion === 'ALL' ? [d.latest, ...d.versions] : [d.latest]).map((v) => configurationOf(lambda, d, v)));
    return { Functions: functions, ...(docs.length > limit ? { NextMarker: encodeMarker(page[page.length - 1]!.name) } : {}) };
  },
});
