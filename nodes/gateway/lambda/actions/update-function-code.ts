import { randomUUID } from 'node:crypto';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { storeZip } from '../code.js';
import { configurationOf, lastModified } from '../config.js';
import { checkRevision, updateFunction } from '../functions.js';
import { functionConfiguration, functionNameLabel } from '../shapes.js';
import { publish } from '../versions.js';

export const updateFunctionCode = defineAction<LambdaBackend>()({
  name: 'UpdateFunctionCode',
  http: { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/code' },
  input: t.struct({
    FunctionName: functionNameLabel,
    ZipFile: t.blob(),
    S3Bucket: t.string(),
    S3Key: t.string(),
    S3ObjectVersion: t.string(),
    ImageUri: t.string(),
    Publish: t.boolean(),
    DryRun: t.boolean(),
    RevisionId: t.string(),
    Architectures: t.list(t.string()),
  }),
  output: functionConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    if (id.qualifier !== undefined) throw new AwsError('InvalidParameterValueException', 'Only the unqualified function ($LATEST) can be updated.');
    await lambda.function(id.name);
    const stored = await storeZip(lambda, input.ZipFile, 'UpdateFunctionCode');
    let shown = '$LATEST';
    const doc = await updateFunction(lambda, id.name, (d) => {
      checkRevision(d.latest.revisionId, input.RevisionId);
      if (input.DryRun) return d;
      d.latest = { ...d.latest, code: stored.code, codeSha256: stored.codeSha256, lastModified: lastModified(), revisionId: randomUUID() };
      if (input.Publish) shown = publish(d, '').version;
      return d;
    });
    return configurationOf(lambda, doc, lambda.versionOf(doc, shown));
  },
});
