import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { asLayerDoc, layerCodeBytes } from '../model.js';
import { layerArn, parseLayerName } from '../names.js';

export const deleteLayerVersion = defineAction<LambdaBackend>()({
  name: 'DeleteLayerVersion',
  http: { method: 'DELETE', uri: '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', code: 204 },
  input: t.struct({
    LayerName: t.string({ required: true, location: 'uri', locationName: 'LayerName' }),
    VersionNumber: t.integer({ required: true, location: 'uri', locationName: 'VersionNumber' }),
  }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const name = parseLayerName(input.LayerName, { region: lambda.opts.region, accountId: ctx.accountId });
    if (!(await lambda.layer(name))) return {};
    // Version numbers are never reused: the layer's document stays, with its counter.
    await lambda.catalog.update('layer', name, asLayerDoc, (current) => {
      if (!current) return { doc: null, codeBytes: 0, reserved: null };
      const doc = structuredClone(current.doc);
      doc.versions = doc.versions.filter((v) => v.version !== input.VersionNumber);
      return { doc, codeBytes: layerCodeBytes(doc), reserved: null };
    }, layerArn(lambda.opts.region, lambda.opts.accountId, name, input.VersionNumber));
    return {};
  },
});
