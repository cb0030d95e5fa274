import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type IntegrationDoc, type IntegrationType } from '../model.js';
import { editRestApi, methodOf } from './lookup.js';
import { httpMethodLabel, integrationShape, resourceIdLabel, restApiIdLabel } from './shapes.js';
import { integrationView } from './views.js';

/** AWS: 50 ms to 29 s (the default). */
export const MAX_INTEGRATION_TIMEOUT_MS = 29_000;

export const putIntegration = defineAction<ApigwBackend>()({
  name: 'PutIntegration',
  http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/integration', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    resourceId: resourceIdLabel,
    httpMethod: httpMethodLabel,
    type: t.string({ required: true, enum: ['HTTP', 'AWS', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'] }),
    integrationHttpMethod: t.string({ locationName: 'httpMethod' }),
    uri: t.string(),
    connectionType: t.string({ enum: ['INTERNET', 'VPC_LINK'] }),
    connectionId: t.string(),
    credentials: t.string(),
    requestParameters: t.map(t.string()),
    requestTemplates: t.map(t.string()),
    passthroughBehavior: t.string({ enum: ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] }),
    cacheNamespace: t.string(),
    cacheKeyParameters: t.list(t.string()),
    contentHandling: t.string({ enum: ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] }),
    timeoutInMillis: t.integer(),
  }),
  output: integrationShape,
  async handler(input, _ctx, backend) {
    const type = input.type as IntegrationType;
    const verb = input.integrationHttpMethod?.toUpperCase();
    if (type !== 'MOCK') {
      if (verb === undefined) throw new AwsError('ApigwBadRequestException', 'Enumeration value for HttpMethod must be non-empty');
      if (input.uri === undefined) throw new AwsError('ApigwBadRequestException', 'Invalid integration URI specified');
    }
    // A stage variable may stand for the scheme and host (`${stageVariables.base}/pets`).
    if ((type === 'HTTP' || type === 'HTTP_PROXY') && !/^(?:https?:\/\/|\$\{stageVariables\.)/.test(input.uri ?? '')) throw new AwsError('ApigwBadRequestException', 'Invalid HTTP endpoint specified for URI');
    if ((type === 'AWS' || type === 'AWS_PROXY') && !/^arn:aws:apigateway:[^:]*:[^:]+:(?:action|path)\//.test(input.uri ?? '')) {
      throw new AwsError('ApigwBadRequestException', 'AWS ARN for integration must contain path or action');
    }
    if (type === 'AWS_PROXY' && verb !== 'POST') throw new AwsError('ApigwBadRequestException', 'Integrations of type \'AWS_PROXY\' currently only supports Lambda function and Firehose stream invocations.');
    const timeout = input.timeoutInMillis ?? MAX_INTEGRATION_TIMEOUT_MS;
    if (timeout < 50 || timeout > MAX_INTEGRATION_TIMEOUT_MS) throw new AwsError('ApigwBadRequestException', `Timeout should be between 50 ms and ${MAX_INTEGRATION_TIMEOUT_MS} ms`);
    const saved = await editRestApi(backend, input.restApiId, (api) => {
      const m = methodOf(api, input.resourceId, input.httpMethod);
      const integration: IntegrationDoc = {
        type,
        ...(verb !== undefined ? { httpMethod: verb } : {}),
        ...(input.uri !== undefined ? { uri: input.uri } : {}),
        connectionType: (input.connectionType as IntegrationDoc['connectionType']) ?? 'INTERNET',
        ...(input.connectionId !== undefined ? { connectionId: input.connectionId } : {}),
        ...(input.credentials !== undefined ? { credentials: input.credentials } : {}),
        requestParameters: input.requestParameters ?? {},
        requestTemplates: input.requestTemplates ?? {},
        passthroughBehavior: (input.passthroughBehavior as IntegrationDoc['passthroughBehavior'] | undefined) ?? 'WHEN_NO_MATCH',
        ...(input.contentHandling !== undefined ? { contentHandling: input.contentHandling as NonNullable<IntegrationDoc['contentHandling']> } : {}),
        timeoutInMillis: timeout,
        cacheNamespace: input.cacheNamespace ?? input.resourceId,
        cacheKeyParameters: input.cacheKeyParameters ?? [],
        integrationResponses: m.methodIntegration?.integrationResponses ?? {},
      };
      m.methodIntegration = integration;
      return integration;
    });
    return integrationView(saved);
  },
});
