import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type AuthorizerDoc } from '../model.js';
import { editRestApi } from './lookup.js';
import { type PatchRules, applyPatch, parseEnum, parseNumber, required, stringRule } from './patch.js';
import { MAX_AUTHORIZER_TTL, authorizerOf, checkAuthorizer } from './parts.js';
import { authorizerShape, patchOperations, restApiIdLabel } from './shapes.js';

const RULES: PatchRules<AuthorizerDoc> = {
  '/name': stringRule<AuthorizerDoc>('name', { removable: false }),
  '/type': { set: (a, v, _x, p) => (a.type = parseEnum(v, p, ['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'] as const)), get: (a) => a.type },
  '/authType': stringRule<AuthorizerDoc>('authType'),
  '/authorizerUri': stringRule<AuthorizerDoc>('authorizerUri'),
  '/authorizerCredentials': stringRule<AuthorizerDoc>('authorizerCredentials'),
  '/identitySource': stringRule<AuthorizerDoc>('identitySource'),
  '/identityValidationExpression': stringRule<AuthorizerDoc>('identityValidationExpression'),
  '/authorizerResultTtlInSeconds': { set: (a, v, _x, p) => (a.authorizerResultTtlInSeconds = parseNumber(v, p, 0, MAX_AUTHORIZER_TTL, true)), get: (a) => String(a.authorizerResultTtlInSeconds) },
  '/providerARNs': {
    set: (a, v, _x, p) => {
      const arn = required(v, p);
      const arns = (a.providerARNs ??= []);
      if (!arns.includes(arn)) arns.push(arn);
    },
    remove: (a, _x, _p, v) => {
      a.providerARNs = (a.providerARNs ?? []).filter((x) => x !== v);
    },
  },
};

export const updateAuthorizer = defineAction<ApigwBackend>()({
  name: 'UpdateAuthorizer',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/authorizers/{authorizerId}' },
  input: t.struct({ restApiId: restApiIdLabel, authorizerId: t.string({ required: true, location: 'uri' }), patchOperations }),
  output: authorizerShape,
  async handler(input, _ctx, backend) {
    return editRestApi(backend, input.restApiId, (api) => {
      const a = applyPatch(authorizerOf(api, input.authorizerId), input.patchOperations ?? [], RULES);
      checkAuthorizer(a);
      return a;
    });
  },
});
