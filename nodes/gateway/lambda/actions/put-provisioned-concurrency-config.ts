import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { lastModified } from '../config.js';
import { updateFunction } from '../functions.js';
import { provisionedShape, provisionedView } from '../provisioned.js';
import { functionNameLabel } from '../shapes.js';

export const putProvisionedConcurrencyConfig = defineAction<LambdaBackend>()({
  name: 'PutProvisionedConcurrencyConfig',
  http: { method: 'PUT', uri: '/2019-09-30/functions/{FunctionName}/provisioned-concurrency', code: 202 },
  input: t.struct({
    FunctionName: functionNameLabel,
    Qualifier: t.string({ required: true, location: 'querystring', locationName: 'Qualifier' }),
    ProvisionedConcurrentExecutions: t.integer({ required: true }),
  }),
  output: provisionedShape,
  async handler(input, ctx, lambda) {
    const n = input.ProvisionedConcurrentExecutions;
    if (n < 1) throw new AwsError('ValidationException', `1 validation error detected: Value '${n}' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1`);
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const q = id.qualifier!;
    if (q === '$LATEST') throw new AwsError('InvalidParameterValueException', 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    const doc = await updateFunction(lambda, id.name, (d) => {
      if (!d.versions.some((v) => v.version === q) && !d.aliases.some((a) => a.name === q)) throw new AwsError('ResourceNotFoundException', `Function not found: ${lambda.arn(id.name, q)}`);
      const others = d.provisioned.filter((p) => p.qualifier !== q);
      const total = others.reduce((s, p) => s + p.requested, 0) + n;
      if (d.reserved !== null && total > d.reserved) {
        throw new AwsError('InvalidParameterValueException', `Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function (${d.reserved}).`);
      }
      if (total > lambda.opts.accountConcurrency - lambda.opts.minUnreserved) {
        throw new AwsError('InvalidParameterValueException', `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${lambda.opts.accountConcurrency - lambda.opts.minUnreserved}].`);
      }
      d.provisioned = [...others, { qualifier: q, requested: n, lastModified: lastModified() }];
      return d;
    }, q);
    void lambda.provisioner.reconcile();
    return provisionedView(lambda, id.name, doc.provisioned.find((p) => p.qualifier === q)!, false);
  },
});
