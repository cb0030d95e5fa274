// Stratus's own management route for edge hooks (not an AWS API):
//   GET|PUT /_stratus/apis/{apiId}/stages/{stageName}/edge-hooks  (PUT body: {"hooks": EdgeHookDoc[]})
// Hooks are stored on the API document's stage and apply at once (no deployment), as a
// CloudFront function publish does. Viewer hook code is compiled here so a syntax error is a 400
// now rather than a 503 on every request later.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLarge, readBody } from '../../../http.js';
import { AwsError } from '../../../errors.js';
import { type ApiDoc, type EdgeHookDoc, asApiDoc } from '../../model.js';
import { type DataRuntime } from '../types.js';
import { syntaxErrorOf } from './sandbox.js';

const ROUTE = /^\/_stratus\/apis\/([^/?]+)\/stages\/([^/?]+)\/edge-hooks\/?(?:\?.*)?$/;
const MAX_BODY = 1024 * 1024;
/** CloudFront Functions' code limit. */
const MAX_CODE = 10 * 1024;
const EVENTS = new Set<string>(['viewer-request', 'viewer-response', 'origin-request', 'origin-response']);

class BadHooks extends Error {}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The PUT body's hooks, checked; throws BadHooks with a message naming the faulty entry. */
export function parseHooks(body: unknown): EdgeHookDoc[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { hooks?: unknown }).hooks)) throw new BadHooks('The body must be {"hooks": [...]}');
  return ((body as { hooks: unknown[] }).hooks).map((h, i): EdgeHookDoc => {
    const where = `hooks[${i}]`;
    if (typeof h !== 'object' || h === null) throw new BadHooks(`${where} must be an object`);
    const { event, route, code, functionArn } = h as Record<string, unknown>;
    if (typeof event !== 'string' || !EVENTS.has(event)) throw new BadHooks(`${where}.event must be one of viewer-request, viewer-response, origin-request, origin-response`);
    if (route !== undefined && typeof route !== 'string') throw new BadHooks(`${where}.route must be a string`);
    const e = event as EdgeHookDoc['event'];
    const base = { event: e, ...(typeof route === 'string' ? { route } : {}) };
    if (e.startsWith('viewer-')) {
      if (typeof code !== 'string' || code.trim() === '') throw new BadHooks(`${where}: a ${e} hook needs code (a JavaScript function handler(event))`);
      if (functionArn !== undefined) throw new BadHooks(`${where}: a ${e} hook takes code, not functionArn`);
      if (code.length > MAX_CODE) throw new BadHooks(`${where}.code is longer than ${MAX_CODE} characters`);
      const syntax = syntaxErrorOf(code);
      if (syntax !== undefined) throw new BadHooks(`${where}.code does not compile: ${syntax}`);
      return { ...base, code };
    }
    if (typeof functionArn !== 'string' || functionArn === '') throw new BadHooks(`${where}: an ${e} hook needs functionArn (a Stratus function name or ARN)`);
    if (code !== undefined) throw new BadHooks(`${where}: an ${e} hook takes functionArn, not code`);
    return { ...base, functionArn };
  });
}

function stageHooks(api: ApiDoc, stageName: string): EdgeHookDoc[] | undefined {
  return api.stages[stageName]?.edgeHooks;
}

async function handle(rt: DataRuntime, req: IncomingMessage, res: ServerResponse, apiId: string, stageName: string): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLarge) return send(res, 413, { message: 'Request Too Long' });
    throw err;
  }
  if (rt.authenticate) {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    try {
      await rt.authenticate({ method: req.method ?? 'GET', rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? '' : url.slice(q + 1), headers: req.headersDistinct, body });
    } catch (err) {
      return send(res, 403, { message: err instanceof Error ? err.message : 'The request signature is not valid' });
    }
  }
  const notFound = (): AwsError => new AwsError('ApigwNotFoundException', `Invalid stage identifier specified`);
  if (req.method === 'GET') {
    const api = await rt.backend.anyApi(apiId, 0);
    const hooks = api ? stageHooks(api, stageName) : undefined;
    if (!hooks) return send(res, 404, { message: 'Invalid stage identifier specified' });
    return send(res, 200, { hooks });
  }
  if (req.method !== 'PUT') return send(res, 405, { message: 'Use GET or PUT' });
  let hooks: EdgeHookDoc[];
  try {
    hooks = parseHooks(JSON.parse(body.toString('utf8')) as unknown);
  } catch (err) {
    if (err instanceof SyntaxError) return send(res, 400, { message: `The body is not JSON: ${err.message}` });
    if (err instanceof BadHooks) return send(res, 400, { message: err.message });
    throw err;
  }
  try {
    await rt.backend.store.update('api', apiId, asApiDoc, notFound, (api) => {
      const stage = api.stages[stageName];
      if (!stage) throw notFound();
      stage.edgeHooks = hooks;
      return api;
    });
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ApigwNotFoundException') return send(res, 404, { message: err.message });
    throw err;
  }
  send(res, 200, { hooks });
}

/** True when the request was for the hooks admin route (answered asynchronously). */
export function serveHookAdmin(rt: DataRuntime, req: IncomingMessage, res: ServerResponse): boolean {
  const m = ROUTE.exec(req.url ?? '');
  if (!m) return false;
  let apiId: string;
  let stageName: string;
  try {
    apiId = decodeURIComponent(m[1]!);
    stageName = decodeURIComponent(m[2]!);
  } catch {
    send(res, 400, { message: 'Malformed path' });
    return true;
  }
  handle(rt, req, res, apiId, stageName).catch((err: unknown) => {
    rt.backend.deps.log(`apigw edge-hooks admin: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (!res.headersSent) send(res, 500, { message: 'Internal server error' });
  });
  return true;
}
