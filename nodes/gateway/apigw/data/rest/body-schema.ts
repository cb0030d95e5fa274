// Body validation against a request model (JSON Schema draft 4), with AWS's validationErrorString
// wording (API Gateway's validator is Java's json-schema-validator: `[object has missing required
// properties (["name"])]`). The VTL helper's vtl/schema.ts was not there when this was written;
// this adapter is the one place to switch to it.
import { createRequire } from 'node:module';
import { type ErrorObject, type Options, type ValidateFunction } from 'ajv-draft-04';

interface AjvLike {
  addSchema(schema: object, key: string): unknown;
  compile(schema: object): ValidateFunction;
}
// ajv-draft-04 is CommonJS whose export is the class itself.
const Ajv = createRequire(import.meta.url)('ajv-draft-04') as new (o: Options) => AjvLike;

const MAX_COMPILED = 200;
const compiled = new Map<string, ValidateFunction | string>();

/** AWS model references: `https://apigateway.amazonaws.com/restapis/{id}/models/{name}` (or a bare `#/definitions`). */
const MODEL_REF = /\/models\/([^/#]+)$/;

function refsOf(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) refsOf(s, out);
  else if (typeof schema === 'object' && schema !== null) {
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string' && MODEL_REF.test(v)) out.add(v);
      else refsOf(v, out);
    }
  }
  return out;
}

/** A validator for the schema text, or the reason it cannot be compiled (AWS accepts the model; the request then fails). */
function compile(schemaText: string, resolve: (modelName: string) => string | undefined): ValidateFunction | string {
  const hit = compiled.get(schemaText);
  if (hit) return hit;
  let v: ValidateFunction | string;
  try {
    const schema = JSON.parse(schemaText) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    // Referenced models, and the models they reference, by their AWS URLs.
    const pending = [...refsOf(schema)];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const ref = pending.pop()!;
      if (seen.has(ref)) continue;
      seen.add(ref);
      const text = resolve(decodeURIComponent(MODEL_REF.exec(ref)![1]!));
      if (text === undefined) continue;
      const other = JSON.parse(text) as Record<string, unknown>;
      ajv.addSchema({ ...other, id: ref }, ref);
      pending.push(...refsOf(other));
    }
    const { id: _id, $schema: _s, ...own } = schema;
    v = ajv.compile(own);
  } catch (err) {
    v = `Invalid model schema: ${err instanceof Error ? err.message : String(err)}`;
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(schemaText, v);
  return v;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function at(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

/** The Java validator's phrasing for the common keywords; others keep ajv's. */
function describe(errors: ErrorObject[], body: unknown): string[] {
  const out: string[] = [];
  const missing = new Map<string, string[]>();
  for (const e of errors) {
    const where = e.instancePath === '' ? '' : `${e.instancePath}: `;
    const p = e.params as Record<string, unknown>;
    switch (e.keyword) {
      case 'required': {
        const list = missing.get(e.instancePath) ?? [];
        list.push(String(p.missingProperty));
        missing.set(e.instancePath, list);
        break;
      }
      case 'type': {
        const allowed = String(p.type).split(',').map((t) => JSON.stringify(t));
        out.push(`${where}instance type (${typeOf(at(body, e.instancePath))}) does not match any allowed primitive type (allowed: [${allowed.join(',')}])`);
        break;
      }
      case 'enum':
        out.push(`${where}instance value (${JSON.stringify(at(body, e.instancePath))}) not found in enum (possible values: ${JSON.stringify(p.allowedValues)})`);
        break;
      default:
        out.push(`${where}${e.message ?? e.keyword}`);
    }
  }
  for (const [path, names] of missing) out.unshift(`${path === '' ? '' : `${path}: `}object has missing required properties (${JSON.stringify(names.sort())})`);
  return out;
}

/**
 * Checks `body` (JSON text) against `schema` (a model's JSON Schema, draft 4); `resolve` finds
 * other models' schemas for `$ref`s. Undefined when valid, else AWS's validationErrorString.
 */
export function validateModelBody(schema: string, body: string, resolve: (modelName: string) => string | undefined): string | undefined {
  const validate = compile(schema, resolve);
  if (typeof validate === 'string') return `[${validate}]`;
  let value: unknown;
  try {
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch (err) {
    return `[Invalid JSON: ${err instanceof Error ? err.message : String(err)}]`;
  }
  if (validate(value)) return undefined;
  return `[${describe(validate.errors ?? [], value).join(', ')}]`;
}
