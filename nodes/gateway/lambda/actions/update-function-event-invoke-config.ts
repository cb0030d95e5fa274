import { defineAction } from '../../action.js';
import { type LambdaBackend } from '../backend.js';
import { invokeConfigInput, saveInvokeConfig } from '../invoke-configs.js';
import { invokeConfigShape } from '../shapes.js';

export const updateFunctionEventInvokeConfig = defineAction<LambdaBackend>()({
  name: 'UpdateFunctionEventInvokeConfig',
  http: { method: 'POST', uri: '/2019-09-25/functions/{FunctionName}/event-invoke-config' },
  input: invokeConfigInput,
  output: invokeConfigShape,
  handler: (input, ctx, lambda) => saveInvokeConfig(lambda, input, ctx, true),
});
