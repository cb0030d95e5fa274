import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { configurationOf } from '../config.js';
import { functionConfiguration, functionNameLabel, qualifierQuery, tags } from '../shapes.js';

export const getFunction = defineAction<LambdaBackend>()({
  name: 'GetFunction',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}' },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: qualifierQuery }),
  output: t.struct({
    Configuration: functionConfiguration,
    Code: t.struct({ RepositoryType: t.string(), Location: t.string() }),
    Tags: tags,
    Concurrency: t.struct({ ReservedConcurrentExecutions: t.integer() }),
  }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const f = await lambda.function(id.name, id.qualifier);
    const v = lambda.versionOf(f.doc, id.qualifier);
    return {
      Configuration: configurationOf(lambda, f.doc, v),
      // Lambda answers a presigned S3 URL; Stratus keeps packages in the cluster and names them by hash.
      Code: { RepositoryType: 'Stratus', Location: `stratus://lambda-code/${v.code.sha256}` },
      ...(Object.keys(f.doc.tags).length > 0 ? { Tags: f.doc.tags } : {}),
      ...(f.doc.reserved !== null ? { Concurrency: { ReservedConcurrentExecutions: f.doc.reserved } } : {}),
    };
  },
});
