// The gateway's HTTP front: one port for every AWS service Stratus implements. A request is
// dispatched like the real endpoints do it: `X-Amz-Target` selects a JSON-protocol action; a
// request signed for a REST service (or, unsigned, whose method and path match one of a REST
// service's routes) goes to that restJson1 service; otherwise form parameters (`Action=`) select
// a Query-protocol action. Every response carries a request id; every failure leaves as the
// protocol's error shape, mapped here and only here. A JSON-protocol request in CBOR
// (`application/x-amz-cbor-1.1`) to a service that accepts it is answered in CBOR.
// Requests may arrive over HTTP/1.1 or HTTP/2 (h2c.ts presents both alike).
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type AnyAction, type AnyServiceSpec, EVENT_STREAM, type EventStreamOutput, type RequestContext, type RestServiceSpec, type ServiceSpec, isEventStream, isRestService, runAction } from './action.js';
import { AwsError, ERRORS, type ErrorCode, asAwsError } from './errors.js';
import { jsonContentType, jsonError, jsonResponse, parseJsonBody } from './protocols/aws-json.js';
import { CBOR_CONTENT_TYPE, cborError, cborResponse, parseCborBody } from './protocols/cbor.js';
import { parseForm, queryError, queryResponse } from './protocols/query.js';
import { type QueryParams, type RestWire, type RouteMatch, RestRouter, decodeRestInput, parseQueryParams, restAlias, restError, restResponse } from './protocols/rest-json.js';
import { type Principal, type SignedRequest } from './protocols/sigv4.js';
import { type StructShape, fromQuery } from './shapes.js';
import { Attr, SpanKind, SpanName, withSpanOpts } from '../telemetry/index.js';
import { contextFromHttp, traceResponseHeader } from '../telemetry/propagation.js';
import { context } from '@opentelemetry/api';

/** Verifies a request's signature; undefined when authentication is off. */
export type Authenticate = ((req: SignedRequest) => Promise<Principal>) | undefined;

export interface HttpFrontOptions {
  services: AnyServiceSpec[];
  authenticate: Authenticate;
  region: string;
  accountId: string;
  /** Bodies above this are refused before they are read in full (a service or action may set its own). */
  maxBodyBytes: number;
  log: (line: string) => void;
  /** Extra routes (health) answered before AWS dispatch; return true when handled. */
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export class BodyTooLarge extends Error {}

/**
 * Reads a body of at most `max` bytes. Past the limit it stops reading but leaves the socket
 * open: the caller answers 413 with `connection: close`, and Node closes the socket once that
 * answer is written. Destroying the request here would drop the answer with the connection.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The service a SigV4 scope names (`Credential=AKID/date/region/service/aws4_request`). */
function scopeService(req: IncomingMessage, params: Map<string, string>): string | undefined {
  const cred = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(header(req, 'authorization') ?? '')?.[1];
  return cred ?? params.get('X-Amz-Credential')?.split('/')[3];
}

/** The same, before the query string is parsed (a presigned URL's `X-Amz-Credential`), never failing. */
function scopeServiceEarly(req: IncomingMessage, rawQuery: string): string | undefined {
  const params = new Map<string, string>();
  const cred = /(?:^|&)X-Amz-Credential=([^&]*)/.exec(rawQuery)?.[1];
  if (cred !== undefined) params.set('X-Amz-Credential', decodePath(cred));
  return scopeService(req, params);
}

/** A malformed escape in the path names no resource; it must not fail the request as ours. */
function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

/**
 * Older Query clients POST to the queue URL itself (`/<account>/<name>`) and leave QueueUrl out
 * of the form, as AWS allows: the path stands in for the missing parameter.
 */
function withPathQueueUrl(input: StructShape, raw: Record<string, unknown>, baseUrl: string, path: string): Record<string, unknown> {
  if (!('QueueUrl' in input.members) || raw.QueueUrl !== undefined || !/^\/\d{12}\/[^/]+\/?$/.test(path)) return raw;
  return { ...raw, QueueUrl: `${baseUrl}${path.replace(/\/$/, '')}` };
}

interface RestEntry {
  spec: RestServiceSpec;
  router: RestRouter<unknown>;
}

/** How a request without X-Amz-Target reached a REST service. */
interface RestPick {
  rest: RestEntry;
  /** Undefined when the query string was malformed: answered as the service's error. */
  query: QueryParams | undefined;
  queryError: AwsError | undefined;
  match: RouteMatch<unknown> | undefined;
}

export function httpFront(o: HttpFrontOptions): (req: IncomingMessage, res: ServerResponse) => void {
  if (o.services.length === 0) throw new Error('httpFront needs at least one service');
  const rpc = o.services.filter((s): s is ServiceSpec => !isRestService(s));
  const rest: RestEntry[] = o.services.filter(isRestService).map((spec) => ({ spec, router: new RestRouter(spec.actions.values()) }));
  const byTarget = new Map(rpc.map((s) => [s.targetPrefix, s]));
  const bySigning = new Map(rpc.map((s) => [s.signingName, s]));
  const byVersion = new Map(rpc.map((s) => [s.queryVersion, s]));
  const restBySigning = new Map(rest.map((r) => [r.spec.signingName, r]));
  // The RPC service that answers what names no service; a REST-only front has none.
  const fallback: ServiceSpec | undefined = rpc[0];

  const send = (res: ServerResponse, requestId: string, w: RestWire): void => {
    if (res.headersSent) return;
    res.writeHead(w.status, { ...w.headers, 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(w.body) });
    res.end(w.body);
  };

  const tooLarge = (res: ServerResponse, limit: number): AwsError => {
    // Over HTTP/2 (h2c.ts) this resets the stream once the answer is out instead.
    res.setHeader('connection', 'close');
    return new AwsError('RequestEntityTooLarge', `Request body is larger than the ${limit} bytes allowed.`);
  };

  const authenticate = async (req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): Promise<Principal | undefined> => {
    if (!o.authenticate) return undefined;
    try {
      return await o.authenticate({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headersDistinct, body });
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
      if (code in ERRORS) throw new AwsError(code as ErrorCode, err instanceof Error ? err.message : 'Access denied');
      throw err;
    }
  };

  /** Runs a decoded request through the action (checked by its shape), traced. */
  const execute = async (
    res: ServerResponse,
    requestId: string,
    call: { signingName: string; protocol: string; action: AnyAction<unknown>; deps: unknown; raw: unknown; principal: Principal | undefined; baseUrl: string; path: string },
  ): Promise<Record<string, unknown>> => {
    const abort = new AbortController();
    // Only a client that leaves early aborts (an abort builds an exception: not on every request).
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const ctx: RequestContext = {
      requestId,
      accessKeyId: call.principal?.accessKeyId,
      region: call.principal?.region ?? o.region,
      accountId: o.accountId,
      baseUrl: call.baseUrl,
      path: call.path,
      signal: abort.signal,
    };
    return withSpanOpts(
      SpanName.AwsRequest,
      { kind: SpanKind.SERVER, attributes: { [Attr.AwsService]: call.signingName, [Attr.AwsOperation]: call.action.name, [Attr.AwsRequestId]: requestId, [Attr.AwsProtocol]: call.protocol } },
      async (span) => {
        const xray = traceResponseHeader(span);
        if (xray !== undefined && !res.headersSent) res.setHeader('x-amzn-trace-id', xray);
        try {
          return await runAction(call.action, call.raw, ctx, call.deps);
        } catch (err) {
          span.setAttribute(Attr.AwsErrorCode, asAwsError(err).code);
          throw err;
        }
      },
    );
  };

  const logInternal = (requestId: string, where: string, e: AwsError, err: unknown): void => {
    if (e.code === 'InternalFailure') o.log(`gateway: ${requestId} ${where}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  };

  /**
   * The REST service a request without X-Amz-Target is for: the one its SigV4 scope names, else
   * (unsigned, or scoped to an unknown name) the first whose routes match. A request scoped to an
   * RPC service stays with it; so does one no route matches, unless the front has no RPC service.
   */
  const pickRest = (req: IncomingMessage, rawPath: string, rawQuery: string): RestPick | undefined => {
    if (rest.length === 0) return undefined;
    const method = req.method ?? 'GET';
    const scope = scopeServiceEarly(req, rawQuery);
    const named = scope === undefined ? undefined : restBySigning.get(scope);
    if (!named && scope !== undefined && bySigning.has(scope)) return undefined;
    let query: QueryParams | undefined;
    let queryError: AwsError | undefined;
    try {
      query = parseQueryParams(rawQuery);
    } catch (err) {
      queryError = asAwsError(err);
    }
    if (named) return { rest: named, query, queryError, match: query && named.router.match(method, rawPath, query) };
    if (query) {
      for (const r of rest) {
        const match = r.router.match(method, rawPath, query);
        if (match) return { rest: r, query, queryError, match };
      }
    }
    return fallback ? undefined : { rest: rest[0]!, query, queryError, match: undefined };
  };

  const handleRest = async (req: IncomingMessage, res: ServerResponse, requestId: string, pick: RestPick, rawPath: string, rawQuery: string): Promise<void> => {
    const { rest: svc, match } = pick;
    const fail = (err: AwsError): void => send(res, requestId, restError(svc.spec, err));
    const limit = match?.action.http?.maxBodyBytes ?? svc.spec.maxBodyBytes ?? o.maxBodyBytes;
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) fail(tooLarge(res, limit));
      return;
    }
    try {
      const principal = await authenticate(req, rawPath, rawQuery, body);
      if (pick.queryError) throw pick.queryError;
      if (!match || !pick.query) throw new AwsError('UnknownRoute', `No ${svc.spec.signingName} operation matches ${req.method ?? 'GET'} ${rawPath}.`);
      const raw = decodeRestInput(match.action.input, { labels: match.labels, query: pick.query, headers: req.headers, body });
      const out = await execute(res, requestId, {
        signingName: svc.spec.signingName,
        protocol: 'rest-json',
        action: match.action,
        deps: svc.spec.deps,
        raw,
        principal,
        baseUrl: `http://${header(req, 'host') ?? '127.0.0.1'}`,
        path: decodePath(rawPath),
      });
      send(res, requestId, restResponse(match.action, out));
    } catch (err) {
      const e = asAwsError(err);
      logInternal(requestId, `${svc.spec.signingName}.${match?.action.name ?? '?'}`, e, err);
      fail(e);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const target = header(req, 'x-amz-target');
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();

    if (target === undefined) {
      const pick = pickRest(req, rawPath, rawQuery);
      if (pick) return handleRest(req, res, requestId, pick, rawPath, rawQuery);
    }

    // Which protocol (and so which error shape) applies is known from the headers alone.
    let service: ServiceSpec;
    let json = false;
    let cbor = false;
    let actionName: string;
    if (target !== undefined) {
      json = true;
      const dot = target.lastIndexOf('.');
      const svc = byTarget.get(target.slice(0, dot));
      if (!svc) {
        send(res, requestId, jsonError({ signingName: fallback?.signingName ?? 'stratus', jsonVersion: '1.0', queryCompatible: false }, new AwsError('UnknownOperationException', `Unknown target ${target}`)));
        return;
      }
      service = svc;
      actionName = target.slice(dot + 1);
      cbor = contentType === CBOR_CONTENT_TYPE && service.cbor === true;
    } else {
      // pickRest answers every request when the front has no RPC service.
      service = bySigning.get(scopeServiceEarly(req, rawQuery) ?? '') ?? fallback!;
      actionName = '';
    }
    const fail = (error: AwsError): void => {
      const err = restAlias(service, error);
      send(res, requestId, cbor ? cborError(service, err) : json ? jsonError(service, err) : queryError(service.xmlNamespace, err, requestId));
    };

    // A Query request's service is settled by its form; until then, the scope's (or the first) limit applies.
    const limit = service.maxBodyBytes ?? o.maxBodyBytes;
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) fail(tooLarge(res, limit));
      return;
    }

    try {
      let params = new Map<string, string>();
      if (!json) {
        params = parseForm(rawQuery);
        if (req.method === 'POST') {
          if (contentType !== 'application/x-www-form-urlencoded' && body.length > 0) {
            throw new AwsError('InvalidParameterValue', `Unsupported content type ${contentType || '(none)'}: use application/x-www-form-urlencoded, or application/x-amz-json-1.0 with X-Amz-Target.`);
          }
          parseForm(body.toString('utf8'), params);
        }
        service = bySigning.get(scopeService(req, params) ?? '') ?? byVersion.get(params.get('Version') ?? '') ?? service;
        const a = params.get('Action');
        if (a === undefined) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
        actionName = a;
      } else if (!cbor && contentType !== jsonContentType(service.jsonVersion) && contentType !== 'application/json') {
        throw new AwsError('SerializationException', `Unsupported content type ${contentType || '(none)'} for ${target}: use ${jsonContentType(service.jsonVersion)}${service.cbor ? ` or ${CBOR_CONTENT_TYPE}` : ''}.`);
      }

      const unsigned = !json && header(req, 'authorization') === undefined && !params.has('X-Amz-Signature');
      const principal = unsigned && service.anonymousActions?.has(actionName) ? undefined : await authenticate(req, rawPath, rawQuery, body);

      const action = service.actions.get(actionName);
      if (!action) {
        throw json
          ? new AwsError('UnknownOperationException', `Unknown operation ${actionName}`)
          : new AwsError('InvalidAction', `The action ${actionName} is not valid for this endpoint.`);
      }
      const host = header(req, 'host') ?? '127.0.0.1';
      const baseUrl = `http://${host}`;
      const path = decodePath(rawPath);
      const raw = cbor ? parseCborBody(action.input, body) : json ? parseJsonBody(body) : withPathQueueUrl(action.input, fromQuery(action.input, params), baseUrl, path);
      const protocol = cbor ? 'cbor' : json ? 'json' : 'query';
      const out = await execute(res, requestId, { signingName: service.signingName, protocol, action, deps: service.deps, raw, principal, baseUrl, path });
      if (isEventStream(out)) return await streamEvents(res, requestId, out);
      send(res, requestId, cbor ? cborResponse(action.output, out) : json ? jsonResponse(service, action.output, out) : queryResponse(service, action.name, action.output, out, requestId));
    } catch (err) {
      const e = asAwsError(err);
      logInternal(requestId, `${service.signingName}.${actionName}`, e, err);
      fail(e);
    }
  };

  return (req, res) => {
    if (o.extra?.(req, res)) return;
    const requestId = randomUUID();
    context.with(contextFromHttp(req.headers), () => handle(req, res, requestId)).catch((err: unknown) => {
      o.log(`gateway: ${requestId}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500);
        res.end();
      }
    });
  };
}

/** Writes an event stream response frame by frame, with back-pressure, until it ends or the client leaves. */
async function streamEvents(res: ServerResponse, requestId: string, out: EventStreamOutput): Promise<void> {
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
  try {
    for await (const frame of out[EVENT_STREAM](abort.signal)) {
      if (abort.signal.aborted) break;
      if (!res.write(frame)) await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  } finally {
    if (!res.writableEnded) res.end();
  }
}
