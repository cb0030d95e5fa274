// Authorization of API requests: Lambda authorizers (REST TOKEN and REQUEST; HTTP and WebSocket
// REQUEST, with simple responses), their results cached for authorizerResultTtlInSeconds by
// identity, AWS_IAM (a SigV4 signature for `execute-api`), HTTP APIs' JWT authorizers (jwt.ts)
// and REST APIs' resource policies (checked for every caller when set). Cognito user pool
// authorizers answer as a configuration error: there is no Cognito here.
import { type Authenticate } from '../../../http.js';
import { Attr, SpanName, withSpanOpts } from '../../../../telemetry/index.js';
import { type ApigwBackend } from '../../backend.js';
import { type AuthorizerDoc, type AuthorizerV2Doc, asApiDoc } from '../../model.js';
import { proxyEventV1, queryValues } from '../events/proxy-v1.js';
import { FunctionCallFailed, invokeFunction } from '../invoke-function.js';
import { type AuthorizeCall, type AuthorizeResult, type Authorizers } from '../types.js';
import { parseResourcePolicy, type ResourcePolicy } from '../../../resource-policy.js';
import { JwtVerifier } from './jwt.js';
import { evaluatePolicy } from './policy.js';

interface Cached {
  until: number;
  principalId?: string;
  policy?: unknown;
  /** Simple responses: the verdict itself. */
  authorized?: boolean;
  context: Record<string, string | number | boolean>;
  usageIdentifierKey?: string;
}

const MAX_CACHED = 10_000;
const isV2 = (a: AuthorizerDoc | AuthorizerV2Doc): a is AuthorizerV2Doc => 'authorizerType' in a;

/** `method.request.header.Authorization` / `$request.header.Authorization` / `route.request.header.X` → the value. */
function identityValue(source: string, call: AuthorizeCall): string | undefined {
  const m = /^(?:method\.request|\$request|route\.request)\.(header|querystring|path)\.(.+)$/.exec(source.trim());
  if (m) {
    if (m[1] === 'header') return call.req.headers[m[2]!.toLowerCase()]?.[0];
    if (m[1] === 'querystring') return queryValues(call.req.rawQuery)[m[2]!]?.[0];
    return call.pathParameters[m[2]!];
  }
  const v = /^(?:stageVariables|\$stageVariables)\.(.+)$/.exec(source.trim());
  return v ? call.stageVariables[v[1]!] : undefined;
}

function scalarContext(v: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
  return out;
}

export function createAuthorizers(backend: ApigwBackend, authenticate: Authenticate, now: () => number = () => Date.now()): Authorizers & { close(): Promise<void> } {
  const cache = new Map<string, Cached>();
  const jwt = new JwtVerifier();

  const authorizersGeneration = async (call: AuthorizeCall): Promise<number> => {
    if (call.flavor !== 'rest') return 0;
    const api = await backend.store.get('api', call.req.apiId, asApiDoc).catch(() => undefined);
    const stages = api && 'stages' in api ? (api.stages as Record<string, { authorizersCacheGeneration?: number }>) : {};
    return stages[call.req.stage]?.authorizersCacheGeneration ?? 0;
  };
  const policies = new Map<string, ResourcePolicy | 'invalid'>();

  /** A REST API's resource policy: AWS denies unless a statement allows, and an explicit Deny wins. */
  const resourcePolicy = (call: AuthorizeCall, caller: AuthorizeResult): AuthorizeResult => {
    if (call.resourcePolicy === undefined || call.resourcePolicy === '' || !caller.ok) return caller;
    // AWS's shorthand `execute-api:/stage/METHOD/path` names this API's own methods.
    const apiArn = call.methodArn.slice(0, call.methodArn.indexOf('/') + 1);
    const text = call.resourcePolicy.replaceAll('"execute-api:/', `"${apiArn}`);
    let p = policies.get(text);
    if (!p) {
      try {
        p = parseResourcePolicy(text);
      } catch {
        p = 'invalid';
      }
      if (policies.size > 1000) policies.clear();
      policies.set(text, p);
    }
    if (p === 'invalid') return { ok: false, type: 'ACCESS_DENIED', message: 'Forbidden' };
    const principal = caller.iam ? { kind: 'aws' as const, account: caller.iam.accountId, arn: caller.iam.userArn } : { kind: 'anonymous' as const };
    const decision = p.evaluate({ principal, action: 'execute-api:Invoke', resource: call.methodArn, context: { 'aws:SourceIp': call.req.sourceIp } });
    if (decision === 'allow') return caller;
    const who = caller.iam ? caller.iam.userArn : 'anonymous';
    return { ok: false, type: 'ACCESS_DENIED', message: `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${call.methodArn}${decision === 'deny' ? ' with an explicit deny' : ''}` };
  };

  const iam = async (call: AuthorizeCall): Promise<AuthorizeResult> => {
    if (!authenticate) return { ok: true, context: {}, iam: { accessKeyId: 'anonymous', accountId: backend.opts.accountId, userArn: `arn:aws:iam::${backend.opts.accountId}:root`, caller: backend.opts.accountId } };
    if (call.req.headers.authorization === undefined && !call.req.rawQuery.includes('X-Amz-Signature')) return { ok: false, type: 'MISSING_AUTHENTICATION_TOKEN' };
    try {
      const p = await authenticate(call.req.signed);
      if (p.service !== 'execute-api') return { ok: false, type: 'INVALID_SIGNATURE', message: `Credential should be scoped to correct service: 'execute-api'.` };
      return { ok: true, context: {}, iam: { accessKeyId: p.accessKeyId, accountId: backend.opts.accountId, userArn: `arn:aws:iam::${backend.opts.accountId}:root`, caller: backend.opts.accountId } };
    } catch (err) {
      return { ok: false, type: 'INVALID_SIGNATURE', message: err instanceof Error ? err.message : 'The request signature we calculated does not match the signature you provided.' };
    }
  };

  const fromCached = (c: Cached, call: AuthorizeCall): AuthorizeResult => {
    if (c.authorized !== undefined) return c.authorized ? { ok: true, context: c.context } : { ok: false, type: 'ACCESS_DENIED', message: 'Forbidden' };
    const verdict = evaluatePolicy(c.policy, call.methodArn);
    if (verdict === undefined) return { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR' };
    if (verdict === 'deny') return { ok: false, type: 'ACCESS_DENIED', message: 'User is not authorized to access this resource with an explicit deny' };
    if (verdict === 'none') return { ok: false, type: 'ACCESS_DENIED', message: 'User is not authorized to access this resource' };
    return { ok: true, ...(c.principalId !== undefined ? { principalId: c.principalId } : {}), context: c.context, ...(c.usageIdentifierKey !== undefined ? { usageIdentifierKey: c.usageIdentifierKey } : {}) };
  };

  const lambda = async (call: AuthorizeCall, a: AuthorizerDoc | AuthorizerV2Doc): Promise<AuthorizeResult> => {
    const v2 = isV2(a);
    const type = v2 ? 'REQUEST' : a.type;
    if (type === 'COGNITO_USER_POOLS') return { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR', message: 'Cognito user pool authorizers are not supported' };
    const sources = v2 ? a.identitySource : (a.identitySource ?? '').split(',').filter((s) => s.trim() !== '');
    const values = sources.map((s) => identityValue(s, call));
    // A missing identity source refuses the request without calling the function.
    if (values.some((v) => v === undefined || v === '')) return { ok: false, type: 'UNAUTHORIZED', message: 'Unauthorized' };
    const token = values[0]!;
    if (!v2 && type === 'TOKEN' && a.identityValidationExpression !== undefined && !new RegExp(`^(?:${a.identityValidationExpression})$`).test(token)) return { ok: false, type: 'UNAUTHORIZED', message: 'Unauthorized' };
    const ttl = a.authorizerResultTtlInSeconds;
    const id = v2 ? a.authorizerId : a.id;
    // FlushStageAuthorizersCache moves the stage's generation, which is part of the key.
    const key = JSON.stringify([call.req.apiId, call.req.stage, id, values, ttl > 0 ? await authorizersGeneration(call) : 0]);
    const hit = ttl > 0 ? cache.get(key) : undefined;
    if (hit && hit.until > now()) return fromCached(hit, call);
    const simple = v2 && a.enableSimpleResponses && a.authorizerPayloadFormatVersion === '2.0';
    const event =
      type === 'TOKEN'
        ? { type: 'TOKEN', authorizationToken: token, methodArn: call.methodArn }
        : { type: 'REQUEST', methodArn: call.methodArn, ...(v2 && a.authorizerPayloadFormatVersion === '2.0' ? { version: '2.0', routeArn: call.methodArn, identitySource: values, routeKey: call.routeKey } : {}), ...proxyEventV1({ flavor: call.flavor === 'rest' ? 'rest' : 'http', req: call.req, accountId: backend.opts.accountId, resource: call.resourcePath, resourceId: call.resourcePath, pathParameters: call.pathParameters, stageVariables: call.stageVariables, binary: false }) };
    let out;
    try {
      out = await invokeFunction(backend, a.authorizerUri ?? '', JSON.stringify(event), { requestId: call.req.requestId, signal: call.req.signal, timeoutMs: 10_000 });
    } catch (err) {
      if (err instanceof FunctionCallFailed) return { ok: false, type: 'AUTHORIZER_FAILURE' };
      throw err;
    }
    if (out.functionError !== undefined) {
      // A function that throws `Unauthorized` means 401; anything else is the authorizer failing.
      const message = /"errorMessage"\s*:\s*"Unauthorized"/.test(out.payload);
      return message ? { ok: false, type: 'UNAUTHORIZED', message: 'Unauthorized' } : { ok: false, type: 'AUTHORIZER_FAILURE' };
    }
    let v: unknown;
    try {
      v = JSON.parse(out.payload);
    } catch {
      return { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR' };
    }
    if (typeof v !== 'object' || v === null) return { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR' };
    const o = v as Record<string, unknown>;
    const entry: Cached = simple
      ? { until: now() + ttl * 1000, authorized: o.isAuthorized === true, context: scalarContext(o.context) }
      : {
          until: now() + ttl * 1000,
          ...(typeof o.principalId === 'string' ? { principalId: o.principalId } : {}),
          policy: o.policyDocument,
          context: scalarContext(o.context),
          ...(typeof o.usageIdentifierKey === 'string' ? { usageIdentifierKey: o.usageIdentifierKey } : {}),
        };
    if (ttl > 0) {
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(key, entry);
    }
    return fromCached(entry, call);
  };

  return {
    async authorize(call) {
      if (call.authorizationType === 'NONE' && call.resourcePolicy === undefined) return { ok: true, context: {} };
      return withSpanOpts(SpanName.ApiAuthorizer, { attributes: { [Attr.ApiId]: call.req.apiId, [Attr.ApiStage]: call.req.stage } }, async (): Promise<AuthorizeResult> => {
        if (call.authorizationType === 'NONE') return resourcePolicy(call, { ok: true, context: {} });
        if (call.authorizationType === 'AWS_IAM') return resourcePolicy(call, await iam(call));
        if (call.authorizationType === 'CUSTOM' && call.authorizer) return resourcePolicy(call, await lambda(call, call.authorizer));
        if (call.authorizationType === 'JWT' && call.authorizer && isV2(call.authorizer)) {
          const a = call.authorizer;
          const source = a.identitySource[0] ?? '$request.header.Authorization';
          return jwt.verify(identityValue(source, call), a.jwtConfiguration?.issuer, a.jwtConfiguration?.audience ?? [], call.scopes);
        }
        return { ok: false, type: 'AUTHORIZER_CONFIGURATION_ERROR', message: 'Cognito user pool authorizers are not supported' };
      });
    },
    async close() {
      cache.clear();
    },
  };
}
