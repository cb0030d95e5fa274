import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type AuthorizerV2Doc } from '../model.js';
import { checkAuthorizer } from './authorizer-rules.js';
import { authorizerNotFound, editApiV2 } from './lookup.js';
import { apiIdLabel, authorizerIdLabel, authorizerInput, authorizerShape } from './shapes.js';
import { authorizerView } from './views.js';

export const updateAuthorizer = defineAction<ApigwBackend>()({
  name: 'UpdateAuthorizer',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}/authorizers/{authorizerId}' },
  input: t.struct({
    apiId: apiIdLabel,
    authorizerId: authorizerIdLabel,
    authorizerType: t.string({ enum: ['REQUEST', 'JWT'] }),
    name: t.string({ min: 1, max: 128 }),
    ...authorizerInput,
  }),
  output: authorizerShape,
  async handler(input, _ctx, backend) {
    const a = await editApiV2(backend, input.apiId, (api) => {
      const cur = api.authorizers[input.authorizerId];
      if (!cur) throw authorizerNotFound(input.authorizerId);
      if (input.name !== undefined && input.name !== cur.name && Object.values(api.authorizers).some((x) => x.name === input.name)) {
        throw new AwsError('ApigwConflictException', `Unable to update Authorizer '${input.name}': an Authorizer with that name already exists`);
      }
      const next: AuthorizerV2Doc = { ...cur };
      if (input.name !== undefined) next.name = input.name;
      if (input.authorizerType !== undefined) next.authorizerType = input.authorizerType as AuthorizerV2Doc['authorizerType'];
      if (input.authorizerUri !== undefined) next.authorizerUri = input.authorizerUri;
      if (input.authorizerCredentialsArn !== undefined) next.authorizerCredentialsArn = input.authorizerCredentialsArn;
      if (input.identitySource !== undefined) next.identitySource = input.identitySource;
      if (input.identityValidationExpression !== undefined) next.identityValidationExpression = input.identityValidationExpression;
      if (input.jwtConfiguration !== undefined) {
        const issuer = input.jwtConfiguration.issuer ?? next.jwtConfiguration?.issuer;
        next.jwtConfiguration = { audience: input.jwtConfiguration.audience ?? next.jwtConfiguration?.audience ?? [], ...(issuer !== undefined ? { issuer } : {}) };
      }
      if (input.authorizerPayloadFormatVersion !== undefined) next.authorizerPayloadFormatVersion = input.authorizerPayloadFormatVersion as NonNullable<AuthorizerV2Doc['authorizerPayloadFormatVersion']>;
      if (input.enableSimpleResponses !== undefined) next.enableSimpleResponses = input.enableSimpleResponses;
      if (input.authorizerResultTtlInSeconds !== undefined) next.authorizerResultTtlInSeconds = input.authorizerResultTtlInSeconds;
      checkAuthorizer(api, next);
      api.authorizers[next.authorizerId] = next;
      return next;
    });
    return authorizerView(a);
  },
});
