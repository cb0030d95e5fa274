// Function logs by time range (GET /_stratus/logs) and `stratus logs tail` (through its exported
// function), over the logs a scheduler stores for its invocations on an embedded node.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsMain, parseSince, tailFunctionLogs } from '../../nodes/cli/logs.js';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { Placement } from '../../nodes/cluster/placement.js';
import { type FunctionLogEvent, firstOffsetAtOrAfter, handleLogsHttp, queryFunctionLogs } from '../../nodes/gateway/function-log-query.js';
import { type RunningNode } from '../../nodes/run-node.js';
import { CodeCache } from '../../nodes/scheduler/code-cache.js';
import { FunctionLogs } from '../../nodes/scheduler/function-logs.js';
import { Scheduler } from '../../nodes/scheduler/scheduler.js';
import { ACCOUNT, CODE, REGION, startNode, targetOf } from './fixtures.js';

/** Collects output lines and resolves waiters once a predicate over all lines holds. */
class Lines {
  readonly all: string[] = [];
  private waiters: { pred: (l: string[]) => boolean; resolve: () => void }[] = [];
  readonly out = (line: string): void => {
    this.all.push(line);
    this.waiters = this.waiters.filter((w) => (w.pred(this.all) ? (w.resolve(), false) : true));
  };
  until(pred: (l: string[]) => boolean): Promise<void> {
    if (pred(this.all)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
}

describe('function logs: query by time and tail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-logs-'));
  let node: RunningNode;
  let client: ClusterClient;
  let placement: Placement;
  let logs: FunctionLogs;
  let scheduler: Scheduler;
  let http: Server;
  let base = '';
  /** Request ids of the first batch (3 invocations) and the second (2, one failing). */
  const first: string[] = [];
  const second: string[] = [];
  let boundary = 0;

  const invoke = async (payload: object): Promise<string> => {
    const requestId = randomUUID();
    await scheduler.invoke(targetOf('logged'), { requestId, payload: JSON.stringify(payload) });
    return requestId;
  };

  beforeAll(async () => {
    node = await startNode(join(dir, 'node'));
    client = new ClusterClient({ seeds: [node.grpcAddress] });
    placement = new Placement(client);
    logs = new FunctionLogs(client, placement, () => undefined);
    scheduler = new Scheduler(
      { region: REGION, accountId: ACCOUNT, accountConcurrency: 10, tmpRoot: join(dir, 'tmp'), idleMs: 60_000, endpointUrl: () => undefined, log: () => undefined },
      { codeCache: new CodeCache(join(dir, 'code'), { get: async () => CODE }), logs, totalReserved: async () => 0 },
    );
    await logs.ensure('logged');
    for (let n = 0; n < 3; n++) first.push(await invoke({ n }));
    await logs.drain();
    // Every record of the first batch is stamped at or before `boundary`; the second batch is
    // appended once the clock has passed it, so its records are stamped after.
    const stored = await queryFunctionLogs({ client, placement }, { functionName: 'logged' });
    boundary = Math.max(...stored.events.map((e) => e.timestamp));
    while (Date.now() <= boundary) await new Promise((r) => setImmediate(r));
    second.push(await invoke({ n: 3 }));
    second.push(await invoke({ n: 4, fail: true }));
    await logs.drain();

    http = createServer((req, res) => {
      if (!handleLogsHttp({ client, placement }, req, res, new URL(req.url ?? '/', 'http://localhost'))) res.writeHead(404).end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const a = http.address();
    base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
    await scheduler?.close();
    placement?.stop();
    client?.close();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (query: string): Promise<{ status: number; events: FunctionLogEvent[]; next: string | null; body: string }> => {
    const res = await fetch(`${base}/_stratus/logs?${query}`);
    const body = await res.text();
    const events = res.status === 200 ? body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as FunctionLogEvent) : [];
    return { status: res.status, events, next: res.headers.get('x-stratus-next-offset'), body };
  };

  it('answers every invocation of the function, oldest first, as JSON lines', async () => {
    const r = await get('function=logged');
    expect(r.status).toBe(200);
    expect(r.events.map((e) => e.requestId)).toEqual([...first, ...second]);
    expect(r.events[0]!.message).toContain(`START RequestId: ${first[0]} Version: $LATEST`);
    expect(r.events[0]!.message).toMatch(/\tINFO\tran 0/);
    expect(r.events[4]!.message).toContain('bad input 4');
    for (const e of r.events) expect(Object.keys(e).sort()).toEqual(['message', 'requestId', 'timestamp']);
  });

  it('selects by time range, inclusive at both ends', async () => {
    expect((await get(`function=logged&start=${boundary + 1}`)).events.map((e) => e.requestId)).toEqual(second);
    expect((await get(`function=logged&end=${boundary}`)).events.map((e) => e.requestId)).toEqual(first);
    // Records stamped exactly at `boundary`: the last of the first batch, and any stored with it.
    const exact = (await get(`function=logged&start=${boundary}&end=${boundary}`)).events;
    expect(exact.every((e) => e.timestamp === boundary)).toBe(true);
    expect(exact.map((e) => e.requestId)).toEqual(first.slice(first.length - exact.length));
    expect(exact.map((e) => e.requestId)).toContain(first[2]);
    expect((await get(`function=logged&start=${new Date(boundary + 1).toISOString()}`)).events.map((e) => e.requestId)).toEqual(second);
    expect((await get(`function=logged&start=${Date.now() + 60_000}`)).events).toEqual([]);
  });

  it('pages with limit and offset', async () => {
    const page = await get('function=logged&limit=2');
    expect(page.events.map((e) => e.requestId)).toEqual(first.slice(0, 2));
    expect(page.next).toBe('2');
    const rest = await get(`function=logged&offset=${page.next}&limit=10`);
    expect(rest.events.map((e) => e.requestId)).toEqual([first[2], ...second]);
    expect(rest.next).toBeNull();
  });

  it('refuses bad requests with a status and a message', async () => {
    expect(await get('start=1')).toMatchObject({ status: 400, body: expect.stringContaining('function') });
    expect(await get('function=logged&limit=0')).toMatchObject({ status: 400 });
    expect(await get('function=logged&limit=abc')).toMatchObject({ status: 400 });
    expect(await get('function=logged&start=yesterday')).toMatchObject({ status: 400 });
    expect(await get('function=logged&start=10&end=5')).toMatchObject({ status: 400 });
    expect(await get('function=nobody')).toMatchObject({ status: 404, body: expect.stringContaining('nobody') });
    expect((await fetch(`${base}/_stratus/logs?function=logged`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
  });

  it('tails: prints the records since the given time, then new ones as they are stored', async () => {
    const lines = new Lines();
    const abort = new AbortController();
    const done = tailFunctionLogs({ endpoint: node.grpcAddress, functionName: 'logged', sinceMs: boundary + 1, out: lines.out, signal: abort.signal });
    await lines.until((l) => l.some((x) => x.includes(`REPORT RequestId: ${second[1]}`)));
    const shown = new Set(lines.all.map((l) => l.split(' ')[1]));
    expect([...shown]).toEqual(second);
    // Each line: ISO time, request id, then the log line.
    expect(lines.all[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${second[0]} START RequestId: ${second[0]} Version: \\$LATEST$`));
    expect(lines.all.some((l) => /\tINFO\tran 3$/.test(l))).toBe(true);

    const later = await invoke({ n: 5 });
    await logs.drain();
    await lines.until((l) => l.some((x) => x.includes(`END RequestId: ${later}`)));
    abort.abort();
    await done;
    expect(lines.all.filter((l) => l.includes(`START RequestId: ${later}`))).toHaveLength(1);
  });

  it('prints what is there and returns without --follow', async () => {
    const lines = new Lines();
    await tailFunctionLogs({ endpoint: node.grpcAddress, functionName: 'logged', sinceMs: 0, follow: false, out: lines.out });
    const starts = lines.all.filter((l) => / START RequestId: /.test(l)).map((l) => l.split(' ')[1]);
    expect(starts.slice(0, 5)).toEqual([...first, ...second]);
    await expect(tailFunctionLogs({ endpoint: node.grpcAddress, functionName: 'nobody', sinceMs: 0, follow: false, out: () => undefined })).rejects.toMatchObject({ code: 5 });
  });

  it('parses its command line', async () => {
    expect(parseSince('10m', 1_000_000)).toBe(400_000);
    expect(parseSince('2h', 10_000_000)).toBe(10_000_000 - 7_200_000);
    expect(parseSince('2024-01-01T00:00:00Z')).toBe(Date.UTC(2024, 0, 1));
    expect(() => parseSince('soon')).toThrow(/--since/);
    await expect(logsMain(['tail'])).rejects.toThrow(/function name is missing/);
    await expect(logsMain(['follow', 'f'])).rejects.toThrow(/expected tail/);
    await expect(logsMain(['tail', 'f', '--bogus'])).rejects.toThrow(/unknown option/);
    await expect(logsMain(['tail', 'f', '--endpoint', 'nohost'])).rejects.toThrow(/host:port/);
  });

  it('finds the first offset at or after a time by binary search', async () => {
    const ts = [10, 10, 20, 20, 20, 30];
    const at = async (o: number): Promise<number | undefined> => ts[o];
    expect(await firstOffsetAtOrAfter(0, ts.length, 0, at)).toBe(0);
    expect(await firstOffsetAtOrAfter(0, ts.length, 11, at)).toBe(2);
    expect(await firstOffsetAtOrAfter(0, ts.length, 20, at)).toBe(2);
    expect(await firstOffsetAtOrAfter(0, ts.length, 30, at)).toBe(5);
    expect(await firstOffsetAtOrAfter(0, ts.length, 31, at)).toBe(6);
    expect(await firstOffsetAtOrAfter(3, 3, 0, at)).toBe(3);
  });
});
