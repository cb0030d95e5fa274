// Request validation for REST APIs: models are JSON Schema draft 4 documents that may reference
// each other (`$ref` to `https://apigateway.amazonaws.com/restapis/{id}/models/{Name}`, or
// `#/definitions/...` inside one model). Messages follow the validator AWS uses
// (java json-schema-validator), which clients see through `$context.error.validationErrorString`.
import AjvModule, { type ErrorObject, type Options, type ValidateFunction } from 'ajv-draft-04';

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module namespace.
type AjvInstance = InstanceType<typeof AjvModule.default>;
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (opts?: Options) => AjvInstance;

export interface ModelInput {
  name: string;
  schema?: string;
}

export interface CompiledModels {
  validators: Map<string, ValidateFunction | string>;
}

/** AWS's default BAD_REQUEST_BODY / BAD_REQUEST_PARAMETERS messages. */
export const INVALID_BODY_MESSAGE = 'Invalid request body';

const MODEL_REF = /^https?:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/#]+)(#.*)?$/;
const modelUri = (name: string): string => `stratus:model:${encodeURIComponent(name)}`;

function parseSchema(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Rewrites references to other models of the API to the ids this compiler registers them under. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const m = MODEL_REF.exec(v);
      out[k] = m ? modelUri(decodeURIComponent(m[1]!)) + (m[2] ?? '') : v;
    } else if (k === '$schema' || k === 'id') {
      // Our own ids identify the model; a schema's `$schema`/`id` would collide across models.
      continue;
    } else out[k] = rewriteRefs(v);
  }
  return out;
}

const cache = new Map<string, CompiledModels>();
const MAX_CACHED = 200;

/**
 * Compiles every model of a deployment. `cacheKey` (e.g. `<apiId>.<deploymentId>`; deployments
 * are immutable) reuses an earlier compilation. A model that fails to compile maps to its error.
 */
export function compileModels(models: ModelInput[], cacheKey?: string): CompiledModels {
  if (cacheKey !== undefined) {
    const hit = cache.get(cacheKey);
    if (hit) return hit;
  }
  const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false, logger: false });
  const schemas = new Map<string, Record<string, unknown>>();
  for (const m of models) {
    const schema = parseSchema(m.schema);
    if (!schema) continue;
    const rewritten = rewriteRefs(schema) as Record<string, unknown>;
    schemas.set(m.name, rewritten);
    try {
      ajv.addSchema(rewritten, modelUri(m.name));
    } catch {
      schemas.delete(m.name);
    }
  }
  const validators = new Map<string, ValidateFunction | string>();
  for (const name of schemas.keys()) {
    try {
      const fn = ajv.getSchema(modelUri(name));
      if (fn) validators.set(name, fn);
    } catch (err) {
      validators.set(name, err instanceof Error ? err.message : String(err));
    }
  }
  const compiled = { validators };
  if (cacheKey !== undefined) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, compiled);
  }
  return compiled;
}

const json = (v: unknown): string => JSON.stringify(v);
const typeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

/** One error in json-schema-validator's wording. */
function describe(e: ErrorObject, data: unknown): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = typeof p.missingProperty === 'string' ? [p.missingProperty] : [];
      return `object has missing required properties (${json(missing)})`;
    }
    case 'type': {
      const allowed = String(p.type).split(',');
      return `instance type (${typeOf(data)}) does not match any allowed primitive type (allowed: ${json(allowed)})`;
    }
    case 'enum':
      return `instance value (${json(data)}) not found in enum (possible values: ${json(p.allowedValues)})`;
    case 'maxLength':
      return `string ${json(data)} is too long (length: ${String(data).length}, maximum allowed: ${String(p.limit)})`;
    case 'minLength':
      return `string ${json(data)} is too short (length: ${String(data).length}, required minimum: ${String(p.limit)})`;
    case 'maximum':
      return `numeric instance is greater than the required maximum (maximum: ${String(p.limit)}, found: ${String(data)})`;
    case 'minimum':
      return `numeric instance is lower than the required minimum (minimum: ${String(p.limit)}, found: ${String(data)})`;
    case 'pattern':
      return `ECMA 262 regex ${json(p.pattern)} does not match input string ${json(data)}`;
    case 'maxItems':
      return `array is too long: must have at most ${String(p.limit)} elements but instance has ${Array.isArray(data) ? data.length : 0} elements`;
    case 'minItems':
      return `array is too short: must have at least ${String(p.limit)} elements but instance has ${Array.isArray(data) ? data.length : 0} elements`;
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ${json([p.additionalProperty])}`;
    case 'uniqueItems':
      return 'array must not contain duplicate elements';
    default:
      return e.message ?? `instance failed to match ${e.keyword}`;
  }
}

function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * Validates a request body against a model. Undefined when valid (or when the model has no
 * schema); otherwise `$context.error.validationErrorString`, e.g.
 * `[object has missing required properties (["name"])]`.
 */
export function validateBody(compiled: CompiledModels, modelName: string, bodyText: string): string | undefined {
  const fn = compiled.validators.get(modelName);
  if (fn === undefined) return undefined;
  if (typeof fn === 'string') return `[${fn}]`;
  let data: unknown;
  try {
    data = JSON.parse(bodyText.trim() === '' ? '{}' : bodyText);
  } catch (err) {
    return `[Invalid JSON in request body: ${err instanceof Error ? err.message : String(err)}]`;
  }
  if (fn(data)) return undefined;
  const errors = (fn.errors ?? []).map((e) => describe(e, at(data, e.instancePath)));
  return `[${errors.join(', ')}]`;
}

export interface PresentParameters {
  path: Record<string, unknown>;
  querystring: Record<string, unknown>;
  header: Record<string, unknown>;
}

/**
 * Checks a method's required request parameters (`method.request.{path|querystring|header}.X`
 * mapped to true). Undefined when all are present; otherwise AWS's message
 * `Missing required request parameters: [a, b]`. Header names compare without case.
 */
export function validateParameters(required: Record<string, boolean>, present: PresentParameters): string | undefined {
  const headers = new Set(Object.keys(present.header).map((h) => h.toLowerCase()));
  const missing: string[] = [];
  for (const [key, isRequired] of Object.entries(required)) {
    if (!isRequired) continue;
    const m = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(key);
    if (!m) continue;
    const [, where, name] = m as unknown as [string, string, string];
    const ok =
      where === 'header' || where === 'multivalueheader'
        ? headers.has(name.toLowerCase())
        : where === 'path'
          ? present.path[name] !== undefined && present.path[name] !== ''
          : present.querystring[name] !== undefined;
    if (!ok) missing.push(name);
  }
  return missing.length ? `Missing required request parameters: [${missing.join(', ')}]` : undefined;
}
