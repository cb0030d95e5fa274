import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { services } from '../../nodes/grpc/protos.js';
import type { SpanRecord } from '../../nodes/telemetry/span-record.js';
import { handleTracesHttp } from '../../nodes/telemetry/trace-http.js';
import { traceService } from '../../nodes/telemetry/trace-service.js';
import { TraceStore } from '../../nodes/telemetry/trace-store.js';

const T0 = 1_700_000_000_000;
const T1 = '5759e988bd862e3fe1be46a994272793';
const T2 = '00000000000000000000000000000002';
const XRAY1 = '1-5759e988-bd862e3fe1be46a994272793';

function span(p: Partial<SpanRecord> & Pick<SpanRecord, 'traceId' | 'spanId'>): SpanRecord {
  return { name: 'op', kind: 'internal', service: 'gateway', node: '1', startMs: T0, durationMs: 10, status: 'ok', attributes: {}, links: [], ...p };
}

function fixture(): TraceStore {
  const store = new TraceStore();
  store.add([
    span({ traceId: T1, spanId: 'a000000000000001', name: 'gateway.aws.request', kind: 'server', startMs: T0, durationMs: 120.5, attributes: { 'http.response.status_code': 200, 'rpc.service': 'SQS', 'faas.coldstart': true } }),
    span({ traceId: T1, spanId: 'a000000000000002', parentSpanId: 'a000000000000001', service: 'scheduler', name: 'scheduler.function.invoke', startMs: T0 + 2, durationMs: 100 }),
    span({ traceId: T1, spanId: 'a000000000000003', parentSpanId: 'a000000000000002', service: 'worker', name: 'worker.run', startMs: T0 + 3, durationMs: 90, status: 'error', statusMessage: 'boom' }),
    span({
      traceId: T2,
      spanId: 'b000000000000001',
      service: 'scheduler',
      name: 'scheduler.function.async_event',
      kind: 'consumer',
      startMs: T0 + 1000,
      durationMs: 5,
      links: [{ traceId: T1, spanId: 'a000000000000001' }],
    }),
  ]);
  return store;
}

describe('trace HTTP API', () => {
  const store = fixture();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (handleTracesHttp(store, req, res, url)) return;
      res.writeHead(418).end('not mine');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = async (path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(base + path, init);
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  it('lists trace summaries, newest first, with filters and pages', async () => {
    const all = await get('/_stratus/traces');
    expect(all.status).toBe(200);
    expect(all.body.nextToken).toBeUndefined();
    const traces = all.body.traces as Record<string, unknown>[];
    expect(traces.map((t) => t.traceId)).toEqual([T2, T1]);
    expect(traces[1]).toEqual({
      traceId: T1,
      xrayTraceId: XRAY1,
      rootName: 'gateway.aws.request',
      rootService: 'gateway',
      startMs: T0,
      durationMs: 120.5,
      spanCount: 3,
      services: ['gateway', 'scheduler', 'worker'],
      hasError: true,
      httpStatus: 200,
      partial: false,
    });
    expect(((await get('/_stratus/traces?status=error')).body.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T1]);
    expect(((await get('/_stratus/traces?service=worker&minDurationMs=100')).body.traces as unknown[]).length).toBe(1);
    expect(((await get(`/_stratus/traces?start=${T0 + 1}&end=${new Date(T0 + 2000).toISOString()}`)).body.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T2]);
    expect(((await get('/_stratus/traces?name=worker.run&maxDurationMs=200')).body.traces as unknown[]).length).toBe(1);

    const p1 = await get('/_stratus/traces?limit=1');
    expect((p1.body.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T2]);
    expect(typeof p1.body.nextToken).toBe('string');
    const p2 = await get(`/_stratus/traces?limit=1&nextToken=${encodeURIComponent(p1.body.nextToken as string)}`);
    expect((p2.body.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T1]);
    expect(p2.body.nextToken).toBeUndefined();
  });

  it('answers 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['limit=ten', 'limit'],
      ['status=failed', 'status'],
      ['start=yesterday', 'start'],
      [`start=${T0 + 10}&end=${T0}`, 'end'],
      ['minDurationMs=-3', 'minDurationMs'],
      ['minDurationMs=10&maxDurationMs=5', 'maxDurationMs'],
      ['nextToken=abc', 'nextToken'],
      ['statsu=error', 'statsu'],
      ['service=a&service=b', 'service'],
    ];
    for (const [q, parameter] of cases) {
      const r = await get(`/_stratus/traces?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error, q).toBe('InvalidParameter');
      expect(r.body.parameter, q).toBe(parameter);
      expect(String(r.body.message).startsWith(`${parameter}: `), q).toBe(true);
    }
    const m = await get(`/_stratus/service-map?start=${T0 + 10}&end=${T0}`);
    expect(m.status).toBe(400);
    expect(m.body.parameter).toBe('end');
  });

  it('returns one trace by either id form, 404 when unknown, 400 when malformed', async () => {
    for (const id of [T1, XRAY1, T1.toUpperCase()]) {
      const r = await get(`/_stratus/traces/${id}`);
      expect(r.status, id).toBe(200);
      expect((r.body.summary as { traceId: string }).traceId).toBe(T1);
      const spans = r.body.spans as SpanRecord[];
      expect(spans.map((s) => s.name)).toEqual(['gateway.aws.request', 'scheduler.function.invoke', 'worker.run']);
      expect(spans[0]!.attributes).toEqual({ 'http.response.status_code': 200, 'rpc.service': 'SQS', 'faas.coldstart': true });
      expect(spans[2]).toMatchObject({ status: 'error', statusMessage: 'boom', parentSpanId: 'a000000000000002' });
    }
    const missing = await get('/_stratus/traces/1-00000000-000000000000000000000099');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe('TraceNotFound');
    const bad = await get('/_stratus/traces/xyz');
    expect(bad.status).toBe(400);
    expect(bad.body.parameter).toBe('traceId');
  });

  it('returns the service map', async () => {
    const r = await get('/_stratus/service-map');
    expect(r.status).toBe(200);
    expect(r.body.nodes).toEqual([
      { name: 'gateway', requests: 1, errors: 0, p50Ms: 120.5, p99Ms: 120.5 },
      { name: 'scheduler', requests: 2, errors: 0, p50Ms: 5, p99Ms: 100 },
      { name: 'worker', requests: 1, errors: 1, p50Ms: 90, p99Ms: 90 },
    ]);
    expect(r.body.edges).toEqual([
      { from: 'gateway', to: 'scheduler', count: 1, errors: 0, p50Ms: 100, p99Ms: 100, link: false },
      { from: 'gateway', to: 'scheduler', count: 1, errors: 0, p50Ms: 5, p99Ms: 5, link: true },
      { from: 'scheduler', to: 'worker', count: 1, errors: 1, p50Ms: 90, p99Ms: 90, link: false },
    ]);
    const w = await get(`/_stratus/service-map?start=${T0 + 500}&end=${T0 + 5000}`);
    expect(w.body).toMatchObject({ startMs: T0 + 500, endMs: T0 + 5000 });
    expect((w.body.nodes as { name: string }[]).map((n) => n.name)).toEqual(['scheduler']);
  });

  it('leaves other paths alone and refuses other methods', async () => {
    for (const path of ['/', '/_stratus/health', '/_stratus/tracesX', '/_stratus/traces/a/b']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(418);
      await res.text();
    }
    const post = await get('/_stratus/traces', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.body.error).toBe('MethodNotAllowed');
  });
});

type Unary = (req: unknown, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void;

describe('trace gRPC API', () => {
  const store = fixture();
  let server: grpc.Server;
  let client: grpc.Client;

  beforeAll(async () => {
    server = new grpc.Server();
    const svc = traceService(store);
    server.addService(svc.definition, svc.implementation);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    const Ctor = services().traces;
    client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  const call = (method: string, req: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const f = (client as unknown as Record<string, Unary>)[method]!.bind(client);
      f(req, (err, res) => (err ? reject(err) : resolve(res)));
    });
  const failure = async (method: string, req: unknown): Promise<grpc.ServiceError> => {
    try {
      await call(method, req);
    } catch (err) {
      return err as grpc.ServiceError;
    }
    throw new Error(`${method} succeeded`);
  };

  it('GetTraceSummaries: filters, pages and summaries', async () => {
    const all = await call('getTraceSummaries', {});
    expect(all.nextToken).toBe('');
    const traces = all.traces as Record<string, unknown>[];
    expect(traces.map((t) => t.traceId)).toEqual([T2, T1]);
    expect(traces[1]).toMatchObject({ xrayTraceId: XRAY1, rootName: 'gateway.aws.request', rootService: 'gateway', startMs: T0, durationMs: 120.5, spanCount: 3, services: ['gateway', 'scheduler', 'worker'], hasError: true, httpStatus: 200, partial: false });
    expect(traces[0]!.httpStatus).toBeUndefined();

    const errors = await call('getTraceSummaries', { status: 'error' });
    expect((errors.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T1]);
    // start_ms 0 is a real bound (proto3 optional), not "unset".
    const fromZero = await call('getTraceSummaries', { startMs: 0, endMs: T0 + 1 });
    expect((fromZero.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T1]);
    const p1 = await call('getTraceSummaries', { limit: 1 });
    expect((p1.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T2]);
    const p2 = await call('getTraceSummaries', { limit: 1, nextToken: p1.nextToken });
    expect((p2.traces as { traceId: string }[]).map((t) => t.traceId)).toEqual([T1]);
    expect(p2.nextToken).toBe('');
  });

  it('GetTraceSummaries: INVALID_ARGUMENT naming the field', async () => {
    for (const [req, field] of [
      [{ limit: 1001 }, 'limit'],
      [{ status: 'bad' }, 'status'],
      [{ startMs: 10, endMs: 5 }, 'end_ms'],
      [{ minDurationMs: -1 }, 'min_duration_ms'],
      [{ nextToken: 'zzz' }, 'next_token'],
    ] as const) {
      const err = await failure('getTraceSummaries', req);
      expect(err.code, field).toBe(grpc.status.INVALID_ARGUMENT);
      expect(err.details.startsWith(`${field}: `), err.details).toBe(true);
    }
  });

  it('GetTrace: spans with typed attributes and links; NOT_FOUND and INVALID_ARGUMENT', async () => {
    const r = await call('getTrace', { traceId: XRAY1 });
    expect((r.summary as { traceId: string }).traceId).toBe(T1);
    const spans = r.spans as Record<string, unknown>[];
    expect(spans.map((s) => s.name)).toEqual(['gateway.aws.request', 'scheduler.function.invoke', 'worker.run']);
    expect(spans[0]).toMatchObject({ traceId: T1, spanId: 'a000000000000001', parentSpanId: '', kind: 'server', service: 'gateway', node: '1', startMs: T0, durationMs: 120.5, status: 'ok' });
    const attrs = spans[0]!.attributes as Record<string, Record<string, unknown>>;
    expect(attrs['http.response.status_code']).toMatchObject({ value: 'numberValue', numberValue: 200 });
    expect(attrs['rpc.service']).toMatchObject({ value: 'stringValue', stringValue: 'SQS' });
    expect(attrs['faas.coldstart']).toMatchObject({ value: 'boolValue', boolValue: true });
    expect(spans[2]).toMatchObject({ status: 'error', statusMessage: 'boom', parentSpanId: 'a000000000000002' });

    const linked = await call('getTrace', { traceId: T2 });
    expect((linked.spans as { links: unknown[] }[])[0]!.links).toEqual([{ traceId: T1, spanId: 'a000000000000001' }]);
    expect((linked.summary as Record<string, unknown>).partial).toBe(false);

    const missing = await failure('getTrace', { traceId: '0'.repeat(31) + '9' });
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    const bad = await failure('getTrace', { traceId: 'nope' });
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details.startsWith('trace_id: ')).toBe(true);
  });

  it('GetServiceMap: nodes and edges, windowed', async () => {
    const r = await call('getServiceMap', {});
    expect((r.nodes as { name: string }[]).map((n) => n.name)).toEqual(['gateway', 'scheduler', 'worker']);
    expect(r.edges).toEqual([
      { from: 'gateway', to: 'scheduler', count: 1, errors: 0, p50Ms: 100, p99Ms: 100, link: false },
      { from: 'gateway', to: 'scheduler', count: 1, errors: 0, p50Ms: 5, p99Ms: 5, link: true },
      { from: 'scheduler', to: 'worker', count: 1, errors: 1, p50Ms: 90, p99Ms: 90, link: false },
    ]);
    const w = await call('getServiceMap', { startMs: T0 + 500 });
    expect(w.nodes).toEqual([{ name: 'scheduler', requests: 1, errors: 0, p50Ms: 5, p99Ms: 5 }]);
    const bad = await failure('getServiceMap', { startMs: 10, endMs: 5 });
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(bad.details.startsWith('end_ms: ')).toBe(true);
  });
});
