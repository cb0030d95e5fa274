import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { storeZip } from '../code.js';
import { RUNTIMES, lastModified } from '../config.js';
import { layerVersionShape, layerVersionView } from '../layers.js';
import { type LayerDoc, type LayerVersionDoc, asLayerDoc, layerCodeBytes } from '../model.js';
import { layerArn, parseLayerName } from '../names.js';

export const publishLayerVersion = defineAction<LambdaBackend>()({
  name: 'PublishLayerVersion',
  http: { method: 'POST', uri: '/2018-10-31/layers/{LayerName}/versions', code: 201 },
  input: t.struct({
    LayerName: t.string({ required: true, location: 'uri', locationName: 'LayerName' }),
    Description: t.string({ max: 256 }),
    Content: t.struct({ ZipFile: t.blob(), S3Bucket: t.string(), S3Key: t.string(), S3ObjectVersion: t.string() }, { required: true }),
    CompatibleRuntimes: t.list(t.string()),
    LicenseInfo: t.string({ max: 512 }),
    CompatibleArchitectures: t.list(t.string()),
  }),
  output: layerVersionShape,
  async handler(input, ctx, lambda) {
    const name = parseLayerName(input.LayerName, { region: lambda.opts.region, accountId: ctx.accountId });
    const runtimes = input.CompatibleRuntimes ?? [];
    if (runtimes.length > 15) throw new AwsError('ValidationException', `1 validation error detected: Value '[${runtimes.join(', ')}]' at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15`);
    for (const r of runtimes) {
      if (!(RUNTIMES as readonly string[]).includes(r) && !/^[a-z]+[0-9.]*(\.x|\.al2|\.al2023)?$/.test(r)) throw new AwsError('ValidationException', `1 validation error detected: Value '${r}' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set`);
    }
    const stored = await storeZip(lambda, input.Content.ZipFile, 'PublishLayerVersion');
    let published: LayerVersionDoc | undefined;
    const arn = layerArn(lambda.opts.region, lambda.opts.accountId, name);
    await lambda.catalog.update('layer', name, asLayerDoc, (current) => {
      const doc: LayerDoc = current ? structuredClone(current.doc) : { name, versions: [], nextVersion: 1 };
      published = {
        version: doc.nextVersion,
        description: input.Description ?? '',
        compatibleRuntimes: runtimes,
        compatibleArchitectures: input.CompatibleArchitectures ?? [],
        licenseInfo: input.LicenseInfo ?? '',
        code: stored.code,
        codeSha256: stored.codeSha256,
        created: lastModified(),
      };
      doc.versions.push(published);
      doc.nextVersion++;
      return { doc, codeBytes: layerCodeBytes(doc), reserved: null };
    }, arn);
    return layerVersionView(lambda, name, published!);
  },
});
