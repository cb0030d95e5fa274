import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { layerVersionShape, layerVersionView } from '../layers.js';
import { parseLayerName } from '../names.js';

export const getLayerVersion = defineAction<LambdaBackend>()({
  name: 'GetLayerVersion',
  http: { method: 'GET', uri: '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}' },
  input: t.struct({
    LayerName: t.string({ required: true, location: 'uri', locationName: 'LayerName' }),
    VersionNumber: t.integer({ required: true, location: 'uri', locationName: 'VersionNumber' }),
  }),
  output: layerVersionShape,
  async handler(input, ctx, lambda) {
    const name = parseLayerName(input.LayerName, { region: lambda.opts.region, accountId: ctx.accountId });
    const v = (await lambda.layer(name))?.doc.versions.find((x) => x.version === input.VersionNumber);
    if (!v) throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.');
    return layerVersionView(lambda, name, v);
  },
});
