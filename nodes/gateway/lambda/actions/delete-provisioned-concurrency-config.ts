import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { functionNameLabel } from '../shapes.js';

export const deleteProvisionedConcurrencyConfig = defineAction<LambdaBackend>()({
  name: 'DeleteProvisionedConcurrencyConfig',
  http: { method: 'DELETE', uri: '/2019-09-30/functions/{FunctionName}/provisioned-concurrency', code: 204 },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: t.string({ required: true, location: 'querystring', locationName: 'Qualifier' }) }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    await updateFunction(lambda, id.name, (d) => {
      if (!d.provisioned.some((p) => p.qualifier === id.qualifier)) throw new AwsError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function');
      d.provisioned = d.provisioned.filter((p) => p.qualifier !== id.qualifier);
      return d;
    });
    void lambda.provisioner.reconcile();
    return {};
  },
});
