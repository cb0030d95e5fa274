import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { buildInvokeConfig, checkQualifier, invokeConfigView } from '../invoke-configs.js';
import { destinationConfig, functionNameLabel, invokeConfigShape, qualifierQuery } from '../shapes.js';

export const putFunctionEventInvokeConfig = defineAction<LambdaBackend>()({
  name: 'PutFunctionEventInvokeConfig',
  http: { method: 'PUT', uri: '/2019-09-25/functions/{FunctionName}/event-invoke-config' },
  input: t.struct({
    FunctionName: functionNameLabel,
    Qualifier: qualifierQuery,
    MaximumRetryAttempts: t.integer(),
    MaximumEventAgeInSeconds: t.integer(),
    DestinationConfig: destinationConfig,
  }),
  output: invokeConfigShape,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const qualifier = id.qualifier ?? '$LATEST';
    const f = await lambda.function(id.name, id.qualifier);
    checkQualifier(lambda, f.doc, qualifier);
    const c = await buildInvokeConfig(lambda, qualifier, input, undefined);
    await updateFunction(lambda, id.name, (d) => ({ ...d, invokeConfigs: [...d.invokeConfigs.filter((x) => x.qualifier !== qualifier), c] }));
    return invokeConfigView(lambda, id.name, c);
  },
});
