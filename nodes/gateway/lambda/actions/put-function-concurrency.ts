import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { functionNameLabel } from '../shapes.js';

export const putFunctionConcurrency = defineAction<LambdaBackend>()({
  name: 'PutFunctionConcurrency',
  http: { method: 'PUT', uri: '/2017-10-31/functions/{FunctionName}/concurrency' },
  input: t.struct({ FunctionName: functionNameLabel, ReservedConcurrentExecutions: t.integer({ required: true }) }),
  output: t.struct({ ReservedConcurrentExecutions: t.integer() }),
  async handler(input, ctx, lambda) {
    const n = input.ReservedConcurrentExecutions;
    if (n < 0) throw new AwsError('ValidationException', `1 validation error detected: Value '${n}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`);
    const id = lambda.id(input.FunctionName, undefined, ctx);
    if (id.qualifier !== undefined) throw new AwsError('InvalidParameterValueException', 'Reserved concurrency applies to the unqualified function only.');
    // The account-wide check (100 kept unreserved) runs in the meta group, against every reservation.
    await updateFunction(lambda, id.name, (d) => ({ ...d, reserved: n }));
    lambda.forgetReserved();
    return { ReservedConcurrentExecutions: n };
  },
});
