// The data plane's shared vocabulary: a request to a user-defined API as the pipelines see it,
// the answer they build, the gateway response types (AWS's names), and the interfaces of the
// parts the pipelines call (authorizers, admission, cache, edge hooks, observation), each built
// once per gateway by runtime.ts.
import { type Authenticate } from '../../http.js';
import { type ApigwBackend } from '../backend.js';
import { type AuthorizerDoc, type AuthorizerV2Doc, type EdgeHookDoc } from '../model.js';

export interface ApiRequest {
  requestId: string;
  /** AWS's extendedRequestId (`$context.extendedRequestId`). */
  extendedRequestId: string;
  apiId: string;
  stage: string;
  /** Upper-case HTTP method. */
  method: string;
  /** The path after the stage, percent-decoded, starting with `/`. */
  path: string;
  /** The same, as received (not decoded). */
  rawPath: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  /** Header values by lower-case name, in arrival order. */
  headers: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  userAgent: string;
  /** The Host without port (`abc123.execute-api.localhost`, or the gateway's for the path form). */
  domainName: string;
  /** The first label of domainName. */
  domainPrefix: string;
  /** Epoch ms when the request arrived. */
  receivedAt: number;
  /** e.g. `HTTP/1.1`. */
  protocol: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** The request exactly as signed (full original path), for SigV4 (AWS_IAM) checks. */
  signed: { method: string; rawPath: string; rawQuery: string; headers: NodeJS.Dict<string[]>; body: Buffer };
  /** The X-Ray trace header this request joined (passed to functions). */
  traceHeader?: string;
}

export interface ApiResponse {
  status: number;
  /** Header values by name (any case; the writer sends them as given). */
  headers: Record<string, string[]>;
  body: Buffer;
}

/** AWS's gateway response types (GatewayResponse.responseType). */
export const GATEWAY_RESPONSE_TYPES = [
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'RESOURCE_NOT_FOUND',
  'UNAUTHORIZED',
  'INVALID_API_KEY',
  'ACCESS_DENIED',
  'AUTHORIZER_FAILURE',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'INVALID_SIGNATURE',
  'EXPIRED_TOKEN',
  'MISSING_AUTHENTICATION_TOKEN',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'API_CONFIGURATION_ERROR',
  'UNSUPPORTED_MEDIA_TYPE',
  'BAD_REQUEST_PARAMETERS',
  'BAD_REQUEST_BODY',
  'REQUEST_TOO_LARGE',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'WAF_FILTERED',
] as const;
export type GatewayResponseType = (typeof GATEWAY_RESPONSE_TYPES)[number];

/**
 * Thrown inside a pipeline to answer with a gateway response (AWS's status and message for the
 * type, or the API's customised one). `message` replaces the type's default message.
 */
export class GatewayFailure extends Error {
  constructor(
    readonly type: GatewayResponseType,
    message?: string,
    /** Headers to add (e.g. WWW-Authenticate), before the API's responseParameters. */
    readonly headers: Record<string, string> = {},
    /** What went wrong, for the gateway's log (AWS's execution log line), never sent to the caller. */
    readonly detail?: string,
    /** The status when it is not the type's default (a malformed Lambda proxy answer: 502 under DEFAULT_5XX). */
    readonly status?: number,
  ) {
    super(message ?? type);
    this.name = 'GatewayFailure';
  }
}

// ---------- authorizers (data/auth/) ----------

export interface AuthorizeCall {
  flavor: 'rest' | 'http' | 'websocket';
  authorizationType: 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS' | 'JWT';
  /** For CUSTOM and JWT. */
  authorizer?: AuthorizerDoc | AuthorizerV2Doc;
  /** Scopes the method or route requires (JWT). */
  scopes?: string[];
  req: ApiRequest;
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path without leading /}`. */
  methodArn: string;
  /** v1: `/pets/{id}`; v2: the route's path part. */
  resourcePath: string;
  /** HTTP and WebSocket APIs: the matched route key. */
  routeKey?: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string>;
  /** The REST API's resource policy (IAM JSON text), checked for AWS_IAM and for every caller when set. */
  resourcePolicy?: string;
}

export type AuthorizeResult =
  | {
      ok: true;
      principalId?: string;
      /** Lambda authorizers' `context` (REST: `$context.authorizer.<key>`). */
      context: Record<string, string | number | boolean>;
      /** JWT: the token's claims (`$context.authorizer.claims`). */
      claims?: Record<string, unknown>;
      scopes?: string[];
      /** REST with apiKeySource AUTHORIZER: the API key the authorizer chose. */
      usageIdentifierKey?: string;
      /** AWS_IAM: who signed. */
      iam?: { accessKeyId: string; accountId: string; userArn: string; caller: string };
    }
  | { ok: false; type: GatewayResponseType; message?: string; headers?: Record<string, string> };

export interface Authorizers {
  authorize(call: AuthorizeCall): Promise<AuthorizeResult>;
}

// ---------- admission: throttles, API keys, usage plans (data/throttle/) ----------

export interface Limit {
  rateLimit: number;
  burstLimit: number;
}

export interface AdmitCall {
  apiId: string;
  stage: string;
  /** REST: `/pets/{id}`; HTTP: the route key. */
  resourcePath: string;
  httpMethod: string;
  /** The stage's (or route's) limit, when set; the account's always applies. */
  stageLimit?: Limit;
  methodLimit?: Limit;
  apiKeyRequired: boolean;
  /** The `x-api-key` header, or the authorizer's usageIdentifierKey (apiKeySource AUTHORIZER). */
  apiKey?: string;
}

export type AdmitResult = { ok: true; apiKeyId?: string } | { ok: false; type: 'THROTTLED' | 'QUOTA_EXCEEDED' | 'INVALID_API_KEY' | 'ACCESS_DENIED'; message?: string };

export interface Admission {
  admit(call: AdmitCall): Promise<AdmitResult>;
}

// ---------- stage cache (data/cache.ts) ----------

export interface ResponseCache {
  /** A fresh entry, or undefined. Keys are built by the pipeline (stage, cache generation, method, path, key parameters). */
  get(key: string): ApiResponse | undefined;
  put(key: string, res: ApiResponse, ttlSeconds: number): void;
}

// ---------- edge hooks (data/edge/) ----------

export type HookOutcome = { req: ApiRequest } | { res: ApiResponse };

export interface EdgeHooks {
  /** `hooks` are the stage's; those whose `route` is absent or equals `route` run, in order. */
  viewerRequest(hooks: EdgeHookDoc[], route: string, req: ApiRequest): Promise<HookOutcome>;
  viewerResponse(hooks: EdgeHookDoc[], route: string, req: ApiRequest, res: ApiResponse): Promise<ApiResponse>;
  originRequest(hooks: EdgeHookDoc[], route: string, req: ApiRequest): Promise<HookOutcome>;
  originResponse(hooks: EdgeHookDoc[], route: string, req: ApiRequest, res: ApiResponse): Promise<ApiResponse>;
}

// ---------- metrics and access logs (data/observe.ts) ----------

export interface RequestRecord {
  apiId: string;
  apiName: string;
  /** CloudWatch names REST APIs by name (ApiName) and HTTP/WebSocket APIs by id (ApiId). */
  flavor: 'rest' | 'http' | 'websocket';
  /** WebSocket APIs: a $connect (ConnectCount) or a message (MessageCount). */
  event?: 'CONNECT' | 'MESSAGE';
  stage: string;
  /** REST: resource path; HTTP/WebSocket: route key ('' when nothing matched). */
  resource: string;
  method: string;
  status: number;
  latencyMs: number;
  integrationLatencyMs?: number;
  cache?: 'hit' | 'miss';
  /** The stage's access log settings, when set. */
  accessLog?: { format?: string; destinationArn?: string };
  /** `$context` variables for the access log line (requestId, identity.sourceIp, status, ...). */
  context: Record<string, unknown>;
}

export interface Observer {
  record(r: RequestRecord): void;
  /** WebSocket messages sent to clients (route responses, @connections posts): MessageCount. */
  sent(api: { apiId: string; stage: string }): void;
}

// ---------- the runtime every pipeline gets ----------

export interface DataRuntime {
  backend: ApigwBackend;
  /** The SigV4 verifier; undefined when the gateway runs with authentication off. */
  authenticate: Authenticate;
  authorizers: Authorizers;
  admission: Admission;
  cache: ResponseCache;
  hooks: EdgeHooks;
  observer: Observer;
}
