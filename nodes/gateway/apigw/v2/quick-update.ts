// UpdateApi's quick create members (Target, RouteKey, CredentialsArn) change the route and
// integration that quick create made; an API without them has nothing to update.
import { AwsError } from '../../errors.js';
import { type ApiV2Doc } from '../model.js';
import { checkRouteKey } from './route-keys.js';

export interface QuickUpdate {
  target?: string;
  routeKey?: string;
  credentialsArn?: string;
}

export function applyQuickUpdate(api: ApiV2Doc, u: QuickUpdate): void {
  if (u.target === undefined && u.routeKey === undefined && u.credentialsArn === undefined) return;
  const integration = Object.values(api.integrations).find((i) => i.apiGatewayManaged);
  const route = Object.values(api.routes).find((r) => r.apiGatewayManaged);
  if (!integration || !route) throw new AwsError('ApigwBadRequestException', 'Target, RouteKey and CredentialsArn can be updated only on an API created with quick create.');
  if (u.target !== undefined) {
    const lambda = u.target.startsWith('arn:aws:lambda:');
    if (!lambda && !/^https?:\/\//.test(u.target)) throw new AwsError('ApigwBadRequestException', 'Target must be a Lambda function ARN or an HTTP URL.');
    integration.integrationUri = u.target;
    integration.integrationType = lambda ? 'AWS_PROXY' : 'HTTP_PROXY';
    integration.payloadFormatVersion = lambda ? '2.0' : '1.0';
    if (lambda) delete integration.integrationMethod;
    else integration.integrationMethod = integration.integrationMethod ?? 'ANY';
  }
  if (u.credentialsArn !== undefined) integration.credentialsArn = u.credentialsArn;
  if (u.routeKey !== undefined && u.routeKey !== route.routeKey) {
    checkRouteKey('HTTP', u.routeKey);
    if (Object.values(api.routes).some((r) => r.routeKey === u.routeKey)) throw new AwsError('ApigwConflictException', `Unable to update route ${u.routeKey}. Route key already exists.`);
    route.routeKey = u.routeKey;
  }
}
