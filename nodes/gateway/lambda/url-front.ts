// The function URL data plane on the gateway's HTTP port. A request reaches a URL in one of two
// forms, answered before any AWS API dispatch (http.ts's `extra` hook):
//   - Host form: Host `<url-id>.lambda-url.<region>.<anything>[:port]`, the FunctionUrl the
//     management API returns being `http://<url-id>.lambda-url.<region>.localhost:<port>/`;
//   - path form, for clients that cannot set or resolve such a Host:
//     `http://<gateway host:port>/_lambda-url/<url-id>/<path>` (the function sees `/<path>`).
// Each request is checked against the URL's AuthType (NONE: the resource policy must allow
// everyone lambda:InvokeFunctionUrl; AWS_IAM: a valid SigV4 signature for service `lambda`),
// turned into a payload format 2.0 event, run synchronously, and the result mapped back as
// Lambda does. CORS preflights are answered from the URL's Cors configuration.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Throttled } from '../../scheduler/scheduler.js';
import { type InvokeResult } from '../../scheduler/types.js';
import { type Authenticate, BodyTooLarge, readBody } from '../http.js';
import { MAX_SYNC_PAYLOAD } from './actions/invoke.js';
import { type LambdaBackend } from './backend.js';
import { allowsPublicUrlInvoke } from './policy.js';
import { newTraceId, urlEvent, urlResponse } from './url-event.js';
import { type UrlHit, UrlIndex } from './url-index.js';
import { type Cors, URL_PATH_PREFIX, corsOf } from './urls.js';
import { Attr, SpanKind, SpanName, withSpanOpts } from '../../telemetry/index.js';
import { contextFromHttp, currentXRayHeader } from '../../telemetry/propagation.js';

export interface LambdaUrlFrontOptions {
  lambda: LambdaBackend;
  /** The front's SigV4 verifier; undefined when the node runs with --auth off (AWS_IAM URLs then take unsigned requests). */
  authenticate: Authenticate;
  log: (line: string) => void;
}

interface UrlTarget {
  urlId: string;
  /** The region the Host names (the path form names none). */
  region: string | undefined;
  domainName: string;
  /** The path and query the function sees. */
  rawPath: string;
  rawQuery: string;
}

const HOST_FORM = /^([a-z0-9]+)\.lambda-url\.([a-z0-9-]+)\.[^:]+(?::\d+)?$/;

/** Which URL a request is for, or undefined when it is not a function URL request. */
export function matchUrlRequest(req: IncomingMessage, region: string): UrlTarget | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const host = (req.headers.host ?? '').toLowerCase();
  const m = HOST_FORM.exec(host);
  if (m) return { urlId: m[1]!, region: m[2]!, domainName: host.replace(/:\d+$/, ''), rawPath: path, rawQuery };
  if (!path.startsWith(URL_PATH_PREFIX)) return undefined;
  const rest = path.slice(URL_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  const urlId = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  return { urlId, region: undefined, domainName: `${urlId}.lambda-url.${region}.localhost`, rawPath: slash < 0 ? '/' : rest.slice(slash), rawQuery };
}

// Lambda's answers when it refuses a URL request (recorded from AWS): an unknown URL id gets a
// null message; an authorization failure points at the troubleshooting page.
const UNKNOWN_URL = '{"Message":null}';
const FORBIDDEN = JSON.stringify({ Message: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html' });
const tooLarge = JSON.stringify({ Message: `Request must be smaller than ${MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation` });

function originAllowed(cors: Cors, origin: string): string | undefined {
  const origins = cors.AllowOrigins ?? [];
  // A wildcard with credentials must name the origin: browsers refuse `*` on credentialed requests.
  if (origins.includes('*')) return cors.AllowCredentials === true ? origin : '*';
  return origins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/** The CORS headers a non-preflight response carries when the request's Origin is allowed. */
function corsHeaders(cors: Cors | undefined, origin: string | undefined): Record<string, string> {
  if (!cors || origin === undefined) return {};
  const allowed = originAllowed(cors, origin);
  if (allowed === undefined) return {};
  return {
    'access-control-allow-origin': allowed,
    ...(cors.ExposeHeaders && cors.ExposeHeaders.length > 0 ? { 'access-control-expose-headers': cors.ExposeHeaders.join(',') } : {}),
    ...(cors.AllowCredentials === true ? { 'access-control-allow-credentials': 'true' } : {}),
    vary: 'Origin',
  };
}

/** A preflight's answer, from the configuration alone (the function is not run). */
function preflightHeaders(cors: Cors, origin: string, method: string): Record<string, string> {
  const allowed = originAllowed(cors, origin);
  const methods = cors.AllowMethods ?? [];
  const methodOk = methods.includes('*') || methods.some((m) => m.toUpperCase() === method.toUpperCase());
  if (allowed === undefined || !methodOk) return {};
  return {
    'access-control-allow-origin': allowed,
    'access-control-allow-methods': methods.join(','),
    ...(cors.AllowHeaders && cors.AllowHeaders.length > 0 ? { 'access-control-allow-headers': cors.AllowHeaders.join(',') } : {}),
    ...(cors.MaxAge !== undefined ? { 'access-control-max-age': String(cors.MaxAge) } : {}),
    ...(cors.AllowCredentials === true ? { 'access-control-allow-credentials': 'true' } : {}),
    vary: 'Origin',
  };
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The front's hook: true when the request was a function URL request (answered asynchronously). */
export function lambdaUrlFront(o: LambdaUrlFrontOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const index = new UrlIndex(o.lambda);
  const region = o.lambda.opts.region;

  const reply = (res: ServerResponse, requestId: string, status: number, headers: Record<string, string | string[]>, body: Buffer | string): void => {
    if (res.headersSent) return;
    res.writeHead(status, { ...headers, 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const refuse = (res: ServerResponse, requestId: string, status: number, errorType: string, body: string, extra: Record<string, string> = {}): void =>
    reply(res, requestId, status, { ...extra, 'content-type': 'application/json', 'x-amzn-errortype': errorType }, body);

  /** AWS_IAM: a valid signature for the lambda service (any signature passes with --auth off). */
  const signer = async (req: IncomingMessage, body: Buffer): Promise<{ accessKey: string; accountId: string } | undefined | null> => {
    if (!o.authenticate) return undefined;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    try {
      const p = await o.authenticate({ method: req.method ?? 'GET', rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? '' : url.slice(q + 1), headers: req.headersDistinct, body });
      return p.service === 'lambda' ? { accessKey: p.accessKeyId, accountId: o.lambda.opts.accountId } : null;
    } catch {
      return null;
    }
  };

  /** Runs the function for an authorized request; `allowed` holds the CORS headers every answer carries. */
  const run = (req: IncomingMessage, res: ServerResponse, t: UrlTarget, hit: UrlHit, body: Buffer, requestId: string, iam: { accessKey: string; accountId: string } | undefined, allowed: Record<string, string>): Promise<void> =>
    withSpanOpts(
      SpanName.FunctionUrlRequest,
      { kind: SpanKind.SERVER, parent: contextFromHttp(req.headers), attributes: { [Attr.FunctionName]: hit.f.doc.name, [Attr.HttpMethod]: req.method ?? 'GET', [Attr.AwsRequestId]: requestId } },
      async (span) => {
        await runInSpan(req, res, t, hit, body, requestId, iam, allowed);
        span.setAttribute(Attr.HttpStatus, res.statusCode);
      },
    );

  const runInSpan = async (req: IncomingMessage, res: ServerResponse, t: UrlTarget, hit: UrlHit, body: Buffer, requestId: string, iam: { accessKey: string; accountId: string } | undefined, allowed: Record<string, string>): Promise<void> => {
    const now = new Date();
    // The event's X-Amzn-Trace-Id is the trace this request joined (a new one when untraced).
    const traceId = currentXRayHeader() ?? newTraceId(now);
    const event = urlEvent({
      urlId: t.urlId,
      domainName: t.domainName,
      method: req.method ?? 'GET',
      rawPath: t.rawPath,
      rawQuery: t.rawQuery,
      headers: req.headersDistinct,
      body,
      sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      localPort: req.socket.localPort ?? 0,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      traceId,
      now,
      accountId: hit.url.authType === 'AWS_IAM' ? o.lambda.opts.accountId : 'anonymous',
      iam,
    });
    const payload = JSON.stringify(event);
    // The event (body, base64 growth and headers included) is held to Invoke's 6 MB limit.
    if (Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD) {
      refuse(res, requestId, 413, 'RequestTooLargeException', tooLarge, allowed);
      return;
    }
    const target = o.lambda.resolve(hit.f, hit.url.qualifier === '' ? undefined : hit.url.qualifier);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let result: InvokeResult;
    try {
      result = await o.lambda.scheduler.invoke(target, { requestId, payload, traceId, signal: abort.signal });
    } catch (err) {
      if (!(err instanceof Throttled)) throw err;
      refuse(res, requestId, 429, 'TooManyRequestsException', JSON.stringify({ Message: 'Rate Exceeded.' }), allowed);
      return;
    }
    const out = result.functionError || Buffer.byteLength(result.payload) > MAX_SYNC_PAYLOAD ? undefined : urlResponse(result.payload);
    if (!out) {
      // What Lambda answers for a failed function or a malformed response (recorded from AWS).
      reply(res, requestId, 502, { ...allowed, 'content-type': 'text/plain; charset=utf-8' }, 'Internal Server Error');
      return;
    }
    // The configured CORS headers win over the function's own (Lambda would send both).
    const headers: Record<string, string | string[]> = { ...out.headers, ...allowed };
    const cookies = [...(out.headers['set-cookie'] !== undefined ? [out.headers['set-cookie']] : []), ...out.cookies];
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    reply(res, requestId, out.status, headers, out.body);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, t: UrlTarget, requestId: string): Promise<void> => {
    let body: Buffer;
    try {
      body = await readBody(req, MAX_SYNC_PAYLOAD);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return;
      res.setHeader('connection', 'close');
      refuse(res, requestId, 413, 'RequestTooLargeException', tooLarge);
      return;
    }
    const hit = t.region === undefined || t.region === region ? await index.find(t.urlId) : undefined;
    if (!hit) {
      refuse(res, requestId, 403, 'AccessDeniedException', UNKNOWN_URL);
      return;
    }
    // Browsers send preflights unsigned and without credentials: the configuration answers them.
    const cors = corsOf(hit.url);
    const origin = firstHeader(req, 'origin');
    const wanted = firstHeader(req, 'access-control-request-method');
    if (req.method === 'OPTIONS' && cors && origin !== undefined && wanted !== undefined) {
      reply(res, requestId, 200, preflightHeaders(cors, origin, wanted), '');
      return;
    }
    // From here on every answer carries the CORS headers, so a browser can read refusals too.
    const allowed = corsHeaders(cors, origin);
    let iam: { accessKey: string; accountId: string } | undefined;
    if (hit.url.authType === 'AWS_IAM') {
      const signed = await signer(req, body);
      if (signed === null) {
        refuse(res, requestId, 403, 'AccessDeniedException', FORBIDDEN, allowed);
        return;
      }
      iam = signed;
    } else if (!allowsPublicUrlInvoke(hit.f.doc, hit.url.qualifier)) {
      refuse(res, requestId, 403, 'AccessDeniedException', FORBIDDEN, allowed);
      return;
    }
    await run(req, res, t, hit, body, requestId, iam, allowed);
  };

  return (req, res) => {
    const t = matchUrlRequest(req, region);
    if (!t) return false;
    const requestId = randomUUID();
    serve(req, res, t, requestId).catch((err: unknown) => {
      o.log(`gateway: function URL ${t.urlId} ${requestId}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      refuse(res, requestId, 500, 'ServiceException', JSON.stringify({ Message: 'Internal Server Error' }));
    });
    return true;
  };
}
