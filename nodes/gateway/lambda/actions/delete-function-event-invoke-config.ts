import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';

export const deleteFunctionEventInvokeConfig = defineAction<LambdaBackend>()({
  name: 'DeleteFunctionEventInvokeConfig',
  http: { method: 'DELETE', uri: '/2019-09-25/functions/{FunctionName}/event-invoke-config', code: 204 },
  input: t.struct({
    FunctionName: functionNameLabel,
    Qualifier: qualifierQuery,
  }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const qualifier = id.qualifier ?? '$LATEST';
    await updateFunction(lambda, id.name, (d) => {
      if (!d.invokeConfigs.some((x) => x.qualifier === qualifier)) throw new AwsError('ResourceNotFoundException', `The function ${lambda.arn(id.name, qualifier)} doesn't have an EventInvokeConfig`);
      return { ...d, invokeConfigs: d.invokeConfigs.filter((x) => x.qualifier !== qualifier) };
    });
    return {};
  },
});
