import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { invokeConfigView } from '../invoke-configs.js';
import { functionNameLabel, invokeConfigShape, qualifierQuery } from '../shapes.js';

export const getFunctionEventInvokeConfig = defineAction<LambdaBackend>()({
  name: 'GetFunctionEventInvokeConfig',
  http: { method: 'GET', uri: '/2019-09-25/functions/{FunctionName}/event-invoke-config' },
  input: t.struct({
    FunctionName: functionNameLabel,
    Qualifier: qualifierQuery,
  }),
  output: invokeConfigShape,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const qualifier = id.qualifier ?? '$LATEST';
    const f = await lambda.function(id.name, id.qualifier);
    const c = f.doc.invokeConfigs.find((x) => x.qualifier === qualifier);
    if (!c) throw new AwsError('ResourceNotFoundException', `The function ${lambda.arn(id.name, qualifier)} doesn't have an EventInvokeConfig`);
    return invokeConfigView(lambda, id.name, c);
  },
});
