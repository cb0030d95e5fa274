// `x-amazon-apigateway-integration` of a REST API method, to and from the stored integration,
// with PutIntegration's checks and messages (an import reports them per method, as AWS does:
// "Unable to put integration on 'GET' for resource at path '/pets': ...").
import { type IntegrationDoc, type IntegrationResponseDoc, type IntegrationType } from '../model.js';
import { type Obj, isObj, scalarText, str, strList, strMap } from './document.js';
import { type ImportReport } from './report.js';

export type ImportedIntegration = Omit<IntegrationDoc, 'cacheNamespace'> & { cacheNamespace?: string };

/** AWS: 50 ms to 29 s, the default. */
export const DEFAULT_TIMEOUT_MS = 29_000;

const TYPES: readonly IntegrationType[] = ['HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY', 'MOCK'];
const PASSTHROUGH = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const;
const CONTENT_HANDLING = ['CONVERT_TO_BINARY', 'CONVERT_TO_TEXT'] as const;
const STATUS = /^[1-5]\d\d$/;

function oneOf<T extends string>(values: readonly T[], v: string): T | undefined {
  return values.find((x) => x === v);
}

/** `${stageVariables.x}` may stand for a whole URI: it is checked when a request resolves it. */
const stageVariableUri = (uri: string): boolean => uri.startsWith('${stageVariables.');

/**
 * Where a method's request parameter may be read: `method.request.{path|querystring|header}.x`
 * (and the multivalue forms) must be declared on the method.
 */
function checkMapping(source: string, declared: Record<string, boolean>): string | undefined {
  const m = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/.exec(source);
  if (!m) return undefined;
  const location = m[1] === 'multivaluequerystring' ? 'querystring' : m[1] === 'multivalueheader' ? 'header' : m[1];
  return declared[`method.request.${location}.${m[2]}`] === undefined ? source : undefined;
}

/** Reads the extension of method `verb` at `path`; undefined (and errors reported) when invalid. */
export function readIntegration(ext: Obj, verb: string, path: string, declared: Record<string, boolean>, report: ImportReport): ImportedIntegration | undefined {
  const errorsBefore = report.errors.length;
  const fail = (why: string): void => report.error(`Unable to put integration on '${verb}' for resource at path '${path}': ${why}`);
  const rawType = str(ext.type);
  const type = rawType === undefined ? undefined : oneOf(TYPES, rawType.toUpperCase());
  if (type === undefined) {
    fail(rawType === undefined ? 'Enumeration value for IntegrationType must be non-empty' : `Invalid integration type specified: ${rawType}`);
    return undefined;
  }
  const httpMethod = str(ext.httpMethod)?.toUpperCase();
  const uri = str(ext.uri);
  if (type !== 'MOCK') {
    if (httpMethod === undefined) fail('Enumeration value for HttpMethod must be non-empty');
    if (uri === undefined || uri === '') fail('Invalid integration URI specified');
    else if ((type === 'HTTP' || type === 'HTTP_PROXY') && !/^https?:\/\/[^/\s]+/.test(uri) && !stageVariableUri(uri)) fail('Invalid HTTP endpoint specified for URI');
    else if ((type === 'AWS' || type === 'AWS_PROXY') && !/^arn:aws[a-z-]*:apigateway:[^:]*:[^:]+:(?:action|path)\//.test(uri) && !stageVariableUri(uri)) {
      fail('AWS ARN for integration must contain path or action');
    }
    if (type === 'AWS_PROXY' && httpMethod !== undefined && httpMethod !== 'POST') {
      fail("Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.");
    }
  }
  const passthroughRaw = str(ext.passthroughBehavior);
  const passthrough = passthroughRaw === undefined ? 'WHEN_NO_MATCH' : oneOf(PASSTHROUGH, passthroughRaw.toUpperCase());
  if (passthrough === undefined) fail(`Invalid passthrough behavior specified: ${passthroughRaw}`);
  const contentRaw = str(ext.contentHandling);
  const contentHandling = contentRaw === undefined ? undefined : oneOf(CONTENT_HANDLING, contentRaw.toUpperCase());
  if (contentRaw !== undefined && contentHandling === undefined) fail(`Invalid content handling specified: ${contentRaw}`);
  const timeoutRaw = ext.timeoutInMillis;
  const timeout = timeoutRaw === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutRaw);
  if (!Number.isInteger(timeout) || timeout < 50 || timeout > DEFAULT_TIMEOUT_MS) fail(`Timeout should be between 50 ms and ${DEFAULT_TIMEOUT_MS} ms`);
  const connectionRaw = str(ext.connectionType);
  const connectionType = connectionRaw === undefined ? undefined : oneOf(['INTERNET', 'VPC_LINK'] as const, connectionRaw.toUpperCase());
  if (connectionRaw !== undefined && connectionType === undefined) fail(`Invalid connection type specified: ${connectionRaw}`);

  const requestParameters = strMap(ext.requestParameters, (key, value) =>
    report.warn(`Invalid format for 'requestParameters'. Expected type string for property '${key}' of resource '${path}' and method '${verb}' but got '${JSON.stringify(value)}'`),
  );
  const unknown = Object.values(requestParameters)
    .map((source) => checkMapping(source, declared))
    .filter((x): x is string => x !== undefined);
  if (unknown.length > 0) fail(`Invalid mapping expression specified: Validation Result: warnings : [], errors : [${unknown.map((u) => `Invalid mapping expression parameter specified: ${u}`).join(', ')}]`);

  const integrationResponses: Record<string, IntegrationResponseDoc> = {};
  if (ext.responses !== undefined && !isObj(ext.responses)) fail('Invalid integration responses specified');
  for (const [pattern, raw] of Object.entries(isObj(ext.responses) ? ext.responses : {})) {
    if (!isObj(raw)) continue;
    const statusCode = scalarText(raw.statusCode);
    if (statusCode === undefined || !STATUS.test(statusCode)) {
      report.error(`Unable to put integration response on '${verb}' for resource at path '${path}': Invalid status code specified: ${String(raw.statusCode)}`);
      continue;
    }
    const handling = str(raw.contentHandling);
    const responseHandling = handling === undefined ? undefined : oneOf(CONTENT_HANDLING, handling.toUpperCase());
    if (handling !== undefined && responseHandling === undefined) fail(`Invalid content handling specified: ${handling}`);
    integrationResponses[statusCode] = {
      statusCode,
      ...(pattern !== 'default' ? { selectionPattern: pattern } : {}),
      responseParameters: strMap(raw.responseParameters),
      responseTemplates: strMap(raw.responseTemplates),
      ...(responseHandling !== undefined ? { contentHandling: responseHandling } : {}),
    };
  }
  if (report.errors.length > errorsBefore || passthrough === undefined) return undefined;

  const out: ImportedIntegration = {
    type,
    requestParameters,
    requestTemplates: strMap(ext.requestTemplates),
    passthroughBehavior: passthrough,
    timeoutInMillis: timeout,
    cacheKeyParameters: strList(ext.cacheKeyParameters) ?? [],
    integrationResponses,
  };
  if (httpMethod !== undefined && type !== 'MOCK') out.httpMethod = httpMethod;
  if (uri !== undefined && type !== 'MOCK') out.uri = uri;
  // AWS answers connectionType only for HTTP integrations unless one was given.
  if (connectionType !== undefined) out.connectionType = connectionType;
  else if (type === 'HTTP' || type === 'HTTP_PROXY') out.connectionType = 'INTERNET';
  const connectionId = str(ext.connectionId);
  if (connectionId !== undefined) out.connectionId = connectionId;
  const credentials = str(ext.credentials);
  if (credentials !== undefined) out.credentials = credentials;
  if (contentHandling !== undefined) out.contentHandling = contentHandling;
  const namespace = str(ext.cacheNamespace);
  if (namespace !== undefined) out.cacheNamespace = namespace;
  return out;
}

/** The stored integration as the extension an export writes (defaults left out, as AWS does). */
export function integrationExtension(i: IntegrationDoc, resourceId: string): Obj {
  const out: Obj = { type: i.type.toLowerCase() };
  if (i.httpMethod !== undefined) out.httpMethod = i.httpMethod;
  if (i.uri !== undefined) out.uri = i.uri;
  if (i.credentials !== undefined) out.credentials = i.credentials;
  if (i.connectionType === 'VPC_LINK') out.connectionType = 'VPC_LINK';
  if (i.connectionId !== undefined) out.connectionId = i.connectionId;
  const responses = Object.values(i.integrationResponses);
  if (responses.length > 0) {
    const byPattern: Obj = {};
    for (const r of responses) {
      const body: Obj = { statusCode: r.statusCode };
      if (Object.keys(r.responseParameters).length > 0) body.responseParameters = r.responseParameters;
      if (Object.keys(r.responseTemplates).length > 0) body.responseTemplates = r.responseTemplates;
      if (r.contentHandling !== undefined) body.contentHandling = r.contentHandling;
      byPattern[r.selectionPattern ?? 'default'] = body;
    }
    out.responses = byPattern;
  }
  if (Object.keys(i.requestParameters).length > 0) out.requestParameters = i.requestParameters;
  if (Object.keys(i.requestTemplates).length > 0) out.requestTemplates = i.requestTemplates;
  out.passthroughBehavior = i.passthroughBehavior.toLowerCase();
  if (i.contentHandling !== undefined) out.contentHandling = i.contentHandling;
  if (i.timeoutInMillis !== DEFAULT_TIMEOUT_MS) out.timeoutInMillis = i.timeoutInMillis;
  if (i.cacheNamespace !== resourceId && i.cacheNamespace !== '') out.cacheNamespace = i.cacheNamespace;
  if (i.cacheKeyParameters.length > 0) out.cacheKeyParameters = i.cacheKeyParameters;
  return out;
}
