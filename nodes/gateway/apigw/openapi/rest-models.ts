// Models of a REST API from an OpenAPI definition and back. API Gateway keeps each schema as
// JSON Schema text whose references to other models are absolute model URLs
// (`https://apigateway.amazonaws.com/restapis/{restapi_id}/models/{model_name}`); an export turns
// them back into `#/components/schemas/Name` (OpenAPI 3) or `#/definitions/Name` (Swagger).
import { type ModelDoc } from '../model.js';
import { type Obj, type OpenApiDocument, isObj, schemaRefName } from './document.js';
import { type ImportReport } from './report.js';

export const modelUrl = (apiId: string, name: string): string => `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;

const MODEL_URL = /^https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/]+\/models\/([^/]+)$/;

/** AWS model names are alphanumeric: other characters of a schema's name are dropped. */
export function modelNameOf(raw: string): string {
  return raw.replace(/[^A-Za-z0-9]/g, '');
}

export type ImportedModel = Omit<ModelDoc, 'id'>;

/** The schemas of a definition as models, and the models request and response bodies name. */
export class ModelTable {
  readonly models: Record<string, ImportedModel> = {};
  /** Schema name in the document → model name. */
  private readonly names = new Map<string, string>();

  constructor(
    doc: OpenApiDocument,
    private readonly apiId: string,
    private readonly report: ImportReport,
  ) {
    const components = doc.root.components;
    const schemas = doc.version === 3 ? (isObj(components) ? components.schemas : undefined) : doc.root.definitions;
    if (!isObj(schemas)) return;
    for (const raw of Object.keys(schemas)) {
      const name = modelNameOf(raw);
      if (name === '' || [...this.names.values()].includes(name)) {
        report.error(`Unable to create model for '${raw}': Invalid model name specified: ${raw}`);
        continue;
      }
      this.names.set(raw, name);
    }
    for (const [raw, schema] of Object.entries(schemas)) {
      const name = this.names.get(raw);
      if (name === undefined) continue;
      if (!isObj(schema)) {
        report.error(`Unable to create model for '${raw}': Invalid model specified: the schema must be an object`);
        continue;
      }
      this.add(name, schema);
    }
  }

  private add(name: string, schema: Obj): void {
    const description = typeof schema.description === 'string' ? schema.description : undefined;
    this.models[name] = { name, contentType: 'application/json', ...(description !== undefined ? { description } : {}), schema: JSON.stringify(this.rewrite(schema, name)) };
  }

  /** The schema with every `#/.../schemas/X` reference made a model URL. */
  private rewrite(v: unknown, owner: string): unknown {
    if (Array.isArray(v)) return v.map((x) => this.rewrite(x, owner));
    if (!isObj(v)) return v;
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') {
        const target = schemaRefName(x);
        const name = target === undefined ? undefined : this.names.get(target);
        if (name !== undefined) out[k] = modelUrl(this.apiId, name);
        else {
          this.report.warn(`Invalid model reference '${x}' in model '${owner}'`);
          out[k] = x;
        }
        continue;
      }
      out[k] = this.rewrite(x, owner);
    }
    return out;
  }

  /**
   * The model a body schema names: a reference to a document schema, or an inline schema made
   * into a model of its own (named from `hint`). Undefined for no schema or an unknown reference
   * (a warning, as AWS's "missing model reference").
   */
  forBody(schema: unknown, hint: string, where: string): string | undefined {
    if (!isObj(schema) || Object.keys(schema).length === 0) return undefined;
    if (typeof schema.$ref === 'string') {
      const target = schemaRefName(schema.$ref);
      const name = target === undefined ? undefined : this.names.get(target);
      if (name === undefined) this.report.warn(`Invalid model reference '${schema.$ref}' ${where}`);
      return name;
    }
    let name = modelNameOf(hint) || 'Model';
    for (let n = 2; this.models[name] !== undefined; n++) name = `${modelNameOf(hint) || 'Model'}${n}`;
    this.add(name, schema);
    return name;
  }
}

/** A stored model's schema as an OpenAPI schema: model URLs back to local references. */
export function exportSchema(model: ModelDoc, refPrefix: string): unknown {
  let schema: unknown;
  try {
    schema = model.schema === undefined || model.schema.trim() === '' ? {} : JSON.parse(model.schema);
  } catch {
    return {};
  }
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isObj(v)) return v;
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const m = k === '$ref' && typeof x === 'string' ? MODEL_URL.exec(x) : null;
      out[k] = m ? `${refPrefix}${m[1]}` : walk(x);
    }
    return out;
  };
  return walk(schema);
}
