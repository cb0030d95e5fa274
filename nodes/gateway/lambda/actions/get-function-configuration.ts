import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { configurationOf } from '../config.js';
import { functionConfiguration, functionNameLabel, qualifierQuery } from '../shapes.js';

export const getFunctionConfiguration = defineAction<LambdaBackend>()({
  name: 'GetFunctionConfiguration',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: qualifierQuery }),
  output: functionConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const f = await lambda.function(id.name, id.qualifier);
    return configurationOf(lambda, f.doc, lambda.versionOf(f.doc, id.qualifier));
  },
});
