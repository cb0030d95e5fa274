// The metrics of the instrumented components count exactly the work done: a Scheduler, an
// SqsBackend and a StorageNode, each given its own registry (the way run-node passes one down),
// do a known amount of work and the counters and gauges must say so.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningNode } from '../../nodes/run-node.js';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { Placement } from '../../nodes/cluster/placement.js';
import { Sequencer } from '../../nodes/cluster/sequencer.js';
import { type RequestContext, runAction } from '../../nodes/gateway/action.js';
import { createQueue } from '../../nodes/gateway/sqs/actions/create-queue.js';
import { deleteMessage } from '../../nodes/gateway/sqs/actions/delete-message.js';
import { receiveMessage } from '../../nodes/gateway/sqs/actions/receive-message.js';
import { sendMessage } from '../../nodes/gateway/sqs/actions/send-message.js';
import { sendMessageBatch } from '../../nodes/gateway/sqs/actions/send-message-batch.js';
import { SqsBackend } from '../../nodes/gateway/sqs/backend.js';
import { CodeCache } from '../../nodes/scheduler/code-cache.js';
import { Concurrency } from '../../nodes/scheduler/concurrency.js';
import { FunctionLogs } from '../../nodes/scheduler/function-logs.js';
import { Scheduler, Throttled } from '../../nodes/scheduler/scheduler.js';
import { StorageNode } from '../../nodes/storage/node.js';
import { Metric } from '../../nodes/telemetry/metric-names.js';
import { MetricsRegistry, type SeriesView } from '../../nodes/telemetry/metrics.js';
import { encodeLogCommand } from '../../storage/partitions/log-codec.js';
import { ACCOUNT, CODE, REGION, startNode, targetOf } from './fixtures.js';

async function one(r: MetricsRegistry, name: string, labels: Record<string, string> = {}): Promise<SeriesView | undefined> {
  const s = await r.query({ name, labels });
  if (s.length > 1) throw new Error(`${name}: ${s.length} series match`);
  return s[0];
}
const value = async (r: MetricsRegistry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> => (await one(r, name, labels))?.value;

describe('function and queue metrics on an embedded node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stratus-metrics-'));
  let node: RunningNode;
  let client: ClusterClient;
  let placement: Placement;
  beforeAll(async () => {
    node = await startNode(join(dir, 'node'));
    client = new ClusterClient({ seeds: [node.grpcAddress] });
    placement = new Placement(client);
  });
  afterAll(async () => {
    placement?.stop();
    client?.close();
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts invocations, errors, throttles and durations of a scheduler', async () => {
    const metrics = new MetricsRegistry();
    const logs = new FunctionLogs(client, placement, () => undefined);
    const scheduler = new Scheduler(
      { region: REGION, accountId: ACCOUNT, accountConcurrency: 10, tmpRoot: join(dir, 'tmp'), idleMs: 60_000, endpointUrl: () => undefined, log: () => undefined },
      { codeCache: new CodeCache(join(dir, 'code'), { get: async () => CODE }), logs, totalReserved: async () => 0, metrics },
    );
    try {
      const t = targetOf('counted');
      const invoke = (payload: object) => scheduler.invoke(t, { requestId: randomUUID(), payload: JSON.stringify(payload) });
      for (let n = 0; n < 5; n++) expect((await invoke({ n })).functionError).toBeUndefined();
      for (let n = 0; n < 2; n++) expect((await invoke({ n, fail: true })).functionError).toBe('Unhandled');
      // Reserved concurrency 0: the function is switched off; the attempt is a throttle.
      await expect(scheduler.invoke(targetOf('counted', 0), { requestId: randomUUID(), payload: '{}' })).rejects.toBeInstanceOf(Throttled);

      const fn = { function: 'counted', version: '$LATEST' };
      expect(await value(metrics, 'Invocations', fn)).toBe(7);
      expect(await value(metrics, 'Errors', fn)).toBe(2);
      expect(await value(metrics, 'Throttles', fn)).toBe(1);
      const d = await one(metrics, 'Duration', fn);
      expect(d).toMatchObject({ count: 7, samples: 7, unit: 'Milliseconds' });
      expect(d!.p50).toBeGreaterThanOrEqual(0);
      expect(d!.p99).toBeGreaterThanOrEqual(d!.p50!);
      // Nothing runs now; the gauges went up and back down.
      expect(await value(metrics, 'ConcurrentExecutions', { function: 'counted' })).toBe(0);
      expect(await value(metrics, 'AccountConcurrentExecutions')).toBe(0);
      expect(await value(metrics, 'UnreservedConcurrentExecutions')).toBe(0);

      const text = await metrics.renderPrometheus();
      expect(text).toContain('stratus_lambda_invocations_total{function="counted",version="$LATEST"} 7\n');
      expect(text).toContain('stratus_lambda_errors_total{function="counted",version="$LATEST"} 2\n');
      expect(text).toContain('stratus_lambda_throttles_total{function="counted",version="$LATEST"} 1\n');
      expect(text).toContain('stratus_lambda_duration_seconds_count{function="counted",version="$LATEST"} 7\n');
    } finally {
      await scheduler.close();
    }
  });

  it('reports how much of the provisioned concurrency is in use', async () => {
    const metrics = new MetricsRegistry();
    const scheduler = new Scheduler(
      { region: REGION, accountId: ACCOUNT, accountConcurrency: 10, tmpRoot: join(dir, 'tmp2'), idleMs: 60_000, endpointUrl: () => undefined, log: () => undefined },
      { codeCache: new CodeCache(join(dir, 'code2'), { get: async () => CODE }), logs: new FunctionLogs(client, placement, () => undefined), totalReserved: async () => 0, metrics },
    );
    try {
      const t = targetOf('warm');
      const fn = { function: 'warm', version: '$LATEST' };
      expect(await one(metrics, 'ProvisionedConcurrencyUtilization', fn)).toBeUndefined();
      await scheduler.prewarm(t, 2);
      expect(await value(metrics, 'ProvisionedConcurrencyUtilization', fn)).toBe(0);
      let settled = false;
      const running = scheduler.invoke(t, { requestId: randomUUID(), payload: JSON.stringify({ n: 1, ms: 400 }) }).finally(() => (settled = true));
      // The invocation takes a provisioned environment once its code is resolved: wait for that.
      while ((await value(metrics, 'ProvisionedConcurrentExecutions', fn)) !== 1) {
        if (settled) throw new Error(`the invocation ended without being seen on a provisioned environment: ${JSON.stringify(await running)}`);
        await new Promise((r) => setImmediate(r));
      }
      expect(await value(metrics, 'ProvisionedConcurrencyUtilization', fn)).toBe(0.5);
      expect(await value(metrics, 'ConcurrentExecutions', { function: 'warm' })).toBe(1);
      expect((await running).initDurationMs).toBeUndefined(); // a provisioned environment: no cold start
      expect(await value(metrics, 'ProvisionedConcurrencyUtilization', fn)).toBe(0);
      await scheduler.unprovision(`warm:$LATEST:${t.config.revisionId}`);
      expect(await one(metrics, 'ProvisionedConcurrencyUtilization', fn)).toBeUndefined();
    } finally {
      await scheduler.close();
    }
  });

  it('keeps the concurrency gauges in step with admissions', () => {
    const metrics = new MetricsRegistry();
    const c = new Concurrency(5, metrics);
    const gauge = metrics.gauge(Metric.ConcurrentExecutions);
    const account = metrics.gauge(Metric.AccountConcurrentExecutions);
    const unreserved = metrics.gauge(Metric.UnreservedConcurrentExecutions);
    const a = c.admit('f', null, 0);
    const b = c.admit('f', null, 0);
    const r = c.admit('g', 2, 2);
    expect([gauge.get({ function: 'f' }), gauge.get({ function: 'g' }), account.get({}), unreserved.get({})]).toEqual([2, 1, 3, 2]);
    if (!a.ok || !b.ok || !r.ok) throw new Error('not admitted');
    a.release();
    a.release(); // a second release changes nothing
    r.release();
    expect([gauge.get({ function: 'f' }), gauge.get({ function: 'g' }), account.get({}), unreserved.get({})]).toEqual([1, 0, 1, 1]);
  });

  it('counts sends, receives and deletes, and reads queue depths at scrape time', async () => {
    const metrics = new MetricsRegistry();
    const sqs = new SqsBackend(client, placement, { accountId: ACCOUNT, region: REGION, metrics });
    const ctx = (): RequestContext => ({ requestId: randomUUID(), accessKeyId: undefined, region: REGION, accountId: ACCOUNT, baseUrl: 'http://127.0.0.1:4566', path: '/', signal: new AbortController().signal });
    const { QueueUrl } = (await runAction(createQueue, { QueueName: 'metered' }, ctx(), sqs)) as { QueueUrl: string };
    await runAction(sendMessage, { QueueUrl, MessageBody: 'one' }, ctx(), sqs);
    await runAction(sendMessageBatch, { QueueUrl, Entries: [{ Id: 'a', MessageBody: 'two' }, { Id: 'b', MessageBody: 'three' }] }, ctx(), sqs);
    const receipts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = (await runAction(receiveMessage, { QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 600 }, ctx(), sqs)) as { Messages: { ReceiptHandle: string }[] };
      expect(r.Messages).toHaveLength(1);
      receipts.push(r.Messages[0]!.ReceiptHandle);
    }
    await runAction(deleteMessage, { QueueUrl, ReceiptHandle: receipts[0]! }, ctx(), sqs);

    const q = { queue: 'metered' };
    expect(await value(metrics, 'NumberOfMessagesSent', q)).toBe(3);
    expect(await value(metrics, 'NumberOfMessagesReceived', q)).toBe(2);
    expect(await value(metrics, 'NumberOfMessagesDeleted', q)).toBe(1);
    // Three sent, one deleted, one received and not deleted: one visible, one in flight.
    expect(await value(metrics, 'ApproximateNumberOfMessagesVisible', q)).toBe(1);
    expect(await value(metrics, 'ApproximateNumberOfMessagesNotVisible', q)).toBe(1);
    expect(await value(metrics, 'ApproximateNumberOfMessagesDelayed', q)).toBe(0);
    expect(await value(metrics, 'ApproximateAgeOfOldestMessage', q)).toBeGreaterThanOrEqual(0);
    const text = await metrics.renderPrometheus();
    expect(text).toContain('stratus_sqs_messages_sent_total{queue="metered"} 3\n');
    expect(text).toContain('stratus_sqs_messages_visible{queue="metered"} 1\n');
    expect(text).toContain('stratus_sqs_messages_not_visible{queue="metered"} 1\n');
    expect(text).not.toMatch(/queue="stratus\./);
  });
});

describe('storage node metrics', () => {
  it('counts leader changes and commits, and reports groups, leaders and apply lag', async () => {
    const metrics = new MetricsRegistry();
    const node = await StorageNode.open({
      nodeId: 1,
      dataDir: undefined,
      advertise: '127.0.0.1:1',
      peers: new Map([[1, '127.0.0.1:1']]),
      tickMs: 20,
      electionTick: 10,
      heartbeatTick: 1,
      proposalTimeoutMs: 10_000,
      log: () => undefined,
      metrics,
    });
    try {
      // The meta group's first member campaigns at once; its new-term entry applies once it leads.
      await node.replicas.get(0)!.waitApplied(1, 10_000);
      const rep = await node.createReplica(7, 'log', [1]);
      await rep.waitApplied(1, 10_000);
      expect(rep.isLeader()).toBe(true);
      const session = new Sequencer('metrics-test');
      for (let i = 0; i < 3; i++) {
        await session.propose(encodeLogCommand({ type: 'append', records: [{ value: strToU8(`r${i}`) }] }), (b) => node.proposeLocal(7, b)!);
      }
      expect(await value(metrics, 'RaftLeaderChanges')).toBe(2);
      expect(await value(metrics, 'RaftGroups')).toBe(2);
      expect(await value(metrics, 'RaftLeaders')).toBe(2);
      expect(await value(metrics, 'RaftApplyLag')).toBe(0);
      expect(await value(metrics, 'RaftApplyLagMax')).toBe(0);
      expect(await one(metrics, 'RaftCommitLatency')).toMatchObject({ count: 3 });
      expect((await one(metrics, 'FsyncLatency'))!.count).toBeGreaterThanOrEqual(3);
      const text = await metrics.renderPrometheus();
      expect(text).toContain('stratus_raft_leader_changes_total 2\n');
      expect(text).toContain('stratus_raft_commit_latency_seconds_count 3\n');
      expect(text).toContain('stratus_raft_groups 2\n');
    } finally {
      await node.stop();
    }
  });
});
