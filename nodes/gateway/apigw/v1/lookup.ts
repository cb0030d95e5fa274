// Finding and changing parts of a REST API document with API Gateway's NotFoundException
// messages; every change is a read-modify-write of the API's document.
import { AwsError } from '../../errors.js';
import { type ApigwBackend } from '../backend.js';
import { type MethodDoc, type ResourceDoc, type RestApiDoc, asApiDoc } from '../model.js';

export const apiNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid API identifier specified');
export const resourceNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Resource identifier specified');
export const methodNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Method identifier specified');
export const integrationNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Integration identifier specified');
export const responseNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Response status code specified');
export const stageNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Stage identifier specified');
export const deploymentNotFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid Deployment identifier specified');

const asRest = (v: unknown): RestApiDoc => {
  const doc = asApiDoc(v);
  if (doc.kind !== 'rest') throw apiNotFound();
  return doc;
};

/** Applies `change` to the REST API `id` (a private copy) and stores the result; returns what `change` returned. */
export async function editRestApi<R>(backend: ApigwBackend, id: string, change: (api: RestApiDoc) => R): Promise<R> {
  let out: R | undefined;
  await backend.store.update('api', id, asRest, apiNotFound, (api) => {
    out = change(api);
    return api;
  });
  return out as R;
}

export function resourceOf(api: RestApiDoc, id: string): ResourceDoc {
  const r = api.resources[id];
  if (!r) throw resourceNotFound();
  return r;
}

/** AWS's method names: the standard verbs or ANY, upper-case. */
export function methodKey(raw: string): string {
  const m = raw.toUpperCase();
  if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'].includes(m)) throw new AwsError('ApigwBadRequestException', `Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY`);
  return m;
}

export function methodOf(api: RestApiDoc, resourceId: string, httpMethod: string): MethodDoc {
  const m = resourceOf(api, resourceId).resourceMethods[httpMethod.toUpperCase()];
  if (!m) throw methodNotFound();
  return m;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
