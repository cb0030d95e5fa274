import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type AuthorizationType, type MethodDoc } from '../model.js';
import { editRestApi, methodKey, resourceOf } from './lookup.js';
import { httpMethodLabel, methodShape, resourceIdLabel, restApiIdLabel } from './shapes.js';
import { methodView } from './views.js';

export const putMethod = defineAction<ApigwBackend>()({
  name: 'PutMethod',
  http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    resourceId: resourceIdLabel,
    httpMethod: httpMethodLabel,
    authorizationType: t.string({ required: true, enum: ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'] }),
    authorizerId: t.string(),
    apiKeyRequired: t.boolean(),
    operationName: t.string(),
    requestParameters: t.map(t.boolean()),
    requestModels: t.map(t.string()),
    requestValidatorId: t.string(),
    authorizationScopes: t.list(t.string()),
  }),
  output: methodShape,
  async handler(input, _ctx, backend) {
    const httpMethod = methodKey(input.httpMethod);
    const m = await editRestApi(backend, input.restApiId, (api) => {
      const r = resourceOf(api, input.resourceId);
      if (r.resourceMethods[httpMethod]) throw new AwsError('ApigwConflictException', 'Method already exists for this resource');
      if ((input.authorizationType === 'CUSTOM' || input.authorizationType === 'COGNITO_USER_POOLS') && (input.authorizerId === undefined || !api.authorizers[input.authorizerId])) {
        throw new AwsError('ApigwBadRequestException', 'Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.');
      }
      if (input.requestValidatorId !== undefined && !api.requestValidators[input.requestValidatorId]) throw new AwsError('ApigwBadRequestException', 'Invalid Request Validator identifier specified');
      for (const model of Object.values(input.requestModels ?? {})) {
        if (!Object.values(api.models).some((x) => x.name === model)) throw new AwsError('ApigwBadRequestException', `Invalid model identifier specified: ${model}`);
      }
      const method: MethodDoc = {
        httpMethod,
        authorizationType: input.authorizationType as AuthorizationType,
        ...(input.authorizerId !== undefined ? { authorizerId: input.authorizerId } : {}),
        ...(input.authorizationScopes !== undefined ? { authorizationScopes: input.authorizationScopes } : {}),
        apiKeyRequired: input.apiKeyRequired ?? false,
        ...(input.requestValidatorId !== undefined ? { requestValidatorId: input.requestValidatorId } : {}),
        ...(input.operationName !== undefined ? { operationName: input.operationName } : {}),
        requestParameters: input.requestParameters ?? {},
        requestModels: input.requestModels ?? {},
        methodResponses: {},
      };
      r.resourceMethods[httpMethod] = method;
      return method;
    });
    return methodView(m);
  },
});
