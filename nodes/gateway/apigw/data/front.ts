// The API Gateway data plane on the gateway's HTTP port. A request reaches a user-defined API in
// one of two forms, answered before any AWS API dispatch (http.ts's `extra` hook):
//   - Host form: `{apiId}.execute-api.<anything>[:port]` and path `/{stage}/{path}`;
//   - path form, for clients that cannot set a Host: `/_api/{apiId}/{stage}/{path}`.
// HTTP APIs with a `$default` stage also serve paths that name no stage. The front reads the
// body (10 MB, AWS's limit), finds the API and stage, and hands an ApiRequest to the REST or HTTP
// pipeline (WebSocket upgrades and `@connections` calls to the hub), inside one SERVER span that
// continues the caller's trace.
import { randomBytes, randomUUID } from 'node:crypto';
import { context as otelContext } from '@opentelemetry/api';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Duplex } from 'node:stream';
import { Attr, SpanKind, SpanName, withSpanOpts } from '../../../telemetry/index.js';
import { contextFromHttp, currentXRayHeader } from '../../../telemetry/propagation.js';
import { BodyTooLarge, readBody } from '../../http.js';
import { type ApiDoc } from '../model.js';
import { serveHookAdmin } from './edge/admin.js';
import { defaultGatewayResponse, renderGatewayResponse } from './gateway-responses.js';
import { serveHttpApi } from './http/pipeline.js';
import { loadRestDeployment } from './rest/deployments.js';
import { serveRestApi } from './rest/pipeline.js';
import { type ApiRequest, type ApiResponse, type DataRuntime, GatewayFailure } from './types.js';
import { WS_LIMITS, createWebSocketHub } from './ws/index.js';
import { type GatewayPeers } from './ws/peers.js';

export interface ApiFront {
  /** True when the request is for a user-defined API (answered asynchronously). */
  request(req: IncomingMessage, res: ServerResponse): boolean;
  /** True when the upgrade is for a WebSocket API (taken over). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): Promise<void>;
}

export interface ApiFrontOptions {
  region: string;
  log: (line: string) => void;
  /** REST canary routing's random source (tests make it deterministic). */
  random?: () => number;
  /** The other gateways, for `@connections` calls on connections they hold. */
  peers?: GatewayPeers;
}

/** AWS: API Gateway payloads are at most 10 MB. */
export const MAX_API_PAYLOAD = 10 * 1024 * 1024;
export const API_PATH_PREFIX = '/_api/';
const HOST_FORM = /^([a-z0-9]{1,32})\.execute-api\.[^:]+(?::\d+)?$/i;

interface ApiTarget {
  apiId: string;
  /** The path after the API (stage first), as received. */
  rawPath: string;
  rawQuery: string;
  domainName: string;
}

export function matchApiRequest(req: IncomingMessage): ApiTarget | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const host = (req.headers.host ?? '').toLowerCase();
  const m = HOST_FORM.exec(host);
  if (m) return { apiId: m[1]!, rawPath: path, rawQuery, domainName: host.replace(/:\d+$/, '') };
  if (!path.startsWith(API_PATH_PREFIX)) return undefined;
  const rest = path.slice(API_PATH_PREFIX.length);
  const slash = rest.indexOf('/');
  const apiId = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  return { apiId, rawPath: slash < 0 ? '/' : rest.slice(slash), rawQuery, domainName: host.replace(/:\d+$/, '') || '127.0.0.1' };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Splits `/{stage}/{path}`: the stage the API has, else `$default` for HTTP APIs. */
function stageOf(api: ApiDoc, rawPath: string): { stage: string; rawPath: string } | undefined {
  const parts = rawPath.split('/');
  const first = decode(parts[1] ?? '');
  if (first !== '' && api.stages[first] !== undefined) return { stage: first, rawPath: `/${parts.slice(2).join('/')}` };
  if (api.kind === 'v2' && api.stages.$default !== undefined) return { stage: '$default', rawPath };
  return undefined;
}

function plain(status: number, message: string, extra: Record<string, string[]> = {}): ApiResponse {
  return { status, headers: { 'content-type': ['application/json'], ...extra }, body: Buffer.from(JSON.stringify({ message })) };
}

// Random bytes drawn 4 KiB at a time: a synchronous randomBytes call per request showed in profiles.
let entropy = Buffer.alloc(0);
let drawn = 0;

/** AWS's extendedRequestId: a short base64-like id (`$context.extendedRequestId`, `x-amz-apigw-id`). */
function extendedId(): string {
  if (drawn + 12 > entropy.length) {
    entropy = randomBytes(4096);
    drawn = 0;
  }
  const id = entropy.toString('base64', drawn, drawn + 12);
  drawn += 12;
  return id.replace(/\+/g, 'A').replace(/\//g, 'B').slice(0, 15) + '=';
}

export function apiFront(rt: DataRuntime & { close(): Promise<void> }, o: ApiFrontOptions): ApiFront {
  const hub = createWebSocketHub(rt, WS_LIMITS, o.peers);

  /** AWS's ids on every answer: REST `x-amzn-RequestId` and `x-amz-apigw-id`; HTTP APIs `apigw-requestid`. */
  const write = (res: ServerResponse, r: ApiResponse, ids: { requestId: string; extendedRequestId?: string; kind?: 'rest' | 'http' }): void => {
    if (res.headersSent) return;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(r.headers)) {
      // The gateway frames the body and names the request itself; a backend's would contradict it.
      if (/^(content-length|transfer-encoding|connection|x-amzn-requestid|x-amz-apigw-id|apigw-requestid)$/i.test(k)) continue;
      headers[k] = v.length === 1 ? v[0]! : v;
    }
    if (ids.kind === 'http') headers['apigw-requestid'] = ids.extendedRequestId ?? ids.requestId;
    else {
      headers['x-amzn-RequestId'] = ids.requestId;
      if (ids.extendedRequestId !== undefined) headers['x-amz-apigw-id'] = ids.extendedRequestId;
    }
    headers['content-length'] = String(r.body.length);
    res.writeHead(r.status, headers);
    res.end(r.body);
  };

  const buildRequest = (req: IncomingMessage, t: ApiTarget, stage: string, rawPath: string, body: Buffer, ids: { requestId: string; extendedRequestId: string }, signal: AbortSignal): ApiRequest => {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headersDistinct)) if (v !== undefined) headers[k] = v;
    const traceHeader = currentXRayHeader();
    const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    // What AWS's front adds before any integration sees the request: the client chain and the trace.
    headers['x-forwarded-for'] = [[...(headers['x-forwarded-for'] ?? []), sourceIp].join(', ')];
    headers['x-forwarded-port'] = [String(req.socket.localPort ?? '')];
    headers['x-forwarded-proto'] = ['encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http'];
    if (traceHeader !== undefined) headers['x-amzn-trace-id'] = [traceHeader];
    return {
      requestId: ids.requestId,
      extendedRequestId: ids.extendedRequestId,
      apiId: t.apiId,
      stage,
      method: (req.method ?? 'GET').toUpperCase(),
      path: rawPath.split('/').map(decode).join('/'),
      rawPath,
      rawQuery: t.rawQuery,
      headers,
      body,
      sourceIp,
      userAgent: headers['user-agent']?.[0] ?? '',
      domainName: t.domainName,
      domainPrefix: t.domainName.split('.')[0] ?? '',
      receivedAt: Date.now(),
      protocol: `HTTP/${req.httpVersion}`,
      signal,
      signed: { method: req.method ?? 'GET', rawPath: (req.url ?? '/').split('?')[0]!, rawQuery: t.rawQuery, headers: req.headersDistinct, body },
      ...(traceHeader !== undefined ? { traceHeader } : {}),
    };
  };

  /** HTTP APIs and @connections answer failures as `{"message": ...}`. */
  const answer = async (f: () => Promise<ApiResponse>): Promise<ApiResponse> => {
    try {
      return await f();
    } catch (err) {
      if (!(err instanceof GatewayFailure)) throw err;
      const d = defaultGatewayResponse(err.type);
      if (err.detail !== undefined) o.log(`apigw: ${err.detail}`);
      return plain(err.status ?? d.status, err.message === err.type ? d.message : err.message, Object.fromEntries(Object.entries(err.headers).map(([k, v]) => [k, [v]])));
    }
  };

  /** 413, as the REST API's customised REQUEST_TOO_LARGE response when it has one. */
  const tooLarge = async (t: ApiTarget, requestId: string): Promise<ApiResponse> => {
    const api = await rt.backend.anyApi(t.apiId);
    const stage = api?.kind === 'rest' ? stageOf(api, t.rawPath) : undefined;
    const deployment = api?.kind === 'rest' && stage ? await loadRestDeployment(rt.backend, api.id, api.stages[stage.stage]!.deploymentId) : undefined;
    if (!deployment) {
      const d = defaultGatewayResponse('REQUEST_TOO_LARGE');
      return plain(d.status, d.message, { 'x-amzn-ErrorType': ['RequestTooLargeException'] });
    }
    const variables = api?.kind === 'rest' && stage ? api.stages[stage.stage]!.variables : {};
    return renderGatewayResponse(deployment.doc.snapshot.gatewayResponses, { type: 'REQUEST_TOO_LARGE', message: 'REQUEST_TOO_LARGE', headers: {}, context: { requestId, apiId: t.apiId, stage: stage?.stage }, stageVariables: variables });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, t: ApiTarget): Promise<void> => {
    const ids = { requestId: randomUUID(), extendedRequestId: extendedId() };
    const started = performance.now();
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let body: Buffer;
    try {
      body = await readBody(req, MAX_API_PAYLOAD);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      res.setHeader('connection', 'close');
      write(res, await tooLarge(t, ids.requestId), ids);
      return;
    }
    const api = await rt.backend.anyApi(t.apiId);
    const stage = api && !api.disableExecuteApiEndpoint ? stageOf(api, t.rawPath) : undefined;
    if (!api || !stage) {
      // AWS: an unknown API, a REST API's unknown stage or a disabled endpoint answer 403
      // Forbidden; an HTTP API without the stage answers 404.
      if (api?.kind === 'v2' && !api.disableExecuteApiEndpoint) write(res, plain(404, 'Not Found'), { ...ids, kind: 'http' });
      else write(res, plain(403, 'Forbidden', { 'x-amzn-ErrorType': ['ForbiddenException'] }), ids);
      return;
    }
    const apiId = api.kind === 'rest' ? api.id : api.apiId;
    const kind = api.kind === 'rest' ? 'rest' : 'http';
    await withSpanOpts(
      SpanName.ApiRequest,
      { kind: SpanKind.SERVER, attributes: { [Attr.ApiId]: apiId, [Attr.ApiStage]: stage.stage, [Attr.HttpMethod]: (req.method ?? 'GET').toUpperCase(), [Attr.AwsRequestId]: ids.requestId } },
      async (span) => {
        // Built inside the span: functions the request reaches join this span's trace.
        const request = buildRequest(req, t, stage.stage, stage.rawPath, body, ids, abort.signal);
        let out: ApiResponse;
        let resource = '';
        let integrationLatencyMs: number | undefined;
        let cache: 'hit' | 'miss' | undefined;
        let context: Record<string, unknown> = { requestId: ids.requestId, extendedRequestId: ids.extendedRequestId, apiId, stage: stage.stage, httpMethod: request.method, path: request.path };
        if (api.kind === 'rest') {
          const r = await serveRestApi(rt, api, api.stages[stage.stage]!, request, o.random ? { random: o.random } : {});
          out = r.res;
          resource = r.resource;
          integrationLatencyMs = r.integrationLatencyMs;
          cache = r.cache;
          context = r.context;
          if (r.detail !== undefined) o.log(`apigw: ${apiId}/${stage.stage} ${ids.requestId}: ${r.detail}`);
        } else if (api.protocolType === 'WEBSOCKET' && request.path.startsWith('/@connections/')) {
          out = await answer(() => hub.connections(api, request));
        } else if (api.protocolType === 'HTTP') {
          const seen: { routeKey?: string } = {};
          out = await answer(() => serveHttpApi(rt, api, request, seen));
          resource = seen.routeKey ?? '';
        } else {
          out = plain(404, 'Not Found');
        }
        span.setAttribute(Attr.ApiRoute, resource);
        span.setAttribute(Attr.HttpStatus, out.status);
        // REST stages with X-Ray tracing answer with the trace the request joined.
        if (api.kind === 'rest' && api.stages[stage.stage]?.tracingEnabled === true && request.traceHeader !== undefined) {
          out = { ...out, headers: { ...out.headers, 'x-amzn-trace-id': [request.traceHeader] } };
        }
        write(res, out, { ...ids, kind });
        const stageDoc = api.stages[stage.stage];
        const latencyMs = performance.now() - started;
        rt.observer.record({
          apiId,
          apiName: api.name,
          flavor: api.kind === 'rest' ? 'rest' : api.protocolType === 'HTTP' ? 'http' : 'websocket',
          stage: stage.stage,
          resource,
          method: request.method,
          status: out.status,
          latencyMs,
          ...(integrationLatencyMs !== undefined ? { integrationLatencyMs } : {}),
          ...(cache !== undefined ? { cache } : {}),
          ...(stageDoc?.accessLogSettings ? { accessLog: stageDoc.accessLogSettings } : {}),
          context: { ...context, status: out.status, responseLength: out.body.length, responseLatency: Math.round(latencyMs) },
        });
      },
    );
  };

  return {
    request(req, res) {
      const t = matchApiRequest(req);
      if (!t && !(req.url ?? '').startsWith('/_stratus/apis/')) return false;
      if (serveHookAdmin(rt, req, res)) return true;
      if (!t) return false;
      otelContext.with(contextFromHttp(req.headers), () => serve(req, res, t)).catch((err: unknown) => {
        o.log(`apigw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        if (!res.headersSent) write(res, plain(500, 'Internal server error'), { requestId: randomUUID() });
      });
      return true;
    },
    upgrade(req, socket, head) {
      const t = matchApiRequest(req);
      if (!t) return false;
      void (async () => {
        const api = await rt.backend.anyApi(t.apiId);
        const stage = api ? stageOf(api, t.rawPath) : undefined;
        if (!api || api.kind !== 'v2' || api.protocolType !== 'WEBSOCKET' || !stage) {
          socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
          return;
        }
        const request = buildRequest(req, t, stage.stage, stage.rawPath, Buffer.alloc(0), { requestId: randomUUID(), extendedRequestId: extendedId() }, new AbortController().signal);
        hub.upgrade(api, request, req, socket, head);
      })().catch((err: unknown) => {
        o.log(`apigw: websocket upgrade: ${err instanceof Error ? err.message : String(err)}`);
        socket.destroy();
      });
      return true;
    },
    async close() {
      await hub.close();
      await rt.close();
    },
  };
}
