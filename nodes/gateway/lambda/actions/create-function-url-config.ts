import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { changeFunction } from '../doc-write.js';
import { type UrlDoc } from '../model.js';
import { checkAuthType } from '../policy.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';
import { checkAliasExists, checkCors, checkInvokeMode, checkUrlQualifier, corsShape, functionUrl, newUrlId, noSuchFunction, nowIso } from '../urls.js';

export const createFunctionUrlConfig = defineAction<LambdaBackend>()({
  name: 'CreateFunctionUrlConfig',
  http: { method: 'POST', uri: '/2021-10-31/functions/{FunctionName}/url', code: 201 },
  input: t.struct({
    FunctionName: functionNameLabel,
    Qualifier: qualifierQuery,
    AuthType: t.string({ required: true }),
    Cors: corsShape,
    InvokeMode: t.string(),
  }),
  output: t.struct({
    FunctionUrl: t.string(),
    FunctionArn: t.string(),
    AuthType: t.string(),
    Cors: corsShape,
    CreationTime: t.string(),
    InvokeMode: t.string(),
  }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    checkUrlQualifier(id.qualifier);
    const authType = checkAuthType(input.AuthType, 'authType');
    const mode = input.InvokeMode === undefined ? undefined : checkInvokeMode(input.InvokeMode);
    const cors = input.Cors === undefined ? undefined : checkCors(input.Cors);
    const key = id.qualifier ?? '';
    const arn = lambda.arn(id.name, id.qualifier);
    let created: UrlDoc | undefined;
    await changeFunction(lambda, id.name, noSuchFunction, (d) => {
      if (d.urls.some((u) => u.qualifier === key)) {
        throw new AwsError('ResourceConflictException', `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
      }
      checkAliasExists(d, key);
      const now = nowIso();
      created = { qualifier: key, authType, urlId: newUrlId(), cors: cors ?? null, invokeMode: 'BUFFERED', created: now, lastModified: now };
      d.urls.push(created);
      return d;
    });
    const u = created!;
    // Lambda echoes InvokeMode only when the request set it (Get always shows it).
    return {
      FunctionUrl: functionUrl(ctx.baseUrl, u.urlId, lambda.opts.region),
      FunctionArn: arn,
      AuthType: u.authType,
      ...(cors ? { Cors: cors } : {}),
      CreationTime: u.created,
      ...(mode ? { InvokeMode: mode } : {}),
    };
  },
});
