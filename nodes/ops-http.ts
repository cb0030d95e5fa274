// The operations endpoints every role serves on its HTTP port (the gateway beside the AWS APIs):
// liveness, readiness, Prometheus metrics and their query API, traces and the service map, and
// (where functions are served) function logs.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type LogQueryDeps, handleLogsHttp } from './gateway/function-log-query.js';
import { type MetricsRegistry, handleMetricsHttp } from './telemetry/metrics.js';
import { handleTracesHttp } from './telemetry/trace-http.js';
import { type TraceStore } from './telemetry/trace-store.js';

export interface Readiness {
  ready: boolean;
  /** Each check by name: true when it passes, else why not. */
  checks: Record<string, true | string>;
}

export interface OpsDeps {
  role: string;
  node: number;
  auth?: boolean;
  ready: () => Promise<Readiness>;
  metrics: MetricsRegistry;
  traces: TraceStore;
  logs?: LogQueryDeps;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Answers an operations request; false when the path is not one (the caller goes on). */
export function opsHttp(o: OpsDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const raw = req.url ?? '/';
    // Cheap test first: every AWS request passes through here on the gateway.
    if (!/^\/(health|ready|metrics|_stratus\/)/.test(raw)) return false;
    const url = new URL(raw, 'http://localhost');
    switch (url.pathname) {
      case '/health':
      case '/_stratus/health':
        json(res, 200, { status: 'ok', role: o.role, node: o.node, ...(o.auth !== undefined ? { auth: o.auth } : {}) });
        return true;
      case '/ready':
      case '/_stratus/ready':
        o.ready().then(
          (r) => json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', role: o.role, node: o.node, checks: r.checks }),
          (err: unknown) => json(res, 503, { status: 'not ready', role: o.role, node: o.node, checks: { ready: err instanceof Error ? err.message : String(err) } }),
        );
        return true;
    }
    if (handleMetricsHttp(o.metrics, req, res, url)) return true;
    if (handleTracesHttp(o.traces, req, res, url)) return true;
    if (o.logs && handleLogsHttp(o.logs, req, res, url)) return true;
    if (url.pathname.startsWith('/_stratus/')) {
      json(res, 404, { error: 'NotFound', message: `no operations endpoint ${url.pathname}` });
      return true;
    }
    return false;
  };
}
