import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { functionNameLabel } from '../shapes.js';

export const getFunctionConcurrency = defineAction<LambdaBackend>()({
  name: 'GetFunctionConcurrency',
  http: { method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/concurrency' },
  input: t.struct({ FunctionName: functionNameLabel }),
  output: t.struct({ ReservedConcurrentExecutions: t.integer() }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.function(id.name);
    return f.doc.reserved === null ? {} : { ReservedConcurrentExecutions: f.doc.reserved };
  },
});
