import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { changeFunction } from '../doc-write.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';
import { checkUrlQualifier, noSuchResource } from '../urls.js';

export const deleteFunctionUrlConfig = defineAction<LambdaBackend>()({
  name: 'DeleteFunctionUrlConfig',
  http: { method: 'DELETE', uri: '/2021-10-31/functions/{FunctionName}/url', code: 204 },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: qualifierQuery }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    checkUrlQualifier(id.qualifier);
    const key = id.qualifier ?? '';
    // Unlike DeleteAlias, deleting a URL config that is not there is an error in Lambda.
    await changeFunction(lambda, id.name, noSuchResource, (d) => {
      if (!d.urls.some((u) => u.qualifier === key)) throw noSuchResource();
      d.urls = d.urls.filter((u) => u.qualifier !== key);
      return d;
    });
    return {};
  },
});
