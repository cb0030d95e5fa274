// Reading an OpenAPI definition as API Gateway's import does: JSON or YAML text, OpenAPI 2.0
// (Swagger) or 3.0.x, AWS variables (`${AWS::Region}`, ...) substituted, local `$ref`s
// (`#/components/...`, `#/definitions/...`) followed. Anything that is not such a document is
// AWS's one message, "Invalid OpenAPI input.".
import { parse as parseYaml } from 'yaml';
import { AwsError } from '../../errors.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string value, or undefined (numbers and booleans are not strings here). */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A scalar as text: YAML turns `statusCode: 200` into a number, AWS reads it as "200". */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function strList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === 'string');
}

/** A map of string values; non-string values are reported through `bad` and left out. */
export function strMap(v: unknown, bad?: (key: string, value: unknown) => void): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (bad) bad(k, x);
    else if (typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  }
  return out;
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

export const invalidInput = (): AwsError => new AwsError('ApigwBadRequestException', 'Invalid OpenAPI input.');

export interface OpenApiDocument {
  /** 2: Swagger 2.0; 3: OpenAPI 3.0.x. */
  version: 2 | 3;
  root: Obj;
}

export interface AwsVariables {
  region: string;
  accountId: string;
}

/** Parses a definition (JSON first, else YAML) and checks that it is OpenAPI 2.0 or 3.0. */
export function parseDefinition(text: string, vars: AwsVariables): OpenApiDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    try {
      value = parseYaml(text);
    } catch {
      throw invalidInput();
    }
  }
  // The conversions walk the document recursively: a pathological nesting is refused up front.
  if (!isObj(value) || nestingDepth(value) > MAX_DEPTH) throw invalidInput();
  const root = substitute(value, vars) as Obj;
  const oas = scalarText(root.openapi);
  if (oas !== undefined && /^3\.\d+(\.\d+)?$/.test(oas)) return { version: 3, root };
  if (scalarText(root.swagger) === '2.0' || scalarText(root.swagger) === '2') return { version: 2, root };
  throw invalidInput();
}

/** Deeper than any real definition, far below what would exhaust the stack. */
const MAX_DEPTH = 200;

function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) max = depth;
    if (max > MAX_DEPTH) return max;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, depth + 1]);
  }
  return max;
}

// AWS's variables for OpenAPI import (import-api-aws-variables): replaced wherever they appear.
function substitute(v: unknown, vars: AwsVariables): unknown {
  if (typeof v === 'string') {
    if (!v.includes('${AWS::')) return v;
    return v.replaceAll('${AWS::Region}', vars.region).replaceAll('${AWS::AccountId}', vars.accountId).replaceAll('${AWS::Partition}', 'aws');
  }
  if (Array.isArray(v)) return v.map((x) => substitute(x, vars));
  if (isObj(v)) {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) out[k] = substitute(x, vars);
    return out;
  }
  return v;
}

/** The value a local JSON pointer (`#/components/schemas/Pet`) names, or undefined. */
export function pointer(root: Obj, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return undefined;
    }
    if (!isObj(at) && !Array.isArray(at)) return undefined;
    at = (at as Obj)[key];
  }
  return at;
}

/**
 * An object with its `$ref` followed (several hops at most: a cycle of references is no object),
 * or the object itself. Parameters, request bodies, responses and headers may be references.
 */
export function deref(root: Obj, v: unknown): unknown {
  let at = v;
  for (let hops = 0; hops < 16 && isObj(at) && typeof at.$ref === 'string'; hops++) at = pointer(root, at.$ref);
  return isObj(at) && typeof at.$ref === 'string' ? undefined : at;
}

/** The last segment of a `#/components/schemas/Name` or `#/definitions/Name` reference. */
export function schemaRefName(ref: string): string | undefined {
  const m = /^#\/(?:components\/schemas|definitions)\/([^/]+)$/.exec(ref);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!).replaceAll('~1', '/').replaceAll('~0', '~');
  } catch {
    return undefined;
  }
}

export const HTTP_VERBS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
export const ANY_METHOD = 'x-amazon-apigateway-any-method';
