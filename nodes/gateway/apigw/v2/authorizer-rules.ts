// What AWS accepts in an HTTP or WebSocket API's authorizer, checked on create and update alike.
import { AwsError } from '../../errors.js';
import { type ApiV2Doc, type AuthorizerV2Doc } from '../model.js';

const bad = (m: string): AwsError => new AwsError('ApigwBadRequestException', m);

export function checkAuthorizer(api: ApiV2Doc, a: AuthorizerV2Doc): void {
  const http = api.protocolType === 'HTTP';
  if (a.authorizerType === 'JWT') {
    if (!http) throw bad('JWT authorizers are supported only for HTTP APIs.');
    if (!a.jwtConfiguration?.issuer) throw bad('JwtConfiguration with an Issuer is required for JWT authorizers.');
    if (a.identitySource.length !== 1) throw bad('JWT authorizers require exactly one identity source, e.g. $request.header.Authorization.');
    return;
  }
  if (!a.authorizerUri) throw bad('AuthorizerUri is required for REQUEST authorizers.');
  if (http) {
    if (a.authorizerPayloadFormatVersion === undefined) throw bad('AuthorizerPayloadFormatVersion is required for REQUEST authorizers of HTTP APIs: 1.0 or 2.0.');
    if (a.enableSimpleResponses && a.authorizerPayloadFormatVersion !== '2.0') throw bad('Simple responses are supported only with authorizer payload format version 2.0.');
    // AWS caches by identity, so a positive TTL needs an identity source to key on.
    if (a.authorizerResultTtlInSeconds > 0 && a.identitySource.length === 0) throw bad('An identity source is required when authorizer caching is enabled.');
  } else {
    if (a.enableSimpleResponses) throw bad('Simple responses are supported only for HTTP APIs.');
    if (a.authorizerPayloadFormatVersion === '2.0') throw bad('WebSocket APIs support authorizer payload format version 1.0 only.');
  }
  if (a.authorizerPayloadFormatVersion !== undefined && a.authorizerPayloadFormatVersion !== '1.0' && a.authorizerPayloadFormatVersion !== '2.0') {
    throw bad(`Invalid authorizer payload format version ${String(a.authorizerPayloadFormatVersion)}: it must be 1.0 or 2.0.`);
  }
}
