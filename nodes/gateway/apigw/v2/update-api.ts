import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { apiV2Shape, apiV2View } from '../openapi/actions/v2-output.js';
import { editApiV2 } from './lookup.js';
import { applyQuickUpdate } from './quick-update.js';
import { apiIdLabel, corsInput } from './shapes.js';

export const updateApi = defineAction<ApigwBackend>()({
  name: 'UpdateApi',
  http: { method: 'PATCH', uri: '/v2/apis/{apiId}' },
  input: t.struct({
    apiId: apiIdLabel,
    apiKeySelectionExpression: t.string(),
    corsConfiguration: corsInput,
    credentialsArn: t.string(),
    description: t.string(),
    disableExecuteApiEndpoint: t.boolean(),
    disableSchemaValidation: t.boolean(),
    ipAddressType: t.string({ enum: ['ipv4', 'dualstack'] }),
    name: t.string({ min: 1, max: 128 }),
    routeKey: t.string(),
    routeSelectionExpression: t.string(),
    target: t.string(),
    version: t.string(),
  }),
  output: apiV2Shape,
  async handler(input, ctx, backend) {
    const api = await editApiV2(backend, input.apiId, (a) => {
      if (a.protocolType !== 'HTTP' && input.corsConfiguration !== undefined) throw new AwsError('ApigwBadRequestException', 'CORS configuration is supported only for HTTP APIs.');
      applyQuickUpdate(a, { target: input.target, routeKey: input.routeKey, credentialsArn: input.credentialsArn });
      if (input.name !== undefined) a.name = input.name;
      if (input.description !== undefined) a.description = input.description;
      if (input.version !== undefined) a.version = input.version;
      if (input.apiKeySelectionExpression !== undefined) a.apiKeySelectionExpression = input.apiKeySelectionExpression;
      if (input.routeSelectionExpression !== undefined) a.routeSelectionExpression = input.routeSelectionExpression;
      if (input.disableExecuteApiEndpoint !== undefined) a.disableExecuteApiEndpoint = input.disableExecuteApiEndpoint;
      if (input.disableSchemaValidation !== undefined) a.disableSchemaValidation = input.disableSchemaValidation;
      if (input.ipAddressType !== undefined) a.ipAddressType = input.ipAddressType;
      if (input.corsConfiguration !== undefined) a.corsConfiguration = { ...(a.corsConfiguration ?? {}), ...input.corsConfiguration };
      return a;
    });
    return apiV2View(api, ctx.baseUrl, []);
  },
});
