// Request validation (a method's requestValidatorId): required request parameters, and the body
// against the method's request model for its Content-Type (JSON Schema draft 4).
import { type MethodDoc, type RestApiSnapshot } from '../../model.js';
import { queryValues } from '../events/proxy-v1.js';
import { type ApiRequest, GatewayFailure } from '../types.js';
import { validateModelBody } from './body-schema.js';
import { requestContentType } from './mapping.js';

/** A 400 BAD_REQUEST_BODY that carries the validator's findings (`$context.error.validationErrorString`). */
export class ValidationFailure extends GatewayFailure {
  constructor(
    readonly validationErrorString: string,
    contentType: string,
  ) {
    super('BAD_REQUEST_BODY', 'Invalid request body', {}, `Request body does not match model schema for content type ${contentType}: ${validationErrorString}`);
  }
}

export function validateRequest(snapshot: RestApiSnapshot, method: MethodDoc, req: ApiRequest, path: Record<string, string>): void {
  const v = method.requestValidatorId !== undefined ? snapshot.requestValidators[method.requestValidatorId] : undefined;
  if (!v) return;
  if (v.validateRequestParameters) checkParameters(method, req, path);
  if (v.validateRequestBody) checkBody(snapshot, method, req);
}

/** AWS: `Missing required request parameters: [a, b]`, in the method's declaration order. */
function checkParameters(method: MethodDoc, req: ApiRequest, path: Record<string, string>): void {
  const query = queryValues(req.rawQuery);
  const missing: string[] = [];
  for (const [name, required] of Object.entries(method.requestParameters)) {
    if (!required) continue;
    const m = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(name);
    if (!m) continue;
    const key = m[2]!;
    const present = m[1] === 'path' ? (path[key] ?? '') !== '' : m[1]!.endsWith('querystring') ? query[key] !== undefined : req.headers[key.toLowerCase()] !== undefined;
    if (!present) missing.push(key);
  }
  if (missing.length > 0) throw new GatewayFailure('BAD_REQUEST_PARAMETERS', `Missing required request parameters: [${missing.join(', ')}]`);
}

/** The model for the request's Content-Type (else `$default`); no model, nothing to check. */
function checkBody(snapshot: RestApiSnapshot, method: MethodDoc, req: ApiRequest): void {
  const contentType = requestContentType(req);
  const modelName = method.requestModels[contentType] ?? method.requestModels.$default;
  if (modelName === undefined) return;
  const model = Object.values(snapshot.models).find((m) => m.name === modelName);
  // AWS's built-in Empty model accepts anything.
  if (!model?.schema || modelName === 'Empty') return;
  const problems = validateModelBody(model.schema, req.body.toString('utf8'), (name) => Object.values(snapshot.models).find((m) => m.name === name)?.schema);
  if (problems !== undefined) throw new ValidationFailure(problems, contentType);
}
