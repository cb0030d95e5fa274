import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { asFunctionDoc } from '../model.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';
import { checkUrlQualifier, noSuchResource, urlConfigShape, urlView } from '../urls.js';

export const getFunctionUrlConfig = defineAction<LambdaBackend>()({
  name: 'GetFunctionUrlConfig',
  http: { method: 'GET', uri: '/2021-10-31/functions/{FunctionName}/url' },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: qualifierQuery }),
  output: urlConfigShape,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    checkUrlQualifier(id.qualifier);
    const f = await lambda.catalog.get('function', id.name, asFunctionDoc);
    const u = f?.doc.urls.find((x) => x.qualifier === (id.qualifier ?? ''));
    if (!u) throw noSuchResource();
    return urlView(lambda, ctx.baseUrl, id.name, u);
  },
});
