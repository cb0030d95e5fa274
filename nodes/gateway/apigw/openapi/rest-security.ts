// Security schemes of a REST API definition: Lambda (TOKEN, REQUEST) and Cognito authorizers
// (`x-amazon-apigateway-authorizer`), IAM (`x-amazon-apigateway-authtype: awsSigv4`) and API keys
// (`type: apiKey` without an authorizer), and how an operation's security requirement becomes a
// method's authorizationType, authorizer, scopes and apiKeyRequired.
import { type AuthorizationType, type AuthorizerDoc } from '../model.js';
import { type Obj, type OpenApiDocument, isObj, str, strList } from './document.js';
import { type ImportReport } from './report.js';

export type ImportedAuthorizer = Omit<AuthorizerDoc, 'id'>;

export type SchemeKind = { kind: 'authorizer'; type: AuthorizerDoc['type'] } | { kind: 'iam' } | { kind: 'apiKey' } | { kind: 'other' };

/** AWS's default result TTL of a Lambda authorizer (0–3,600 s). */
const DEFAULT_TTL = 300;

const AUTHORIZER_TYPES: Record<string, AuthorizerDoc['type']> = { token: 'TOKEN', request: 'REQUEST', cognito_user_pools: 'COGNITO_USER_POOLS' };

export function securitySchemesOf(doc: OpenApiDocument): Obj {
  const components = doc.root.components;
  const schemes = doc.version === 3 ? (isObj(components) ? components.securitySchemes : undefined) : doc.root.securityDefinitions;
  return isObj(schemes) ? schemes : {};
}

export interface RestSecurity {
  authorizers: Record<string, ImportedAuthorizer>;
  kinds: Map<string, SchemeKind>;
}

export function readRestSecurity(doc: OpenApiDocument, report: ImportReport): RestSecurity {
  const authorizers: Record<string, ImportedAuthorizer> = {};
  const kinds = new Map<string, SchemeKind>();
  for (const [name, raw] of Object.entries(securitySchemesOf(doc))) {
    if (!isObj(raw)) continue;
    const authType = str(raw['x-amazon-apigateway-authtype']);
    const ext = raw['x-amazon-apigateway-authorizer'];
    if (isObj(ext)) {
      const a = readAuthorizer(name, raw, ext, authType, report);
      if (a) {
        authorizers[name] = a;
        kinds.set(name, { kind: 'authorizer', type: a.type });
      }
      continue;
    }
    if (authType !== undefined && authType.toLowerCase() === 'awssigv4') kinds.set(name, { kind: 'iam' });
    // An authtype without an authorizer (an export without `extensions=authorizers`) is not a key.
    else if (raw.type === 'apiKey' && authType === undefined) kinds.set(name, { kind: 'apiKey' });
    else kinds.set(name, { kind: 'other' });
  }
  return { authorizers, kinds };
}

function readAuthorizer(name: string, scheme: Obj, ext: Obj, authType: string | undefined, report: ImportReport): ImportedAuthorizer | undefined {
  const fail = (why: string): undefined => {
    report.error(`Unable to create authorizer '${name}': ${why}`);
    return undefined;
  };
  const rawType = str(ext.type) ?? 'token';
  const type = AUTHORIZER_TYPES[rawType.toLowerCase()];
  if (type === undefined) return fail(`Invalid authorizer type specified: ${rawType}`);
  // A scheme's header names the identity when the authorizer does not say.
  const header = scheme.in === 'header' && typeof scheme.name === 'string' ? `method.request.header.${scheme.name}` : undefined;
  const identitySource = str(ext.identitySource) ?? (type === 'REQUEST' ? undefined : header);
  const ttl = ext.authorizerResultTtlInSeconds;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 3600)) {
    return fail(`Invalid authorizer result TTL specified: ${String(ttl)}. The TTL must be between 0 and 3600 seconds`);
  }
  const out: ImportedAuthorizer = { name, type, authorizerResultTtlInSeconds: typeof ttl === 'number' ? ttl : DEFAULT_TTL };
  if (authType !== undefined) out.authType = authType;
  if (identitySource !== undefined) out.identitySource = identitySource;
  const validation = str(ext.identityValidationExpression);
  if (validation !== undefined) out.identityValidationExpression = validation;
  const credentials = str(ext.authorizerCredentials);
  if (credentials !== undefined) out.authorizerCredentials = credentials;
  if (type === 'COGNITO_USER_POOLS') {
    const arns = strList(ext.providerARNs);
    if (!arns || arns.length === 0) return fail('Invalid provider ARNs specified: a Cognito user pool authorizer needs providerARNs');
    out.providerARNs = arns;
    return out;
  }
  const uri = str(ext.authorizerUri);
  if (uri === undefined || uri === '') return fail('Invalid authorizer URI specified');
  out.authorizerUri = uri;
  if (type === 'TOKEN' && identitySource === undefined) return fail('Invalid identity source specified: a TOKEN authorizer needs a header');
  return out;
}

export interface MethodAuth {
  authorizationType: AuthorizationType;
  authorizer?: string;
  scopes?: string[];
  apiKeyRequired: boolean;
}

/**
 * A method's authorization from its security requirement (the operation's, else the
 * definition's) and `x-amazon-apigateway-auth`. API Gateway supports one requirement: the first
 * alternative is used; within it, an authorizer or IAM sets the type and an API key scheme
 * sets apiKeyRequired.
 */
export function methodAuth(security: unknown, auth: unknown, sec: RestSecurity, where: string, report: ImportReport): MethodAuth {
  const out: MethodAuth = { authorizationType: 'NONE', apiKeyRequired: false };
  const first = Array.isArray(security) ? security[0] : undefined;
  if (isObj(first)) {
    for (const [scheme, scopes] of Object.entries(first)) {
      const kind = sec.kinds.get(scheme);
      if (kind === undefined) {
        report.warn(`Security scheme '${scheme}' used by ${where} is not defined`);
        continue;
      }
      if (kind.kind === 'apiKey') out.apiKeyRequired = true;
      else if (kind.kind === 'iam') out.authorizationType = 'AWS_IAM';
      else if (kind.kind === 'authorizer' && out.authorizer === undefined) {
        out.authorizationType = kind.type === 'COGNITO_USER_POOLS' ? 'COGNITO_USER_POOLS' : 'CUSTOM';
        out.authorizer = scheme;
        const list = strList(scopes);
        if (kind.type === 'COGNITO_USER_POOLS' && list && list.length > 0) out.scopes = list;
      }
    }
  }
  if (isObj(auth)) {
    const type = str(auth.type)?.toUpperCase();
    if (type === 'AWS_IAM' || type === 'NONE') {
      out.authorizationType = type;
      delete out.authorizer;
      delete out.scopes;
    } else report.error(`Unable to put method on ${where}: Invalid x-amazon-apigateway-auth type specified: ${String(auth.type)}`);
  }
  return out;
}
