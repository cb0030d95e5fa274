import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { provisionedShape, provisionedView } from '../provisioned.js';
import { functionNameLabel } from '../shapes.js';

export const getProvisionedConcurrencyConfig = defineAction<LambdaBackend>()({
  name: 'GetProvisionedConcurrencyConfig',
  http: { method: 'GET', uri: '/2019-09-30/functions/{FunctionName}/provisioned-concurrency' },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: t.string({ required: true, location: 'querystring', locationName: 'Qualifier' }) }),
  output: provisionedShape,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const f = await lambda.function(id.name);
    const p = f.doc.provisioned.find((x) => x.qualifier === id.qualifier);
    if (!p) throw new AwsError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function');
    return provisionedView(lambda, id.name, p, false);
  },
});
