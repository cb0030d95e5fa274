// `$context` of a REST API request: what mapping templates, gateway responses and access logs
// read. The pipeline adds to it as it learns (resource, authorizer, identity, integration).
import { type RestApiDoc } from '../../model.js';
import { formatRequestTime } from '../events/proxy-v1.js';
import { type ApiRequest, type DataRuntime } from '../types.js';

export function restContext(rt: DataRuntime, api: RestApiDoc, req: ApiRequest, deploymentId: string, isCanaryRequest: boolean): Record<string, unknown> {
  return {
    accountId: rt.backend.opts.accountId,
    apiId: api.id,
    deploymentId,
    domainName: req.domainName,
    domainPrefix: req.domainPrefix,
    extendedRequestId: req.extendedRequestId,
    httpMethod: req.method,
    identity: {
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
      accountId: null,
      caller: null,
      user: null,
      userArn: null,
      accessKey: null,
      apiKey: null,
      apiKeyId: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      cognitoAuthenticationType: null,
      cognitoAuthenticationProvider: null,
    },
    isCanaryRequest,
    path: `/${req.stage}${req.path}`,
    protocol: req.protocol,
    requestId: req.requestId,
    requestTime: formatRequestTime(new Date(req.receivedAt)),
    requestTimeEpoch: req.receivedAt,
    stage: req.stage,
    resourceId: '',
    resourcePath: '',
  };
}
