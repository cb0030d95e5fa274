// Request validation (a method's requestValidatorId): required request parameters, and the body
// against the method's request model for its Content-Type (JSON Schema draft 4).
import { type MethodDoc, type RestApiSnapshot } from '../../model.js';
import { compileModels, validateBody, validateParameters } from '../../vtl/schema.js';
import { queryValues } from '../events/proxy-v1.js';
import { type ApiRequest, GatewayFailure } from '../types.js';
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

/** `deploymentKey` (`<apiId>.<deploymentId>`) lets the compiled models of an immutable deployment be reused. */
export function validateRequest(snapshot: RestApiSnapshot, deploymentKey: string, method: MethodDoc, req: ApiRequest, path: Record<string, string>): void {
  const v = method.requestValidatorId !== undefined ? snapshot.requestValidators[method.requestValidatorId] : undefined;
  if (!v) return;
  if (v.validateRequestParameters) {
    // AWS: `Missing required request parameters: [a, b]`, in the method's declaration order.
    const missing = validateParameters(method.requestParameters, { path, querystring: queryValues(req.rawQuery), header: req.headers });
    if (missing !== undefined) throw new GatewayFailure('BAD_REQUEST_PARAMETERS', missing);
  }
  if (v.validateRequestBody) checkBody(snapshot, deploymentKey, method, req);
}

/** The model for the request's Content-Type (else `$default`); no model, nothing to check. */
function checkBody(snapshot: RestApiSnapshot, deploymentKey: string, method: MethodDoc, req: ApiRequest): void {
  const contentType = requestContentType(req);
  const modelName = method.requestModels[contentType] ?? method.requestModels.$default;
  // AWS's built-in Empty model accepts anything.
  if (modelName === undefined || modelName === 'Empty') return;
  const models = compileModels(Object.values(snapshot.models).map((m) => ({ name: m.name, ...(m.schema !== undefined ? { schema: m.schema } : {}) })), deploymentKey);
  const problems = validateBody(models, modelName, req.body.toString('utf8'));
  if (problems !== undefined) throw new ValidationFailure(problems, contentType);
}
