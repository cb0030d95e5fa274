// Finding and changing an HTTP or WebSocket API's document with v2's NotFoundException
// messages. Every change is followed by auto-deployment to the stages that ask for it.
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';
import { type ApiV2Doc, type StageV2Doc, asApiDoc } from '../model.js';
import { autoDeploy } from '../openapi/actions/v2-auto-deploy.js';

export const apiNotFound = (id: string) => (): AwsError => new AwsError('ApigwNotFoundException', `Invalid API identifier specified ${id}`);
export const routeNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid Route identifier specified ${id}`);
export const integrationNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid Integration identifier specified ${id}`);
export const stageNotFound = (name: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid stage identifier specified ${name}`);

/** The API's stage `name`, or AWS's NotFoundException. */
export function stageOf(api: ApiV2Doc, name: string): StageV2Doc {
  const s = api.stages[name];
  if (!s) throw stageNotFound(name);
  return s;
}

const asV2 = (id: string) => (v: unknown): ApiV2Doc => {
  const doc = asApiDoc(v);
  if (doc.kind !== 'v2') throw apiNotFound(id)();
  return doc;
};

/**
 * Applies `change` to the API (a private copy) and stores it; with `deploy`, stages with
 * autoDeploy then get a deployment of the changed API.
 */
export async function editApiV2<R>(backend: ApigwBackend, id: string, change: (api: ApiV2Doc) => R, deploy = true): Promise<R> {
  let out: R | undefined;
  const next = await backend.store.update('api', id, asV2(id), apiNotFound(id), (api) => {
    out = change(api);
    return api;
  });
  if (deploy && next) await autoDeploy(backend, next, apiNotFound(id));
  return out as R;
}

export const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

export function stageView(s: StageV2Doc): Record<string, unknown> {
  const { edgeHooks: _e, createdDate, lastUpdatedDate, ...rest } = s;
  return { ...rest, apiGatewayManaged: s.apiGatewayManaged ?? false, createdDate: iso(createdDate), lastUpdatedDate: iso(lastUpdatedDate) };
}

/** AWS: `$default`, or letters, digits, hyphens and underscores up to 128. */
export const STAGE_NAME = /^(?:\$default|[A-Za-z0-9_-]{1,128})$/;

export const authorizerNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid Authorizer identifier specified ${id}`);
export const modelNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid Model identifier specified ${id}`);
export const deploymentNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid Deployment identifier specified ${id}`);
export const routeResponseNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid RouteResponse identifier specified ${id}`);
export const integrationResponseNotFound = (id: string): AwsError => new AwsError('ApigwNotFoundException', `Invalid IntegrationResponse identifier specified ${id}`);
