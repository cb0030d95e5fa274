// The gateway's HTTP front: one port for every AWS service Stratus implements. A request is
// dispatched like the real endpoints do it: `X-Amz-Target` selects a JSON-protocol action;
// otherwise form parameters (`Action=`) select a Query-protocol action. Every response carries
// a request id; every failure leaves as the protocol's error shape, mapped here and only here.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type RequestContext, type ServiceSpec, runAction } from './action.js';
import { AwsError, ERRORS, type ErrorCode, asAwsError } from './errors.js';
import { jsonContentType, jsonError, jsonResponse, parseJsonBody, type WireResponse } from './protocols/aws-json.js';
import { parseForm, queryError, queryResponse } from './protocols/query.js';
import { type Principal, type SignedRequest } from './protocols/sigv4.js';
import { type StructShape, fromQuery } from './shapes.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';

/** Verifies a request's signature; undefined when authentication is off. */
export type Authenticate = ((req: SignedRequest) => Promise<Principal>) | undefined;

export interface HttpFrontOptions {
  services: ServiceSpec[];
  authenticate: Authenticate;
  region: string;
  accountId: string;
  /** Bodies above this are refused before they are read in full. */
  maxBodyBytes: number;
  log: (line: string) => void;
  /** Extra routes (health) answered before AWS dispatch; return true when handled. */
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

class BodyTooLarge extends Error {}

/**
 * Reads a body of at most `max` bytes. Past the limit it stops reading but leaves the socket
 * open: the caller answers 413 with `connection: close`, and Node closes the socket once that
 * answer is written. Destroying the request here would drop the answer with the connection.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
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

export function httpFront(o: HttpFrontOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const byTarget = new Map(o.services.map((s) => [s.targetPrefix, s]));
  const bySigning = new Map(o.services.map((s) => [s.signingName, s]));
  const byVersion = new Map(o.services.map((s) => [s.queryVersion, s]));
  const fallback = o.services[0];
  if (!fallback) throw new Error('httpFront needs at least one service');

  const send = (res: ServerResponse, requestId: string, w: WireResponse): void => {
    if (res.headersSent) return;
    res.writeHead(w.status, { ...w.headers, 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(w.body) });
    res.end(w.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const target = header(req, 'x-amz-target');
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();

    // Which protocol (and so which error shape) applies is known from the headers alone.
    let service: ServiceSpec;
    let json = false;
    let actionName: string;
    if (target !== undefined) {
      json = true;
      const dot = target.lastIndexOf('.');
      const svc = byTarget.get(target.slice(0, dot));
      if (!svc) {
        send(res, requestId, jsonError({ signingName: fallback.signingName, jsonVersion: '1.0', queryCompatible: false }, new AwsError('UnknownOperationException', `Unknown target ${target}`)));
        return;
      }
      service = svc;
      actionName = target.slice(dot + 1);
    } else {
      service = fallback;
      actionName = '';
    }
    const fail = (err: AwsError): void => send(res, requestId, json ? jsonError(service, err) : queryError(service.xmlNamespace, err, requestId));

    let body: Buffer;
    try {
      body = await readBody(req, o.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        res.setHeader('connection', 'close');
        fail(new AwsError('RequestEntityTooLarge', `Request body is larger than the ${o.maxBodyBytes} bytes allowed.`));
      }
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
        service = bySigning.get(scopeService(req, params) ?? '') ?? byVersion.get(params.get('Version') ?? '') ?? fallback;
        const a = params.get('Action');
        if (a === undefined) throw new AwsError('MissingAction', 'The request must contain the parameter Action.');
        actionName = a;
      } else if (contentType !== jsonContentType(service.jsonVersion) && contentType !== 'application/json') {
        throw new AwsError('SerializationException', `Unsupported content type ${contentType || '(none)'} for ${target}: use ${jsonContentType(service.jsonVersion)}.`);
      }

      let principal: Principal | undefined;
      if (o.authenticate) {
        try {
          principal = await o.authenticate({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headersDistinct, body });
        } catch (err) {
          const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
          if (code in ERRORS) throw new AwsError(code as ErrorCode, err instanceof Error ? err.message : 'Access denied');
          throw err;
        }
      }

      const action = service.actions.get(actionName);
      if (!action) {
        throw json
          ? new AwsError('UnknownOperationException', `Unknown operation ${actionName}`)
          : new AwsError('InvalidAction', `The action ${actionName} is not valid for this endpoint.`);
      }
      const host = header(req, 'host') ?? '127.0.0.1';
      const baseUrl = `http://${host}`;
      const path = decodePath(rawPath);
      const raw = json ? parseJsonBody(body) : withPathQueueUrl(action.input, fromQuery(action.input, params), baseUrl, path);
      const abort = new AbortController();
      // Only a client that leaves early aborts (an abort builds an exception: not on every request).
      res.on('close', () => {
        if (!res.writableFinished) abort.abort();
      });
      const ctx: RequestContext = {
        requestId,
        accessKeyId: principal?.accessKeyId,
        region: principal?.region ?? o.region,
        accountId: o.accountId,
        baseUrl,
        path,
        signal: abort.signal,
      };
      const out = await withSpan(
        SpanName.AwsRequest,
        { [Attr.AwsService]: service.signingName, [Attr.AwsOperation]: action.name, [Attr.AwsRequestId]: requestId, [Attr.AwsProtocol]: json ? 'json' : 'query' },
        async (span) => {
          try {
            return await runAction(action, raw, ctx, service.deps);
          } catch (err) {
            span.setAttribute(Attr.AwsErrorCode, asAwsError(err).code);
            throw err;
          }
        },
      );
      send(res, requestId, json ? jsonResponse(service, action.output, out) : queryResponse(service, action.name, action.output, out, requestId));
    } catch (err) {
      const e = asAwsError(err);
      if (e.code === 'InternalFailure') o.log(`gateway: ${requestId} ${service.signingName}.${actionName}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      fail(e);
    }
  };

  return (req, res) => {
    if (o.extra?.(req, res)) return;
    const requestId = randomUUID();
    handle(req, res, requestId).catch((err: unknown) => {
      o.log(`gateway: ${requestId}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500);
        res.end();
      }
    });
  };
}
