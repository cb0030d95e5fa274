// WebSocket APIs: each upgrade to a WebSocket API's stage runs its `$connect` route (a refusal
// answers the upgrade with the integration's status), then every message is routed by the
// API's route selection expression to its route's integration; a route with a route response
// sends the integration's answer back. `$disconnect` runs when the socket closes. The
// `@connections` API lets functions (ApiGatewayManagementApi) post to, inspect and close
// connections. Connections live in the gateway process that accepted them; @connections calls
// reaching another gateway are passed on to that one (peers.ts). Messages are throttled by
// the stage's route settings; $connect and messages are recorded with the observer (the front
// records HTTP requests). The stage's viewer edge hooks run on the handshake.
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import { type Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { type ApiV2Doc, type IntegrationV2Doc, type RouteDoc, type StageV2Doc, type V2DeploymentDoc, asDeploymentDoc, deploymentDocName } from '../../model.js';
import { FunctionCallFailed, invokeFunction } from '../invoke-function.js';
import { type ApiRequest, type ApiResponse, type DataRuntime, GatewayFailure } from '../types.js';
import { type Connection, selectRoute, wsEvent } from './events.js';
import { type GatewayPeers, newConnectionId, ownerOf } from './peers.js';
import { callWsIntegration } from './integrate.js';
import { limitsOf } from '../http/limits.js';

export interface WebSocketHub {
  /** Takes over an HTTP upgrade to a WebSocket API's stage (runs $connect, then serves messages). */
  upgrade(api: ApiV2Doc, req: ApiRequest, raw: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The `@connections` management API: POST/GET/DELETE `/@connections/{connectionId}` on the stage. */
  connections(api: ApiV2Doc, req: ApiRequest): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface HubLimits {
  /** AWS: a connection idle for 10 minutes is closed. */
  idleMs: number;
  /** AWS: a connection lasts at most 2 hours. */
  maxConnectionMs: number;
  /** AWS: a message (frames together) is at most 128 KB. */
  maxMessageBytes: number;
}

export const WS_LIMITS: HubLimits = { idleMs: 10 * 60_000, maxConnectionMs: 2 * 3_600_000, maxMessageBytes: 128 * 1024 };

interface Live {
  info: Connection;
  socket: WebSocket;
  deployment: V2DeploymentDoc;
  stageVariables: Record<string, string>;
  apiName: string;
  stageSettings: Pick<StageV2Doc, 'defaultRouteSettings' | 'routeSettings'>;
  /** The $connect authorizer's answer, which every later event of the connection carries. */
  authorizer?: Record<string, unknown>;
  accessLog?: { format?: string; destinationArn?: string };
  idle?: NodeJS.Timeout;
  maxAge: NodeJS.Timeout;
}

const json = (status: number, body: unknown, errorType?: string): ApiResponse => ({
  status,
  // The management API's SDK names its exceptions from this header.
  headers: { 'content-type': ['application/json'], ...(errorType !== undefined ? { 'x-amzn-errortype': [errorType] } : {}) },
  body: Buffer.from(JSON.stringify(body)),
});

export function createWebSocketHub(rt: DataRuntime, limits: HubLimits = WS_LIMITS, peers?: GatewayPeers): WebSocketHub {
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const live = new Map<string, Live>();

  const integrationOf = (d: V2DeploymentDoc, route: RouteDoc | undefined): IntegrationV2Doc | undefined => {
    const id = /^integrations\/(.+)$/.exec(route?.target ?? '')?.[1];
    return id === undefined ? undefined : d.snapshot.integrations[id];
  };

  /** Runs a route's integration; the answer's status and body (MOCK: 200, no body). */
  const run = async (c: Connection, d: V2DeploymentDoc, route: RouteDoc, kind: 'CONNECT' | 'MESSAGE' | 'DISCONNECT', vars: Record<string, string>, extra: { body?: string; binary?: boolean; upgrade?: ApiRequest; disconnect?: { code: number; reason: string }; authorizer?: Record<string, unknown> }): Promise<{ status: number; body?: string }> => {
    const integration = integrationOf(d, route);
    if (!integration) return { status: 200 };
    const requestId = randomUUID();
    const event = wsEvent(c, kind, route.routeKey, requestId, Date.now(), { ...extra, stageVariables: vars });
    if (integration.integrationType === 'MOCK' || integration.integrationType === 'HTTP' || integration.integrationType === 'HTTP_PROXY') {
      const headers = extra.upgrade ? Object.fromEntries(Object.entries(extra.upgrade.headers).map(([k, v]) => [k, v.join(',')])) : {};
      try {
        return await callWsIntegration(integration, { body: extra.body ?? '', context: event.requestContext as Record<string, unknown>, stageVariables: vars, headers });
      } catch (err) {
        if (err instanceof GatewayFailure) return { status: err.type === 'INTEGRATION_TIMEOUT' ? 504 : 500 };
        throw err;
      }
    }
    if (integration.integrationType !== 'AWS_PROXY') throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, `integration type ${integration.integrationType} is not served for WebSocket APIs`);
    let out;
    try {
      out = await invokeFunction(rt.backend, integration.integrationUri ?? '', JSON.stringify(event), { requestId, timeoutMs: integration.timeoutInMillis });
    } catch (err) {
      if (err instanceof FunctionCallFailed) return { status: err.reason === 'timeout' ? 504 : 500 };
      throw err;
    }
    if (out.functionError !== undefined) return { status: 502 };
    let v: unknown;
    try {
      v = JSON.parse(out.payload);
    } catch {
      return { status: 200, body: out.payload };
    }
    if (typeof v === 'object' && v !== null && 'statusCode' in v) {
      const r = v as { statusCode: unknown; body?: unknown };
      return { status: Number(r.statusCode) || 200, ...(r.body !== undefined ? { body: typeof r.body === 'string' ? r.body : JSON.stringify(r.body) } : {}) };
    }
    return { status: 200, ...(v === null ? {} : { body: typeof v === 'string' ? v : JSON.stringify(v) }) };
  };

  const routesOf = (d: V2DeploymentDoc): Map<string, RouteDoc> => new Map(Object.values(d.snapshot.routes).map((r) => [r.routeKey, r]));

  const touch = (l: Live): void => {
    l.info.lastActiveAt = Date.now();
    if (l.idle) clearTimeout(l.idle);
    l.idle = setTimeout(() => l.socket.close(1001, 'Going away'), limits.idleMs);
    l.idle.unref();
  };

  const onMessage = async (l: Live, data: Buffer, isBinary: boolean): Promise<void> => {
    touch(l);
    const routes = routesOf(l.deployment);
    const body = data.toString(isBinary ? 'base64' : 'utf8');
    const key = selectRoute(l.deployment.snapshot.routeSelectionExpression, data.toString('utf8'), new Set(routes.keys()));
    const route = routes.get(key);
    const requestId = randomUUID();
    const started = performance.now();
    // The front records HTTP requests; WebSocket messages are recorded here, one per message.
    const record = (status: number, integrationLatencyMs?: number): void => {
      const latencyMs = performance.now() - started;
      rt.observer.record({
        apiId: l.info.apiId,
        apiName: l.apiName,
        flavor: 'websocket',
        event: 'MESSAGE',
        stage: l.info.stage,
        resource: route ? key : '',
        method: 'MESSAGE',
        status,
        latencyMs,
        ...(integrationLatencyMs !== undefined ? { integrationLatencyMs } : {}),
        ...(l.accessLog ? { accessLog: l.accessLog } : {}),
        context: { requestId, apiId: l.info.apiId, stage: l.info.stage, routeKey: key, eventType: 'MESSAGE', connectionId: l.info.id, status, responseLatency: Math.round(latencyMs), 'identity.sourceIp': l.info.sourceIp },
      });
    };
    if (!route) {
      // AWS's answer to a message no route (not even $default) takes.
      l.socket.send(JSON.stringify({ message: 'Forbidden', connectionId: l.info.id, requestId }));
      record(403);
      return;
    }
    const stage = l.stageSettings;
    const admitted = await rt.admission.admit({ apiId: l.info.apiId, stage: l.info.stage, resourcePath: key, httpMethod: 'MESSAGE', ...limitsOf(stage.defaultRouteSettings, stage.routeSettings[key]), apiKeyRequired: false });
    if (!admitted.ok) {
      l.socket.send(JSON.stringify({ message: 'Too Many Requests', connectionId: l.info.id, requestId }));
      record(429);
      return;
    }
    const r = await run(l.info, l.deployment, route, 'MESSAGE', l.stageVariables, { body, binary: isBinary, ...(l.authorizer ? { authorizer: l.authorizer } : {}) });
    record(r.status, performance.now() - started);
    if (r.status >= 500) {
      l.socket.send(JSON.stringify({ message: 'Internal server error', connectionId: l.info.id, requestId }));
      return;
    }
    // Two-way routes (a route response) send the integration's answer back.
    if (Object.keys(route.routeResponses).length > 0 && r.body !== undefined) {
      l.socket.send(r.body);
      rt.observer.sent({ apiId: l.info.apiId, stage: l.info.stage });
    }
  };

  const disconnect = (l: Live, code: number, reason: string): void => {
    if (!live.delete(l.info.id)) return;
    if (l.idle) clearTimeout(l.idle);
    clearTimeout(l.maxAge);
    const route = routesOf(l.deployment).get('$disconnect');
    if (route) run(l.info, l.deployment, route, 'DISCONNECT', l.stageVariables, { disconnect: { code, reason }, ...(l.authorizer ? { authorizer: l.authorizer } : {}) }).catch(() => undefined);
  };

  const refuse = (socket: Duplex, status: number): void => {
    socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : status === 401 ? 'Unauthorized' : 'Error'}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  };

  /** A viewer hook's early answer to the handshake, as a plain HTTP response. */
  const answerUpgrade = (socket: Duplex, res: ApiResponse): void => {
    const lines = [`HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? 'Error'}`];
    for (const [k, vs] of Object.entries(res.headers)) if (!/^(content-length|connection|transfer-encoding)$/i.test(k)) for (const v of vs) lines.push(`${k}: ${v.replace(/[\r\n]/g, ' ')}`);
    lines.push(`content-length: ${res.body.length}`, 'connection: close');
    socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), res.body]));
  };

  return {
    upgrade(api, original, raw, socket, head) {
      void (async () => {
        const stage = api.stages[original.stage];
        const d = stage?.deploymentId ? await rt.backend.store.get('apideploy', deploymentDocName(api.apiId, stage.deploymentId), asDeploymentDoc, 60_000) : undefined;
        if (!stage || !d || d.kind !== 'v2') return refuse(socket, 403);
        let req = original;
        // Viewer hooks see the handshake (CloudFront's WebSocket support runs them on it only):
        // they may change its headers for $connect or answer it themselves.
        if (stage.edgeHooks.length > 0) {
          const v = await rt.hooks.viewerRequest(stage.edgeHooks, '$connect', req);
          if ('res' in v) return answerUpgrade(socket, v.res);
          req = v.req;
        }
        const started = performance.now();
        const recordConnect = (status: number): void =>
          rt.observer.record({
            apiId: api.apiId,
            apiName: api.name,
            flavor: 'websocket',
            event: 'CONNECT',
            stage: req.stage,
            resource: '$connect',
            method: 'CONNECT',
            status,
            latencyMs: performance.now() - started,
            ...(stage.accessLogSettings ? { accessLog: stage.accessLogSettings } : {}),
            context: { requestId: req.requestId, apiId: api.apiId, stage: req.stage, routeKey: '$connect', eventType: 'CONNECT', status, 'identity.sourceIp': req.sourceIp },
          });
        const info: Connection = { id: newConnectionId(peers?.nodeId ?? 0), apiId: api.apiId, stage: req.stage, connectedAt: Date.now(), lastActiveAt: Date.now(), sourceIp: req.sourceIp, userAgent: req.userAgent, domainName: req.domainName };
        const connect = routesOf(d).get('$connect');
        let authorizer: Record<string, unknown> | undefined;
        if (connect) {
          if (connect.authorizationType !== 'NONE') {
            const doc = connect.authorizerId !== undefined ? d.snapshot.authorizers[connect.authorizerId] : undefined;
            const auth = await rt.authorizers.authorize({
              flavor: 'websocket',
              authorizationType: connect.authorizationType,
              ...(doc ? { authorizer: doc } : {}),
              req,
              methodArn: `arn:aws:execute-api:${rt.backend.opts.region}:${rt.backend.opts.accountId}:${api.apiId}/${req.stage}/$connect`,
              resourcePath: '$connect',
              routeKey: '$connect',
              pathParameters: {},
              stageVariables: stage.stageVariables,
            });
            if (!auth.ok) {
              const status = auth.type === 'UNAUTHORIZED' ? 401 : 403;
              recordConnect(status);
              return refuse(socket, status);
            }
            // WebSocket events carry the Lambda authorizer's context flat, beside principalId (as REST's do).
            authorizer = { ...auth.context, ...(auth.principalId !== undefined ? { principalId: auth.principalId } : {}), ...(auth.claims ? { claims: auth.claims } : {}) };
          }
          const r = await run(info, d, connect, 'CONNECT', stage.stageVariables, { upgrade: req, ...(authorizer ? { authorizer } : {}) });
          if (r.status < 200 || r.status > 299) {
            recordConnect(r.status);
            return refuse(socket, r.status);
          }
        }
        recordConnect(200);
        wss.handleUpgrade(raw, socket, head, (ws) => {
          const l: Live = { info, socket: ws, deployment: d, stageVariables: stage.stageVariables, apiName: api.name, stageSettings: { defaultRouteSettings: stage.defaultRouteSettings, routeSettings: stage.routeSettings }, ...(authorizer ? { authorizer } : {}), ...(stage.accessLogSettings ? { accessLog: stage.accessLogSettings } : {}), maxAge: setTimeout(() => ws.close(1001, 'Going away'), limits.maxConnectionMs) };
          l.maxAge.unref();
          live.set(info.id, l);
          touch(l);
          ws.on('message', (data: Buffer, isBinary: boolean) => {
            onMessage(l, data, isBinary).catch(() => ws.send(JSON.stringify({ message: 'Internal server error', connectionId: info.id })));
          });
          ws.on('close', (code, reason) => disconnect(l, code, reason.toString()));
          ws.on('error', () => disconnect(l, 1006, 'error'));
        });
      })().catch(() => socket.destroy());
    },

    async connections(api, req) {
      // AWS: the @connections API takes IAM (SigV4) callers only; functions sign with the
      // credentials their environment carries.
      if (rt.authenticate) {
        if (req.headers.authorization === undefined && req.rawQuery.indexOf('X-Amz-Signature=') < 0) return json(403, { message: 'Missing Authentication Token' }, 'ForbiddenException');
        try {
          await rt.authenticate(req.signed);
        } catch {
          return json(403, { message: 'Forbidden' }, 'ForbiddenException');
        }
      }
      const id = decodeURIComponent(req.rawPath.slice('/@connections/'.length));
      const l = live.get(id);
      if (!l) {
        // Held by another gateway: passed on to it, answered as it answers.
        const owner = ownerOf(id);
        const passed = owner !== undefined && peers ? await peers.forward(owner, req) : undefined;
        if (passed) return passed;
      }
      if (!l || l.info.apiId !== api.apiId) return json(410, { message: 'Gone' }, 'GoneException');
      switch (req.method) {
        case 'POST':
          if (req.body.length > limits.maxMessageBytes) return json(413, { message: 'Message too long' }, 'PayloadTooLargeException');
          l.socket.send(req.body, { binary: false });
          rt.observer.sent({ apiId: l.info.apiId, stage: l.info.stage });
          return { status: 200, headers: {}, body: Buffer.alloc(0) };
        case 'GET':
          return json(200, { connectedAt: new Date(l.info.connectedAt).toISOString(), identity: { sourceIp: l.info.sourceIp, userAgent: l.info.userAgent }, lastActiveAt: new Date(l.info.lastActiveAt).toISOString() });
        case 'DELETE':
          l.socket.close(1000, 'Deleted');
          return { status: 204, headers: {}, body: Buffer.alloc(0) };
        default:
          return json(403, { message: 'Forbidden' }, 'ForbiddenException');
      }
    },

    async close() {
      for (const l of live.values()) l.socket.terminate();
      live.clear();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
