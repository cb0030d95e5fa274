import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type AuthorizerDoc } from '../model.js';
import { newId } from '../store.js';
import { editRestApi } from './lookup.js';
import { checkAuthorizer } from './parts.js';
import { authorizerShape, restApiIdLabel } from './shapes.js';

export const createAuthorizer = defineAction<ApigwBackend>()({
  name: 'CreateAuthorizer',
  http: { method: 'POST', uri: '/restapis/{restApiId}/authorizers', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    name: t.string({ required: true }),
    type: t.string({ required: true, enum: ['TOKEN', 'REQUEST', 'COGNITO_USER_POOLS'] }),
    providerARNs: t.list(t.string()),
    authType: t.string(),
    authorizerUri: t.string(),
    authorizerCredentials: t.string(),
    identitySource: t.string(),
    identityValidationExpression: t.string(),
    authorizerResultTtlInSeconds: t.integer(),
  }),
  output: authorizerShape,
  async handler(input, _ctx, backend) {
    const { restApiId: _r, ...fields } = input;
    const a: AuthorizerDoc = { ...fields, id: newId(6), type: input.type as AuthorizerDoc['type'], authorizerResultTtlInSeconds: input.authorizerResultTtlInSeconds ?? 300 };
    checkAuthorizer(a);
    return editRestApi(backend, input.restApiId, (api) => {
      if (Object.values(api.authorizers).some((x) => x.name === a.name)) throw new AwsError('ApigwConflictException', `Authorizer with name '${a.name}' already exists`);
      api.authorizers[a.id] = a;
      return a;
    });
  },
});
