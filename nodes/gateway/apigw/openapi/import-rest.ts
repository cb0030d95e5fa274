// An OpenAPI 2.0 / 3.0 definition as a REST API: every path (and each intermediate segment) a
// resource, each operation a method with its request parameters, request models, method
// responses, authorization, validator and integration; schemas as models; the API-wide
// extensions as settings. Pure: ids are assigned when the result is applied (apply-rest.ts).
import { type MethodDoc, type MethodResponseDoc } from '../model.js';
import { ANY_METHOD, type AwsVariables, HTTP_VERBS, type Obj, type OpenApiDocument, deref, isObj, parseDefinition, str } from './document.js';
import { type ImportReport } from './report.js';
import { type RestApiSettings, readRestSettings } from './rest-extensions.js';
import { type ImportedIntegration, readIntegration } from './rest-integration.js';
import { type ImportedModel, ModelTable } from './rest-models.js';
import { type ImportedAuthorizer, type RestSecurity, methodAuth, readRestSecurity } from './rest-security.js';

export type BasePathMode = 'ignore' | 'prepend' | 'split';

export interface RestImportOptions extends AwsVariables {
  /** The API the models' URLs name (a new id for ImportRestApi, the target for PutRestApi). */
  apiId: string;
  basepath: BasePathMode;
}

export type ImportedMethod = Omit<MethodDoc, 'authorizerId' | 'requestValidatorId' | 'methodIntegration'> & {
  /** The security scheme (authorizer) name. */
  authorizer?: string;
  /** The request validator name. */
  validator?: string;
  methodIntegration?: ImportedIntegration;
};

export interface ImportedResource {
  path: string;
  /** By HTTP method (ANY included). */
  methods: Record<string, ImportedMethod>;
}

export interface RestDefinition extends RestApiSettings {
  title?: string;
  description?: string;
  version?: string;
  /** By path, `/` and every intermediate path included. */
  resources: Record<string, ImportedResource>;
  models: Record<string, ImportedModel>;
  authorizers: Record<string, ImportedAuthorizer>;
}

/** A literal path part, `{name}` or a greedy `{name+}`. */
const PATH_PART = /^(?:[A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z0-9_.-]+\+?\})$/;
const PATH_PART_MESSAGE = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.";
const STATUS = /^[1-5]\d\d$/;

/** Parses and converts a definition; throws BadRequestException for an unreadable document. */
export function importRestDefinition(text: string, opts: RestImportOptions, report: ImportReport): RestDefinition {
  return convertRest(parseDefinition(text, opts), opts, report);
}

export function convertRest(doc: OpenApiDocument, opts: RestImportOptions, report: ImportReport): RestDefinition {
  const root = doc.root;
  const info = isObj(root.info) ? root.info : {};
  const settings = readRestSettings(root, report);
  const models = new ModelTable(doc, opts.apiId, report);
  const security = readRestSecurity(doc, report);
  const out: RestDefinition = { ...settings, resources: { '/': { path: '/', methods: {} } }, models: models.models, authorizers: security.authorizers };
  const title = str(info.title);
  if (title !== undefined) out.title = title;
  const description = str(info.description);
  if (description !== undefined) out.description = description;
  const version = info.version === undefined ? undefined : String(info.version);
  if (version !== undefined) out.version = version;

  const prefix = basePathSegments(doc, opts.basepath);
  const paths = isObj(root.paths) ? root.paths : {};
  const ctx: MethodContext = { doc, report, models, security, settings };
  for (const [rawPath, rawItem] of Object.entries(paths)) {
    // `x-` keys of the paths object are extensions, not paths.
    if (!rawPath.startsWith('/')) continue;
    const item = deref(root, rawItem);
    if (!isObj(item)) continue;
    const path = joinPath(prefix, rawPath);
    if (!addResource(out.resources, path, report)) continue;
    const resource = out.resources[path]!;
    for (const verb of [...HTTP_VERBS, ANY_METHOD]) {
      const op = item[verb];
      if (!isObj(op)) continue;
      const httpMethod = verb === ANY_METHOD ? 'ANY' : verb.toUpperCase();
      const method = readMethod(ctx, op, item, httpMethod, path);
      if (method) resource.methods[httpMethod] = method;
    }
  }
  return out;
}

interface MethodContext {
  doc: OpenApiDocument;
  report: ImportReport;
  models: ModelTable;
  security: RestSecurity;
  settings: RestApiSettings;
}

/** The base path's segments the basepath mode keeps: none (ignore), all (prepend), all but the first (split). */
export function basePathSegments(doc: OpenApiDocument, mode: BasePathMode): string[] {
  if (mode === 'ignore') return [];
  let base: string | undefined;
  if (doc.version === 2) base = str(doc.root.basePath);
  else {
    const servers = Array.isArray(doc.root.servers) ? doc.root.servers.filter(isObj) : [];
    // AWS's convention: a `basePath` server variable, else the path of the server URL.
    for (const s of servers) {
      const v = isObj(s.variables) && isObj(s.variables.basePath) ? str(s.variables.basePath.default) : undefined;
      if (v !== undefined) {
        base = v;
        break;
      }
    }
    if (base === undefined && servers[0] !== undefined) {
      const url = (str(servers[0].url) ?? '').replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const vars = servers[0]!.variables;
        const def = isObj(vars) && isObj(vars[name]) ? str(vars[name].default) : undefined;
        return def ?? '';
      });
      base = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
    }
  }
  const segments = (base ?? '').split('/').filter((s) => s !== '');
  return mode === 'split' ? segments.slice(1) : segments;
}

function joinPath(prefix: string[], raw: string): string {
  const parts = [...prefix, ...raw.split('/').filter((s) => s !== '')];
  return parts.length === 0 ? '/' : `/${parts.join('/')}`;
}

/** Adds a resource and its ancestors, with CreateResource's checks; false when the path is invalid. */
function addResource(resources: Record<string, ImportedResource>, path: string, report: ImportReport): boolean {
  if (resources[path]) return true;
  let parent = '/';
  for (const part of path.split('/').filter((s) => s !== '')) {
    const here = parent === '/' ? `/${part}` : `${parent}/${part}`;
    if (!resources[here]) {
      const fail = (why: string): false => {
        report.error(`Unable to create resource at path '${here}': ${why}`);
        return false;
      };
      if (!PATH_PART.test(part)) return fail(PATH_PART_MESSAGE);
      if (parent.endsWith('+}')) return fail(`Cannot create a child of a resource with a greedy path variable: ${parent}`);
      if (part.startsWith('{')) {
        // One variable per level: `{id}` and `{name}` under one parent would make routing ambiguous.
        const sibling = Object.keys(resources).find((p) => p !== '/' && parentOf(p) === parent && lastPart(p).startsWith('{'));
        if (sibling !== undefined) return fail(`A sibling (${lastPart(sibling)}) of this resource already has a variable path part -- only one is allowed`);
      }
      resources[here] = { path: here, methods: {} };
    }
    parent = here;
  }
  return true;
}

const lastPart = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const parentOf = (path: string): string => path.slice(0, path.lastIndexOf('/')) || '/';

/** `{name}` / `{name+}` segments of a resource path. */
function pathVariables(path: string): string[] {
  return [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
}

const PARAM_LOCATIONS: Record<string, string> = { path: 'path', query: 'querystring', header: 'header' };

function readMethod(ctx: MethodContext, op: Obj, item: Obj, httpMethod: string, path: string): ImportedMethod | undefined {
  const { doc, report, models } = ctx;
  const root = doc.root;
  const where = `method '${httpMethod}' for resource at path '${path}'`;
  const hint = `${str(op.operationId) ?? `${httpMethod}${path}`}`;

  // Path-level parameters, overridden per operation by (in, name).
  const params = new Map<string, Obj>();
  for (const list of [item.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = deref(root, raw);
      if (isObj(p) && typeof p.name === 'string' && typeof p.in === 'string') params.set(`${p.in}:${p.name}`, p);
    }
  }
  const requestParameters: Record<string, boolean> = {};
  const requestModels: Record<string, string> = {};
  for (const name of pathVariables(path)) requestParameters[`method.request.path.${name}`] = true;
  for (const p of params.values()) {
    const location = PARAM_LOCATIONS[p.in as string];
    if (location !== undefined) {
      requestParameters[`method.request.${location}.${p.name as string}`] = location === 'path' || p.required === true;
    } else if (p.in === 'body') {
      const model = models.forBody(p.schema, `${hint}Request`, `in the request body of ${where}`);
      if (model !== undefined) for (const ct of mediaTypes(op.consumes ?? root.consumes)) requestModels[ct] = model;
    }
  }
  const body = deref(root, op.requestBody);
  if (isObj(body) && isObj(body.content)) {
    for (const [ct, media] of Object.entries(body.content)) {
      const model = isObj(media) ? models.forBody(media.schema, `${hint}Request`, `in the request body of ${where}`) : undefined;
      if (model !== undefined) requestModels[ct] = model;
    }
  }

  const methodResponses: Record<string, MethodResponseDoc> = {};
  for (const [code, rawResponse] of Object.entries(isObj(op.responses) ? op.responses : {})) {
    // `default` has no status code for a method response to carry (AWS leaves it out).
    if (code === 'default') continue;
    if (!STATUS.test(code)) {
      report.warn(`Invalid status code '${code}' in the responses of ${where}: ignored`);
      continue;
    }
    const response = deref(root, rawResponse);
    const r = isObj(response) ? response : {};
    const responseParameters: Record<string, boolean> = {};
    for (const [header, h] of Object.entries(isObj(r.headers) ? r.headers : {})) {
      const hv = deref(root, h);
      responseParameters[`method.response.header.${header}`] = isObj(hv) && hv.required === true;
    }
    const responseModels: Record<string, string> = {};
    if (doc.version === 3 && isObj(r.content)) {
      for (const [ct, media] of Object.entries(r.content)) {
        const model = isObj(media) ? models.forBody(media.schema, `${hint}Response${code}`, `in the ${code} response of ${where}`) : undefined;
        if (model !== undefined) responseModels[ct] = model;
      }
    } else if (doc.version === 2 && r.schema !== undefined) {
      const model = models.forBody(r.schema, `${hint}Response${code}`, `in the ${code} response of ${where}`);
      if (model !== undefined) for (const ct of mediaTypes(op.produces ?? root.produces)) responseModels[ct] = model;
    }
    methodResponses[code] = { statusCode: code, responseParameters, responseModels };
  }

  const auth = methodAuth(op.security ?? root.security, op['x-amazon-apigateway-auth'], ctx.security, where, report);
  const method: ImportedMethod = { httpMethod, authorizationType: auth.authorizationType, apiKeyRequired: auth.apiKeyRequired, requestParameters, requestModels, methodResponses };
  if (auth.authorizer !== undefined) method.authorizer = auth.authorizer;
  if (auth.scopes !== undefined) method.authorizationScopes = auth.scopes;
  const operationId = str(op.operationId);
  if (operationId !== undefined) method.operationName = operationId;

  const validator = str(op['x-amazon-apigateway-request-validator']) ?? ctx.settings.defaultValidator;
  if (validator !== undefined) {
    if (ctx.settings.requestValidators[validator] === undefined) report.error(`Unable to put method '${httpMethod}' on resource at path '${path}': Invalid Request Validator identifier specified: ${validator}`);
    else method.validator = validator;
  }
  for (const key of Object.keys(op)) {
    if (key.startsWith('x-amazon-apigateway-') && !OPERATION_EXTENSIONS.has(key)) report.warn(`Unsupported extension ${key} on ${where} is ignored`);
  }
  const ext = deref(root, op['x-amazon-apigateway-integration']);
  if (isObj(ext)) {
    const integration = readIntegration(ext, httpMethod, path, requestParameters, report);
    if (integration) method.methodIntegration = integration;
  }
  return method;
}

const OPERATION_EXTENSIONS = new Set(['x-amazon-apigateway-integration', 'x-amazon-apigateway-auth', 'x-amazon-apigateway-request-validator', 'x-amazon-apigateway-documentation']);

/** Swagger's consumes/produces; AWS assumes JSON when neither says. */
function mediaTypes(v: unknown): string[] {
  const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  return list.length > 0 ? list : ['application/json'];
}
