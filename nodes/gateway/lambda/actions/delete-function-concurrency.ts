import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { functionNameLabel } from '../shapes.js';

export const deleteFunctionConcurrency = defineAction<LambdaBackend>()({
  name: 'DeleteFunctionConcurrency',
  http: { method: 'DELETE', uri: '/2017-10-31/functions/{FunctionName}/concurrency', code: 204 },
  input: t.struct({ FunctionName: functionNameLabel }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    await updateFunction(lambda, id.name, (d) => ({ ...d, reserved: null }));
    lambda.forgetReserved();
    return {};
  },
});
