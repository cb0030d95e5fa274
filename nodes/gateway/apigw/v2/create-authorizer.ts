import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type AuthorizerV2Doc } from '../model.js';
import { newId } from '../store.js';
import { checkAuthorizer } from './authorizer-rules.js';
import { editApiV2 } from './lookup.js';
import { apiIdLabel, authorizerInput, authorizerShape } from './shapes.js';
import { authorizerView } from './views.js';

export const createAuthorizer = defineAction<ApigwBackend>()({
  name: 'CreateAuthorizer',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/authorizers', code: 201 },
  input: t.struct({
    apiId: apiIdLabel,
    authorizerType: t.string({ required: true, enum: ['REQUEST', 'JWT'] }),
    name: t.string({ required: true, min: 1, max: 128 }),
    ...authorizerInput,
    identitySource: t.list(t.string(), { required: true }),
  }),
  output: authorizerShape,
  async handler(input, _ctx, backend) {
    const a = await editApiV2(backend, input.apiId, (api) => {
      if (Object.values(api.authorizers).some((x) => x.name === input.name)) throw new AwsError('ApigwConflictException', `Unable to create Authorizer '${input.name}': an Authorizer with that name already exists`);
      const doc: AuthorizerV2Doc = {
        authorizerId: newId(6),
        name: input.name,
        authorizerType: input.authorizerType as AuthorizerV2Doc['authorizerType'],
        ...(input.authorizerUri !== undefined ? { authorizerUri: input.authorizerUri } : {}),
        ...(input.authorizerCredentialsArn !== undefined ? { authorizerCredentialsArn: input.authorizerCredentialsArn } : {}),
        identitySource: input.identitySource,
        ...(input.identityValidationExpression !== undefined ? { identityValidationExpression: input.identityValidationExpression } : {}),
        ...(input.jwtConfiguration !== undefined ? { jwtConfiguration: { audience: input.jwtConfiguration.audience ?? [], ...(input.jwtConfiguration.issuer !== undefined ? { issuer: input.jwtConfiguration.issuer } : {}) } } : {}),
        ...(input.authorizerPayloadFormatVersion !== undefined ? { authorizerPayloadFormatVersion: input.authorizerPayloadFormatVersion as NonNullable<AuthorizerV2Doc['authorizerPayloadFormatVersion']> } : {}),
        enableSimpleResponses: input.enableSimpleResponses ?? false,
        authorizerResultTtlInSeconds: input.authorizerResultTtlInSeconds ?? 0,
      };
      checkAuthorizer(api, doc);
      api.authorizers[doc.authorizerId] = doc;
      return doc;
    });
    return authorizerView(a);
  },
});
