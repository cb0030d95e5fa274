// Per-API metrics (CloudWatch's AWS/ApiGateway names: Count, 4XXError, 5XXError, Latency,
// IntegrationLatency, CacheHitCount, CacheMissCount; WebSocket ConnectCount and MessageCount,
// messages both ways) and access logs: a stage whose
// accessLogSettings name a log group and a format gets one line per request with the format's
// `$context.*` variables filled, written in batches to the cluster log of that group
// (`stratus logs tail --log-group NAME`, as Step Functions' execution logs).
import { Metric } from '../../../telemetry/metric-names.js';
import { FunctionLogs } from '../../../scheduler/function-logs.js';
import { logGroupOf, workflowLogName } from '../../../scheduler/workflows/execution-logs.js';
import { type ApigwBackend } from '../backend.js';
import { type Observer, type RequestRecord } from './types.js';

/** `$context.a.b` (or `$context.a`) → its value in the record's context; missing values print `-`, as AWS does. */
export function renderAccessLog(format: string, context: Record<string, unknown>): string {
  return format.replace(/\$context\.([A-Za-z0-9_.]+[A-Za-z0-9_])/g, (_, path: string) => {
    let v: unknown = context;
    for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
    return v === undefined || v === null || v === '' ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

export function createObserver(backend: ApigwBackend): Observer {
  const m = backend.deps.metrics;
  const count = m.counter(Metric.ApiCount);
  const e4 = m.counter(Metric.Api4XXError);
  const e5 = m.counter(Metric.Api5XXError);
  const latency = m.histogram(Metric.ApiLatency);
  const integration = m.histogram(Metric.ApiIntegrationLatency);
  const hits = m.counter(Metric.ApiCacheHitCount);
  const misses = m.counter(Metric.ApiCacheMissCount);
  const connects = m.counter(Metric.ApiConnectCount);
  const messages = m.counter(Metric.ApiMessageCount);
  const logs = new FunctionLogs(backend.deps.client, backend.deps.placement, backend.deps.log, workflowLogName);
  const ensured = new Map<string, Promise<void>>();

  const access = (r: RequestRecord): void => {
    const format = r.accessLog?.format;
    const group = r.accessLog?.destinationArn === undefined ? undefined : logGroupOf(r.accessLog.destinationArn);
    if (format === undefined || group === undefined) return;
    const line = renderAccessLog(format, { ...r.context, apiId: r.apiId, stage: r.stage, httpMethod: r.method, resourcePath: r.resource, routeKey: r.resource, status: r.status, responseLatency: Math.round(r.latencyMs), integrationLatency: r.integrationLatencyMs === undefined ? undefined : Math.round(r.integrationLatencyMs) });
    let ready = ensured.get(group);
    if (!ready) {
      ready = logs.ensure(group);
      ready.catch(() => ensured.delete(group));
      ensured.set(group, ready);
    }
    ready.then(
      () => logs.add(group, String(r.context.requestId ?? ''), line),
      (err: unknown) => backend.deps.log(`apigw access log ${group}: ${err instanceof Error ? err.message : String(err)}`),
    );
  };

  return {
    record(r) {
      const api = r.flavor === 'rest' ? r.apiName : r.apiId;
      if (r.event === 'CONNECT') connects.inc({ api, stage: r.stage });
      if (r.event === 'MESSAGE') messages.inc({ api, stage: r.stage });
      const labels = { api, stage: r.stage, resource: r.resource, method: r.method };
      count.inc(labels);
      if (r.status >= 400 && r.status < 500) e4.inc(labels);
      if (r.status >= 500) e5.inc(labels);
      latency.observe(labels, r.latencyMs);
      if (r.integrationLatencyMs !== undefined) integration.observe(labels, r.integrationLatencyMs);
      if (r.cache === 'hit') hits.inc(labels);
      if (r.cache === 'miss') misses.inc(labels);
      access(r);
    },
    sent(a) {
      messages.inc({ api: a.apiId, stage: a.stage });
    },
  };
}
