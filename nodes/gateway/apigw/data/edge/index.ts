// Edge hooks on a stage: viewer-* hooks are CloudFront Functions style JavaScript run in the
// sandbox (sandbox.ts); origin-* hooks are Stratus functions called with Lambda@Edge events.
// Hooks of one event run in their stage order, each seeing the previous one's output. A hook
// that fails answers the request (CloudFront's statuses: 503 for a function that cannot run,
// 502 for a Lambda@Edge error or invalid answer) and logs why; it never throws into the pipeline.
import { type EdgeHookDoc } from '../../model.js';
import { type Span } from '@opentelemetry/api';
import { Attr, failSpan, SpanName, withSpanOpts } from '../../../../telemetry/index.js';
import { type ApigwBackend } from '../../backend.js';
import { FunctionCallFailed, invokeFunction } from '../invoke-function.js';
import { type ApiRequest, type ApiResponse, type EdgeHooks, type HookOutcome } from '../types.js';
import { type EdgeConfig, EdgeEventError, isResponseShape, originEvent, outcomeFromOrigin, requestFromViewer, responseFromOrigin, responseFromViewer, viewerEvent } from './events.js';
import { HookRunFailed, HookSandbox } from './sandbox.js';

type HookEvent = EdgeHookDoc['event'];

/** Lambda@Edge's origin-facing limit is 30 s; API Gateway's integration limit is 29 s. */
const ORIGIN_HOOK_TIMEOUT_MS = 29_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function failure(status: 502 | 503, message: string, req: ApiRequest): ApiResponse {
  return {
    status,
    headers: { 'content-type': ['application/json'], 'x-amzn-requestid': [req.requestId], 'x-amzn-errortype': [status === 503 ? 'EdgeFunctionExecutionError' : 'EdgeFunctionInvalidResponse'] },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

const configOf = (req: ApiRequest): EdgeConfig => ({ distributionDomainName: req.domainName, distributionId: req.apiId, requestId: req.requestId });

const selected = (hooks: EdgeHookDoc[], event: HookEvent, route: string): EdgeHookDoc[] => hooks.filter((h) => h.event === event && (h.route === undefined || h.route === route));

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function createEdgeHooks(backend: ApigwBackend): EdgeHooks & { close(): Promise<void> } {
  const sandbox = new HookSandbox(backend.deps.log);
  const log = (req: ApiRequest, event: HookEvent, why: string): void => backend.deps.log(`apigw ${req.apiId}/${req.stage} ${req.requestId}: ${event} hook failed: ${why}`);
  const span = <T>(event: HookEvent, req: ApiRequest, f: (span: Span) => Promise<T>): Promise<T> =>
    withSpanOpts(SpanName.ApiEdgeHook, { attributes: { [Attr.EdgeHookEvent]: event, [Attr.ApiId]: req.apiId, [Attr.ApiStage]: req.stage } }, f);

  /** Runs one viewer hook; a thrown error is the hook's fault (503). */
  const runViewer = async (hook: EdgeHookDoc, event: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (hook.code === undefined) throw new EdgeEventError('the hook has no code');
    const out = await sandbox.run(hook.code, event);
    if (!isObject(out)) throw new EdgeEventError('handler(event) must return a request or a response object');
    return out;
  };

  const runOrigin = async (hook: EdgeHookDoc, req: ApiRequest, event: Record<string, unknown>): Promise<unknown> => {
    if (hook.functionArn === undefined) throw new EdgeEventError('the hook names no function');
    const r = await invokeFunction(backend, hook.functionArn, JSON.stringify(event), { requestId: req.requestId, signal: req.signal, timeoutMs: ORIGIN_HOOK_TIMEOUT_MS, ...(req.traceHeader !== undefined ? { traceHeader: req.traceHeader } : {}) });
    if (r.functionError !== undefined) throw new EdgeEventError(`the function failed (${r.functionError}): ${r.payload.slice(0, 300)}`);
    try {
      return JSON.parse(r.payload) as unknown;
    } catch {
      throw new EdgeEventError('the function returned something that is not JSON');
    }
  };

  const viewerMessage = (event: HookEvent, err: unknown): string =>
    err instanceof HookRunFailed || err instanceof EdgeEventError ? `The ${event} edge function could not run: ${reasonOf(err)}` : `The ${event} edge function could not run`;
  const originMessage = (event: HookEvent, err: unknown): string =>
    err instanceof FunctionCallFailed || err instanceof EdgeEventError ? `The ${event} edge function returned an invalid response or failed: ${reasonOf(err)}` : `The ${event} edge function failed`;

  return {
    async viewerRequest(hooks, route, req) {
      let current = req;
      for (const hook of selected(hooks, 'viewer-request', route)) {
        const out = await span('viewer-request', current, async (s): Promise<HookOutcome> => {
          try {
            const r = await runViewer(hook, viewerEvent('viewer-request', configOf(current), current));
            return isResponseShape(r) ? { res: responseFromViewer(r) } : { req: requestFromViewer(r, current) };
          } catch (err) {
            failSpan(s, err);
            log(current, 'viewer-request', reasonOf(err));
            return { res: failure(503, viewerMessage('viewer-request', err), current) };
          }
        });
        if ('res' in out) return out;
        current = out.req;
      }
      return { req: current };
    },

    async viewerResponse(hooks, route, req, res) {
      let current = res;
      for (const hook of selected(hooks, 'viewer-response', route)) {
        let failed = false;
        current = await span('viewer-response', req, async (s) => {
          try {
            const r = await runViewer(hook, viewerEvent('viewer-response', configOf(req), req, current));
            // CloudFront Functions may hand back the whole event's response or a fresh one.
            return responseFromViewer(r, current);
          } catch (err) {
            failSpan(s, err);
            failed = true;
            log(req, 'viewer-response', reasonOf(err));
            return failure(503, viewerMessage('viewer-response', err), req);
          }
        });
        if (failed) break;
      }
      return current;
    },

    async originRequest(hooks, route, req) {
      let current = req;
      for (const hook of selected(hooks, 'origin-request', route)) {
        const out = await span('origin-request', current, async (s): Promise<HookOutcome> => {
          try {
            return outcomeFromOrigin(await runOrigin(hook, current, originEvent('origin-request', configOf(current), current)), current);
          } catch (err) {
            failSpan(s, err);
            log(current, 'origin-request', reasonOf(err));
            return { res: failure(502, originMessage('origin-request', err), current) };
          }
        });
        if ('res' in out) return out;
        current = out.req;
      }
      return { req: current };
    },

    async originResponse(hooks, route, req, res) {
      let current = res;
      for (const hook of selected(hooks, 'origin-response', route)) {
        let failed = false;
        current = await span('origin-response', req, async (s) => {
          try {
            return responseFromOrigin(await runOrigin(hook, req, originEvent('origin-response', configOf(req), req, current)), current);
          } catch (err) {
            failSpan(s, err);
            failed = true;
            log(req, 'origin-response', reasonOf(err));
            return failure(502, originMessage('origin-response', err), req);
          }
        });
        if (failed) break;
      }
      return current;
    },

    close: () => sandbox.close(),
  };
}
