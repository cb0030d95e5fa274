import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type IntegrationType, type IntegrationV2Doc } from '../model.js';
import { newId } from '../store.js';
import { editApiV2 } from './lookup.js';
import { apiIdLabel, integrationInput, integrationShape } from './shapes.js';

export const createIntegration = defineAction<ApigwBackend>()({
  name: 'CreateIntegration',
  http: { method: 'POST', uri: '/v2/apis/{apiId}/integrations', code: 201 },
  input: t.struct({ apiId: apiIdLabel, integrationType: t.string({ required: true, enum: ['AWS', 'HTTP', 'MOCK', 'HTTP_PROXY', 'AWS_PROXY'] }), ...integrationInput }),
  output: integrationShape,
  async handler(input, _ctx, backend) {
    const integration = await editApiV2(backend, input.apiId, (api) => {
      const type = input.integrationType as IntegrationType;
      const http = api.protocolType === 'HTTP';
      if (http && (type === 'AWS' || type === 'HTTP' || type === 'MOCK')) throw new AwsError('ApigwBadRequestException', `Integration type ${type} is not supported for HTTP APIs.`);
      if (type !== 'MOCK' && input.integrationUri === undefined && input.integrationSubtype === undefined) throw new AwsError('ApigwBadRequestException', 'IntegrationUri is required for this integration type.');
      if (type === 'AWS_PROXY' && input.integrationSubtype === undefined && http && input.payloadFormatVersion === undefined) {
        throw new AwsError('ApigwBadRequestException', 'PayloadFormatVersion is required for Lambda proxy integrations of HTTP APIs: 1.0 or 2.0.');
      }
      if (input.integrationSubtype !== undefined) checkSubtype(http, type, input.integrationSubtype, input.requestParameters);
      const version = input.payloadFormatVersion ?? '1.0';
      if (version !== '1.0' && version !== '2.0') throw new AwsError('ApigwBadRequestException', `Invalid payload format version ${version}: it must be 1.0 or 2.0.`);
      if (!http && version === '2.0') throw new AwsError('ApigwBadRequestException', 'WebSocket APIs support payload format version 1.0 only.');
      const max = http ? 30_000 : 29_000;
      const timeout = input.timeoutInMillis ?? max;
      if (timeout > max) throw new AwsError('ApigwBadRequestException', `Timeout must be between 50 ms and ${max} ms.`);
      const i: IntegrationV2Doc = {
        integrationId: newId(7),
        integrationType: type,
        ...(input.integrationUri !== undefined ? { integrationUri: input.integrationUri } : {}),
        ...(input.integrationMethod !== undefined ? { integrationMethod: input.integrationMethod } : type === 'HTTP_PROXY' ? { integrationMethod: 'ANY' } : {}),
        ...(input.integrationSubtype !== undefined ? { integrationSubtype: input.integrationSubtype } : {}),
        payloadFormatVersion: version,
        timeoutInMillis: timeout,
        connectionType: (input.connectionType as IntegrationV2Doc['connectionType'] | undefined) ?? 'INTERNET',
        ...(input.connectionId !== undefined ? { connectionId: input.connectionId } : {}),
        ...(input.credentialsArn !== undefined ? { credentialsArn: input.credentialsArn } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.passthroughBehavior !== undefined ? { passthroughBehavior: input.passthroughBehavior as NonNullable<IntegrationV2Doc['passthroughBehavior']> } : {}),
        ...(input.contentHandlingStrategy !== undefined ? { contentHandlingStrategy: input.contentHandlingStrategy as NonNullable<IntegrationV2Doc['contentHandlingStrategy']> } : {}),
        requestParameters: input.requestParameters ?? {},
        requestTemplates: input.requestTemplates ?? {},
        responseParameters: input.responseParameters ?? {},
        ...(input.templateSelectionExpression !== undefined ? { templateSelectionExpression: input.templateSelectionExpression } : {}),
        integrationResponses: {},
      };
      api.integrations[i.integrationId] = i;
      return i;
    });
    return integrationView(integration);
  },
});

export function integrationView(i: IntegrationV2Doc): Record<string, unknown> {
  const { integrationResponses: _r, ...rest } = i;
  return { ...rest, apiGatewayManaged: i.apiGatewayManaged ?? false };
}

/** HTTP APIs' first-class AWS service integrations (AWS_PROXY with a subtype). */
const SUBTYPES = new Set([
  'EventBridge-PutEvents',
  'SQS-SendMessage',
  'SQS-ReceiveMessage',
  'SQS-DeleteMessage',
  'SQS-PurgeQueue',
  'AppConfig-GetConfiguration',
  'Kinesis-PutRecord',
  'StepFunctions-StartExecution',
  'StepFunctions-StartSyncExecution',
  'StepFunctions-StopExecution',
]);

function checkSubtype(http: boolean, type: IntegrationType, subtype: string, params: Record<string, string> | undefined): void {
  if (!http || type !== 'AWS_PROXY') throw new AwsError('ApigwBadRequestException', 'IntegrationSubtype is supported only for AWS_PROXY integrations of HTTP APIs.');
  if (!SUBTYPES.has(subtype)) throw new AwsError('ApigwBadRequestException', `Invalid integration subtype ${subtype}. Supported: ${[...SUBTYPES].join(', ')}.`);
  // The service action's parameters come only from the request parameters' mappings.
  if (params === undefined || Object.keys(params).length === 0) throw new AwsError('ApigwBadRequestException', `RequestParameters are required for integration subtype ${subtype}.`);
}
