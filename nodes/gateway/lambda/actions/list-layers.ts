import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { layerListItem, layerVersionsListItem } from '../layers.js';
import { asLayerDoc } from '../model.js';
import { layerArn } from '../names.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { markerQuery } from '../shapes.js';

export const listLayers = defineAction<LambdaBackend>()({
  name: 'ListLayers',
  http: { method: 'GET', uri: '/2018-10-31/layers' },
  input: t.struct({
    CompatibleRuntime: t.string({ location: 'querystring', locationName: 'CompatibleRuntime' }),
    CompatibleArchitecture: t.string({ location: 'querystring', locationName: 'CompatibleArchitecture' }),
    Marker: markerQuery,
    MaxItems: t.integer({ location: 'querystring', locationName: 'MaxItems', min: 1, max: 50 }),
  }),
  output: t.struct({
    NextMarker: t.string(),
    Layers: t.list(t.struct({ LayerName: t.string(), LayerArn: t.string(), LatestMatchingVersion: layerVersionsListItem })),
  }),
  async handler(input, _ctx, lambda) {
    const limit = input.MaxItems ?? 50;
    const after = input.Marker === undefined ? undefined : decodeMarker(input.Marker);
    const docs = await lambda.catalog.list('layer', after, 10_000, asLayerDoc);
    const out = [];
    for (const d of docs) {
      const latest = d.versions
        .filter((v) => input.CompatibleRuntime === undefined || v.compatibleRuntimes.includes(input.CompatibleRuntime))
        .filter((v) => input.CompatibleArchitecture === undefined || v.compatibleArchitectures.includes(input.CompatibleArchitecture))
        .sort((a, b) => b.version - a.version)[0];
      if (!latest) continue;
      out.push({ LayerName: d.name, LayerArn: layerArn(lambda.opts.region, lambda.opts.accountId, d.name), LatestMatchingVersion: layerListItem(lambda, d.name, latest) });
      if (out.length > limit) break;
    }
    const page = out.slice(0, limit);
    return { Layers: page, ...(out.length > limit ? { NextMarker: encodeMarker(page[page.length - 1]!.LayerName) } : {}) };
  },
});
