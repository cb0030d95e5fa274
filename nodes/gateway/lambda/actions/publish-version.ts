import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { configurationOf } from '../config.js';
import { checkRevision, updateFunction } from '../functions.js';
import { functionConfiguration, functionNameLabel } from '../shapes.js';
import { publish } from '../versions.js';

export const publishVersion = defineAction<LambdaBackend>()({
  name: 'PublishVersion',
  http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/versions', code: 201 },
  input: t.struct({ FunctionName: functionNameLabel, CodeSha256: t.string(), Description: t.string({ max: 256 }), RevisionId: t.string() }),
  output: functionConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    let version = '';
    const doc = await updateFunction(lambda, id.name, (d) => {
      checkRevision(d.latest.revisionId, input.RevisionId);
      if (input.CodeSha256 !== undefined && input.CodeSha256 !== d.latest.codeSha256) {
        throw new AwsError('InvalidParameterValueException', `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${d.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`);
      }
      version = publish(d, input.Description ?? '').version;
      return d;
    });
    return configurationOf(lambda, doc, lambda.versionOf(doc, version));
  },
});
