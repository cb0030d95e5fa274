import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { changeFunction } from '../doc-write.js';
import { type UrlDoc } from '../model.js';
import { checkAuthType } from '../policy.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';
import { checkAliasExists, checkCors, checkInvokeMode, checkUrlQualifier, corsShape, noSuchFunction, noSuchResource, nowIso, urlConfigShape, urlView } from '../urls.js';

export const updateFunctionUrlConfig = defineAction<LambdaBackend>()({
  name: 'UpdateFunctionUrlConfig',
  http: { method: 'PUT', uri: '/2021-10-31/functions/{FunctionName}/url' },
  input: t.struct({
    FunctionName: functionNameLabel,
    Qualifier: qualifierQuery,
    AuthType: t.string(),
    Cors: corsShape,
    InvokeMode: t.string(),
  }),
  output: urlConfigShape,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    checkUrlQualifier(id.qualifier);
    const authType = input.AuthType === undefined ? undefined : checkAuthType(input.AuthType, 'authType');
    if (input.InvokeMode !== undefined) checkInvokeMode(input.InvokeMode);
    const cors = input.Cors === undefined ? undefined : checkCors(input.Cors);
    const key = id.qualifier ?? '';
    let updated: UrlDoc | undefined;
    await changeFunction(lambda, id.name, noSuchFunction, (d) => {
      checkAliasExists(d, key);
      const u = d.urls.find((x) => x.qualifier === key);
      if (!u) throw noSuchResource();
      // Members left out keep their value; a given Cors replaces the whole configuration.
      if (authType !== undefined) u.authType = authType;
      if (cors !== undefined) u.cors = cors;
      u.lastModified = nowIso();
      updated = u;
      return d;
    });
    const view = urlView(lambda, ctx.baseUrl, id.name, updated!);
    // Lambda echoes InvokeMode only when it was asked to set it.
    if (input.InvokeMode === undefined) delete view.InvokeMode;
    return view;
  },
});
