import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { deleteFunctionDoc, updateFunction } from '../functions.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';

export const deleteFunction = defineAction<LambdaBackend>()({
  name: 'DeleteFunction',
  http: { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}', code: 204 },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: qualifierQuery }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    if (id.qualifier !== undefined && id.qualifier !== '$LATEST') {
      const q = id.qualifier;
      await updateFunction(lambda, id.name, (d) => {
        if (!d.versions.some((v) => v.version === q)) throw new AwsError('ResourceNotFoundException', `Function not found: ${lambda.arn(id.name, q)}`);
        const aliases = d.aliases.filter((a) => a.functionVersion === q || q in a.weights).map((a) => a.name);
        if (aliases.length > 0) throw new AwsError('ResourceConflictException', `Unable to delete version because the following aliases reference it: [${aliases.join(', ')}]`);
        d.versions = d.versions.filter((v) => v.version !== q);
        d.invokeConfigs = d.invokeConfigs.filter((c) => c.qualifier !== q);
        d.provisioned = d.provisioned.filter((c) => c.qualifier !== q);
        return d;
      }, q);
      return {};
    }
    if (id.qualifier === '$LATEST') throw new AwsError('InvalidParameterValueException', '$LATEST version cannot be deleted without deleting the function.');
    for (let attempt = 0; attempt < 5; attempt++) {
      const f = await lambda.catalog.fresh('function', id.name, (v) => v);
      if (!f) throw new AwsError('ResourceNotFoundException', `Function not found: ${lambda.arn(id.name)}`);
      if (await deleteFunctionDoc(lambda, id.name, f.rev)) {
        await lambda.logs.drop(id.name);
        return {};
      }
    }
    throw new AwsError('ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${lambda.arn(id.name)}`);
  },
});
