// Document → output for the v2 parts without a view of their own.
import { type AuthorizerV2Doc, type IntegrationResponseV2Doc, type ModelV2Doc, type RouteResponseDoc, type V2DeploymentDoc } from '../model.js';
import { iso } from './lookup.js';

export const authorizerView = (a: AuthorizerV2Doc): Record<string, unknown> => ({ ...a });
export const modelView = (m: ModelV2Doc): Record<string, unknown> => ({ ...m });
export const routeResponseView = (r: RouteResponseDoc): Record<string, unknown> => ({ ...r });
export const integrationResponseView = (r: IntegrationResponseV2Doc): Record<string, unknown> => ({ ...r });

export function deploymentView(d: V2DeploymentDoc): Record<string, unknown> {
  return { autoDeployed: d.autoDeployed, createdDate: iso(d.createdDate), deploymentId: d.deploymentId, deploymentStatus: d.deploymentStatus, description: d.description };
}

export const requiredParams = (p: Record<string, { required?: boolean }> | undefined): Record<string, { required: boolean }> =>
  Object.fromEntries(Object.entries(p ?? {}).map(([k, v]) => [k, { required: v.required ?? false }]));
