import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { layerListItem, layerVersionsListItem } from '../layers.js';
import { parseLayerName } from '../names.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { markerQuery } from '../shapes.js';

export const listLayerVersions = defineAction<LambdaBackend>()({
  name: 'ListLayerVersions',
  http: { method: 'GET', uri: '/2018-10-31/layers/{LayerName}/versions' },
  input: t.struct({
    LayerName: t.string({ required: true, location: 'uri', locationName: 'LayerName' }),
    CompatibleRuntime: t.string({ location: 'querystring', locationName: 'CompatibleRuntime' }),
    CompatibleArchitecture: t.string({ location: 'querystring', locationName: 'CompatibleArchitecture' }),
    Marker: markerQuery,
    MaxItems: t.integer({ location: 'querystring', locationName: 'MaxItems', min: 1, max: 50 }),
  }),
  output: t.struct({ NextMarker: t.string(), LayerVersions: t.list(layerVersionsListItem) }),
  async handler(input, ctx, lambda) {
    const name = parseLayerName(input.LayerName, { region: lambda.opts.region, accountId: ctx.accountId });
    const doc = (await lambda.layer(name))?.doc;
    const before = input.Marker === undefined ? Infinity : Number(decodeMarker(input.Marker));
    // Newest first, as Lambda lists them.
    const all = (doc?.versions ?? [])
      .filter((v) => v.version < before)
      .filter((v) => input.CompatibleRuntime === undefined || v.compatibleRuntimes.includes(input.CompatibleRuntime))
      .filter((v) => input.CompatibleArchitecture === undefined || v.compatibleArchitectures.includes(input.CompatibleArchitecture))
      .sort((a, b) => b.version - a.version);
    const limit = input.MaxItems ?? 50;
    const page = all.slice(0, limit);
    return { LayerVersions: page.map((v) => layerListItem(lambda, name, v)), ...(all.length > limit ? { NextMarker: encodeMarker(String(page[page.length - 1]!.version)) } : {}) };
  },
});
