// Standard executions on a 3-node cluster with two gateway processes, both running workflow
// executors (functions run in every gateway of this topology, and executors run where functions
// do). Mid-flight, the Raft leader of the state machine's workflow group is SIGKILLed; once the
// group has a new leader the gateway holding the machine's executor lease is SIGKILLed too, and
// the storage node is restarted. The surviving gateway takes the lease once it expires (a killed
// holder cannot hand it back) and finishes the executions from their committed state.
// Afterwards: every execution SUCCEEDED exactly once with its own output, its history has
// consecutive ids and walks its path with every state entered and exited once, and each Task ran
// at least once per execution (re-issued tasks may run twice: reported, not refused).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../nodes/cluster/client.js';
import { MasterKey } from '../../nodes/gateway/lambda/env-crypto.js';
import { WorkflowGroup } from '../../nodes/scheduler/workflows/group.js';
import { LEASE_TTL_MS } from '../../nodes/scheduler/workflows/executor.js';
import { type LeaseRecord } from '../../storage/partitions/lease.js';
import { decodePlacementResult, encodeMetaQuery } from '../../storage/partitions/meta-codec.js';
import { zip } from '../compat/lambda-fixtures.js';
import { ROOT } from '../compat/targets.js';
import { freePorts } from '../ports.js';
import { TestCluster } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const EXECUTIONS = 50;

async function until(what: string, ms: number, cond: () => boolean | Promise<boolean>): Promise<void> {
  const by = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > by) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Appends one line per invocation to a file the test reads: which execution, and which gateway
 * ran it (AWS_ENDPOINT_URL is the gateway's own address), which tells the test where the
 * executor lease is without any hook in Stratus.
 */
const RECORDER = zip({
  'index.mjs': `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const at = process.env.AWS_ENDPOINT_URL ?? 'unknown';
  appendFileSync(process.env.OUT_FILE, JSON.stringify({ name: event.name, at }) + '\\n');
  // A moment in flight, so a kill may find an execution inside this task, not only in a Wait;
  // longer, the calls overlap and each overlap costs a slow cold start.
  await new Promise((r) => setTimeout(r, 50));
  return { at };
};
`,
});

function definition(functionArn: string, queueUrl: string): string {
  // Every task retries: a call cut off by the storage leader's death may fail, and a failed
  // task would end the execution for a reason this test is not about (retries are reported).
  const retry = [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 1 }];
  return JSON.stringify({
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Parameters: { 'n.$': '$.n', 'parity.$': '$.parity', 'name.$': '$$.Execution.Name' }, Next: 'Invoke' },
      Invoke: { Type: 'Task', Resource: functionArn, Parameters: { 'name.$': '$.name' }, ResultPath: '$.invoked', Retry: retry, Next: 'Pause' },
      Pause: { Type: 'Wait', Seconds: 2, Next: 'Route' },
      Route: { Type: 'Choice', Choices: [{ Variable: '$.parity', StringEquals: 'even', Next: 'Even' }], Default: 'Odd' },
      Even: { Type: 'Pass', Result: 'even', ResultPath: '$.branch', Next: 'Notify' },
      Odd: { Type: 'Pass', Result: 'odd', ResultPath: '$.branch', Next: 'Notify' },
      Notify: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: { QueueUrl: queueUrl, MessageBody: { 'name.$': '$.name', 'branch.$': '$.branch' } },
        ResultPath: null,
        Retry: retry,
        Next: 'Linger',
      },
      Linger: { Type: 'Wait', Seconds: 2, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });
}

/** The states an execution of parity `parity` enters, in order. */
function pathOf(parity: string): string[] {
  return ['Prepare', 'Invoke', 'Pause', 'Route', parity === 'even' ? 'Even' : 'Odd', 'Notify', 'Linger', 'Done'];
}

interface Run {
  name: string;
  n: number;
  parity: string;
  arn: string;
}

/** What is wrong with one execution's history (empty: nothing); retries counted aside. */
function historyProblems(run: Run, events: HistoryEvent[]): { problems: string[]; retries: number } {
  const problems: string[] = [];
  events.forEach((e, i) => {
    if (e.id !== i + 1) problems.push(`event #${i + 1} has id ${e.id}`);
  });
  const types = events.map((e) => e.type ?? '?');
  const count = (t: string) => types.filter((x) => x === t).length;
  if (types[0] !== 'ExecutionStarted' || count('ExecutionStarted') !== 1) problems.push(`ExecutionStarted ${count('ExecutionStarted')} times, first event ${types[0]}`);
  if (types[types.length - 1] !== 'ExecutionSucceeded' || count('ExecutionSucceeded') !== 1) problems.push(`ExecutionSucceeded ${count('ExecutionSucceeded')} times, last event ${types[types.length - 1]}`);
  for (const t of ['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut', 'ExecutionRedriven']) if (count(t) > 0) problems.push(`${t} ${count(t)} times`);
  // A linear machine: each state is entered once and exited before the next is entered.
  const entered: string[] = [];
  let open: string | undefined;
  let retries = 0;
  let succeededInState = 0;
  for (const e of events) {
    const t = e.type ?? '';
    if (t.endsWith('StateEntered')) {
      const name = e.stateEnteredEventDetails?.name ?? '?';
      if (open !== undefined) problems.push(`event ${e.id}: ${name} entered while ${open} is still open`);
      if (entered.includes(name)) problems.push(`event ${e.id}: ${name} entered again`);
      entered.push(name);
      open = name;
      succeededInState = 0;
    } else if (t.endsWith('StateExited')) {
      const name = e.stateExitedEventDetails?.name ?? '?';
      if (open !== name) problems.push(`event ${e.id}: ${name} exited while ${open ?? 'no state'} is open`);
      if (open !== undefined && ['Invoke', 'Notify'].includes(open) && succeededInState !== 1) problems.push(`${open}: ${succeededInState} task successes`);
      open = undefined;
    } else if (t === 'LambdaFunctionSucceeded' || t === 'TaskSucceeded') {
      succeededInState++;
    } else if (/Failed$|TimedOut$/.test(t) && !t.startsWith('Execution')) {
      retries++;
    }
  }
  if (open !== undefined) problems.push(`${open} never exited`);
  const want = pathOf(run.parity);
  if (entered.join(',') !== want.join(',')) problems.push(`path ${entered.join('>')}, expected ${want.join('>')}`);
  return { problems, retries };
}

interface Gateway {
  id: number;
  url: string;
  pid: () => number;
  sfn: SFNClient;
  sqs: SQSClient;
}

describe('Standard executions while the storage leader and the executing scheduler die', () => {
  let c: TestCluster;
  let gateways: Gateway[] = [];
  let lambda: LambdaClient;
  let cc: ClusterClient;
  let outDir = '';
  beforeAll(async () => {
    process.env.STRATUS_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
    process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
    // Both gateways run functions: they must share the key that seals environment variables (as deploy/README.md says).
    process.env.STRATUS_MASTER_KEY = MasterKey.generate();
    const [httpA, httpB, grpcB] = await freePorts(3);
    c = await TestCluster.start(3, ['--http-port', String(httpA)]);
    const b = await c.addGateway(1001, grpcB!, httpB!);
    const a = c.gateway();
    const handler = () => new NodeHttpHandler({ requestTimeout: 8000, throwOnRequestTimeout: true });
    gateways = [a, b].map((p) => {
      const endpoint = `http://${p.http!}`;
      return {
        id: p.id,
        url: endpoint,
        pid: () => p.pid,
        sfn: new SFNClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, disableHostPrefix: true, requestHandler: handler() }),
        sqs: new SQSClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: handler() }),
      };
    });
    lambda = new LambdaClient({ endpoint: gateways[0]!.url, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: handler() });
    cc = new ClusterClient({ seeds: c.storageIds().map((id) => c.storage(id).grpc), totalTimeoutMs: 3000 });
    outDir = mkdtempSync(join(tmpdir(), 'stratus-sfn-crash-'));
  }, 60_000);
  afterAll(async () => {
    for (const g of gateways) {
      g.sfn.destroy();
      g.sqs.destroy();
    }
    lambda?.destroy();
    cc?.close();
    // For a post-mortem: KEEP_LOGS=<dir> keeps the processes' logs and data there.
    if (process.env.KEEP_LOGS && c?.dir) cpSync(c.dir, process.env.KEEP_LOGS, { recursive: true });
    await c?.cleanup();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 30_000);

  it('finishes every execution once, with no transition twice', async () => {
    const started = Date.now();
    /** Seconds into the test at which each phase ended, for the report (the CI budget is tight). */
    const phases: string[] = [];
    const mark = (what: string) => phases.push(`${what} ${((Date.now() - started) / 1000).toFixed(1)}`);
    const out = join(outDir, 'invocations.log');
    writeFileSync(out, '');
    /** Lambda invocations so far: execution name → the gateway URLs that ran one, one per invocation. */
    const invocations = (): Map<string, string[]> => {
      const m = new Map<string, string[]>();
      for (const line of readFileSync(out, 'utf8').split('\n')) {
        if (line === '') continue;
        const r = JSON.parse(line) as { name: string; at: string };
        m.set(r.name, [...(m.get(r.name) ?? []), r.at]);
      }
      return m;
    };

    const [gwA] = gateways;
    const fn = await lambda.send(
      // A generous timeout: cold starts on two busy cores, and the survivor re-issues many tasks at once.
      new CreateFunctionCommand({ FunctionName: 'recorder', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Timeout: 30, Code: { ZipFile: RECORDER }, Environment: { Variables: { OUT_FILE: out } } }),
    );
    // One warm environment in each gateway (a direct Invoke runs where it is sent), so neither pays a cold start first in the storm.
    for (const g of gateways) {
      const lc = new LambdaClient({ endpoint: g.url, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
      try {
        const r = await lc.send(new InvokeCommand({ FunctionName: 'recorder', Payload: new TextEncoder().encode(JSON.stringify({ name: `prewarm-${g.id}` })) }));
        expect(r.FunctionError, `prewarm at gateway ${g.id}`).toBeUndefined();
      } finally {
        lc.destroy();
      }
    }
    const queueUrl = (await gwA!.sqs.send(new CreateQueueCommand({ QueueName: 'sfn-crash', Attributes: { VisibilityTimeout: '5' } }))).QueueUrl!;
    mark('function warm, queue made');
    const machineArn = (await gwA!.sfn.send(new CreateStateMachineCommand({ name: 'crash', definition: definition(fn.FunctionArn!, queueUrl), roleArn: ROLE }))).stateMachineArn!;
    mark('machine made');

    const placement = decodePlacementResult(await cc.read(0, encodeMetaQuery({ type: 'getPlacement' })));
    if (!placement.ok) throw new Error(placement.message);
    const groupId = placement.value.stateMachines.find((m) => m.name === 'crash')!.groupId;
    // Precondition: the group survives one node's loss only with three replicas.
    expect(placement.value.groups.find((g) => g.id === groupId)?.replicas, "the machine's group replicas").toHaveLength(3);
    const group = new WorkflowGroup(cc, groupId);
    const executorLease = async (): Promise<LeaseRecord | undefined> => (await group.leases()).find((l) => l.name === 'executor');

    const status = async (g: Gateway, arn: string): Promise<DescribeExecutionCommandOutput> => g.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));

    // A calm execution first: it warms the function and shows which gateway runs the machine.
    const warm: Run = { name: 'warmup', n: -1, parity: 'even', arn: '' };
    warm.arn = (await gwA!.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: warm.name, input: JSON.stringify({ n: warm.n, parity: warm.parity }) }))).executionArn!;
    await until('the warm-up execution to succeed', 30_000, async () => (await status(gwA!, warm.arn)).status === 'SUCCEEDED').catch(async (err: unknown) => {
      const d = await status(gwA!, warm.arn);
      const h = await gwA!.sfn.send(new GetExecutionHistoryCommand({ executionArn: warm.arn }));
      process.stdout.write(`warm-up ${d.status ?? '?'} ${d.error ?? ''} ${d.cause ?? ''}; history: ${JSON.stringify(h.events)}\n`);
      throw err;
    });
    mark('warm-up done');
    const warmAt = invocations().get(warm.name)?.[0];
    const firstHolder = gateways.find((g) => g.url === warmAt);
    if (!firstHolder) throw new Error(`the warm-up's task ran at ${warmAt ?? 'nowhere'}, not at a known gateway`);
    const firstOwner = (await executorLease())?.owner;
    if (!firstOwner) throw new Error('no executor lease is held after the warm-up');
    // Requests go to the gateway that will survive, so the kill does not cut them off.
    const other = (g: Gateway): Gateway => gateways.find((x) => x !== g)!;
    const api = other(firstHolder);

    // The queue is drained all along: message id → body (SendMessage's id tells invocations from redeliveries).
    const sent = new Map<string, string>();
    let receipts = 0;
    let draining = true;
    const stopPolls = new AbortController();
    const consumer = (async () => {
      while (draining) {
        let msgs: Message[];
        try {
          msgs = (await api.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }), { abortSignal: stopPolls.signal })).Messages ?? [];
        } catch {
          if (draining) await sleep(100);
          continue;
        }
        for (const m of msgs) {
          receipts++;
          sent.set(m.MessageId!, m.Body ?? '');
        }
        if (msgs.length > 0) {
          await api.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) })).catch(() => undefined);
        }
      }
    })();
    const sendsByName = (): Map<string, number> => {
      const m = new Map<string, number>();
      for (const body of sent.values()) {
        const name = (JSON.parse(body) as { name: string }).name;
        m.set(name, (m.get(name) ?? 0) + 1);
      }
      return m;
    };

    /** What the executions look like now, for a stall's post-mortem. */
    const snapshot = async (g: Gateway): Promise<void> => {
      const listed = (await g.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 1000 })).catch(() => undefined))?.executions ?? [];
      const byStatus = new Map<string, number>();
      for (const x of listed) byStatus.set(x.status ?? '?', (byStatus.get(x.status ?? '?') ?? 0) + 1);
      const inv = invocations();
      const lease = await executorLease().catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      process.stdout.write(`snapshot: ${JSON.stringify([...byStatus])}; ${inv.size} executions invoked the function (${[...inv.values()].flat().length} runs); lease ${JSON.stringify(lease)}\n`);
      const stuck = listed.find((x) => x.status === 'RUNNING');
      if (stuck?.executionArn) {
        const h = (await g.sfn.send(new GetExecutionHistoryCommand({ executionArn: stuck.executionArn, reverseOrder: true, maxResults: 6 }))).events ?? [];
        process.stdout.write(`  ${stuck.name ?? '?'} latest events: ${JSON.stringify(h)}\n`);
      }
    };

    const runs: Run[] = Array.from({ length: EXECUTIONS }, (_, i) => ({ name: `run-${String(i).padStart(3, '0')}`, n: i, parity: i % 2 === 0 ? 'even' : 'odd', arn: '' }));
    const all = [warm, ...runs];
    let killedStorage = 0;
    let holder = firstHolder;
    let holderOwner = firstOwner;
    let runningAtKill = 0;
    let failoverMs = -1;
    let storageElectionMs = -1;
    let killedSchedulerAt = 0;
    const finalStatus = new Map<string, ExecutionStatus | undefined>();
    try {
      // Started one after another, so they spread over the states and the function's calls
      // rarely overlap: each overlap costs a cold start, and dozens at once crawl on two cores.
      for (const r of runs) {
        r.arn = (await api.sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: r.name, input: JSON.stringify({ n: r.n, parity: r.parity }) }))).executionArn!;
        await sleep(40);
      }
      mark('all started');
      // Most executions past their function, so the kills find them in every later state (the
      // function's cold starts are the slow part here, and the survivor would pay them again).
      await until('three quarters of the executions to pass their first task', 30_000, () => runs.filter((r) => invocations().has(r.name)).length >= (EXECUTIONS * 3) / 4).catch(async (err: unknown) => {
        await snapshot(api);
        throw err;
      });
      mark('3/4 invoked');

      killedStorage = await c.leaderOf(groupId);
      const killedStorageAt = Date.now();
      c.kill(killedStorage);
      const survivors = c.storageIds().filter((id) => id !== killedStorage);
      await until(`group ${groupId} to elect a new leader`, 20_000, async () => {
        for (const id of survivors) if ((await c.groups(id))?.some((g) => g.group === groupId && g.role === 'leader')) return true;
        return false;
      });
      storageElectionMs = Date.now() - killedStorageAt;
      mark('storage leader elected');

      // The holder may have changed during the election; with two gateways, another owner is the other one.
      let lease: LeaseRecord | undefined;
      await until('the executor lease to be readable', 10_000, async () => (lease = await executorLease().catch(() => undefined)) !== undefined);
      if (lease!.owner !== firstOwner && lease!.owner !== '') {
        holder = other(firstHolder);
        holderOwner = lease!.owner;
      }
      runningAtKill = (await api.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'RUNNING', maxResults: 1000 }))).executions?.length ?? 0;
      killedSchedulerAt = Date.now();
      process.kill(holder.pid(), 'SIGKILL');
      c.restart(killedStorage);
      mark('scheduler killed');

      // Only the survivor can take the lease, once the killed holder's hold runs out.
      await until('another scheduler to take the executor lease', LEASE_TTL_MS + 25_000, async () => {
        const l = await executorLease().catch(() => undefined);
        return l !== undefined && l.owner !== '' && l.owner !== holderOwner;
      });
      failoverMs = Date.now() - killedSchedulerAt;
      mark('lease taken over');

      const survivor = other(holder);
      await until('every execution to close', 40_000, async () => {
        const r = await survivor.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: 'RUNNING', maxResults: 1000 })).catch(() => undefined);
        return r !== undefined && (r.executions?.length ?? 1) === 0;
      }).catch((err: unknown) => process.stdout.write(`${err instanceof Error ? err.message : String(err)}\n`));
      mark('all closed');
      await until(`node ${killedStorage} to follow group ${groupId} again`, 30_000, async () => (await c.groups(killedStorage))?.some((g) => g.group === groupId && g.leader > 0) ?? false);
      mark('storage rejoined');
      // Each SendMessage committed before its task succeeded: the queue holds one for every execution by now.
      await until('a message from every execution', 15_000, () => all.every((r) => (sendsByName().get(r.name) ?? 0) > 0)).catch(() => undefined);
      mark('queue drained');
    } finally {
      draining = false;
      stopPolls.abort();
      await consumer;
    }

    const survivor = other(holder);
    const listed: ExecutionListItem[] = [];
    let token: string | undefined;
    do {
      const page = await survivor.sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: 1000, ...(token ? { nextToken: token } : {}) }));
      listed.push(...(page.executions ?? []));
      token = page.nextToken;
    } while (token);

    mark('listed');
    const histories = new Map<string, HistoryEvent[]>();
    const problems: string[] = [];
    const outputs: string[] = [];
    let retries = 0;
    const check = async (r: Run): Promise<void> => {
      const d = await status(survivor, r.arn);
      finalStatus.set(r.name, d.status);
      const events: HistoryEvent[] = [];
      let next: string | undefined;
      do {
        const page = await survivor.sfn.send(new GetExecutionHistoryCommand({ executionArn: r.arn, maxResults: 1000, ...(next ? { nextToken: next } : {}) }));
        events.push(...(page.events ?? []));
        next = page.nextToken;
      } while (next);
      histories.set(r.name, events);
      const h = historyProblems(r, events);
      retries += h.retries;
      problems.push(...h.problems.map((p) => `${r.name}: ${p}`));
      if (d.status === 'SUCCEEDED') {
        const o = JSON.parse(d.output ?? 'null') as { name?: string; n?: number; branch?: string; invoked?: { at?: string } } | null;
        if (o?.name !== r.name || o.n !== r.n || o.branch !== r.parity || !gateways.some((g) => g.url === o.invoked?.at)) outputs.push(`${r.name}: ${d.output ?? '(none)'}`);
      }
    };
    // A few at a time: one by one is seconds of the CI budget.
    for (let i = 0; i < all.length; i += 8) await Promise.all(all.slice(i, i + 8).map(check));
    problems.sort();

    mark('histories read');
    // Where execution time went (seconds): start to first state, and each task's run.
    const gap = (from: string, to: string): number[] =>
      [...histories.values()].flatMap((evs) => {
        const a = evs.find((e) => e.type === from)?.timestamp;
        const b = evs.find((e) => e.type === to)?.timestamp;
        return a && b ? [(b.getTime() - a.getTime()) / 1000] : [];
      });
    const spread = (xs: number[]): string => {
      const v = [...xs].sort((x, y) => x - y);
      return v.length === 0 ? '-' : `${v[0]!.toFixed(1)}/${v[Math.floor(v.length / 2)]!.toFixed(1)}/${v[v.length - 1]!.toFixed(1)}`;
    };
    const timings = `start→first state ${spread(gap('ExecutionStarted', 'PassStateEntered'))}, function ${spread(gap('LambdaFunctionScheduled', 'LambdaFunctionSucceeded'))}, sendMessage ${spread(gap('TaskScheduled', 'TaskSucceeded'))}, whole ${spread(gap('ExecutionStarted', 'ExecutionSucceeded'))} (min/median/max s)`;
    const inv = invocations();
    const sends = sendsByName();
    const lambdaRuns = all.reduce((s, r) => s + (inv.get(r.name)?.length ?? 0), 0);
    const sqsSends = all.reduce((s, r) => s + (sends.get(r.name) ?? 0), 0);
    const bySurvivor = all.filter((r) => (inv.get(r.name) ?? []).includes(survivor.url)).length;
    const notSucceeded = all.filter((r) => finalStatus.get(r.name) !== 'SUCCEEDED');
    const lines = [
      `sfn crash: ${all.length} executions (${runningAtKill} running at the scheduler kill); storage node ${killedStorage} (group ${groupId} leader) killed, new leader after ${storageElectionMs} ms;` +
        ` gateway ${holder.id} (executor) killed, lease taken by gateway ${survivor.id} after ${failoverMs} ms; whole test ${Date.now() - started} ms`,
      `  lambda invocations: ${lambdaRuns} for ${all.length} executions (${lambdaRuns - all.filter((r) => inv.has(r.name)).length} duplicates; ${bySurvivor} executions had one at the survivor)`,
      `  phases (s): ${phases.join(', ')}`,
      `  timings: ${timings}`,
      `  sqs sends: ${sqsSends} distinct messages for ${all.length} executions (${sqsSends - all.filter((r) => sends.has(r.name)).length} duplicates), ${receipts} receipts; task retries in histories: ${retries}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (notSucceeded.length > 0 || problems.length > 0) {
      // Evidence for a failure: the first histories concerned and what the gateways said.
      const bad = [...new Set([...notSucceeded.map((r) => r.name), ...problems.map((p) => p.split(':')[0]!)])].slice(0, 3);
      for (const name of bad) {
        const evs = histories.get(name) ?? [];
        process.stdout.write(`history of ${name} (${finalStatus.get(name) ?? '?'}): ${evs.map((e) => `${e.id}:${e.type}${e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ? `(${e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name})` : ''}`).join(' ')}\n`);
      }
      for (const g of c.rec.processes.filter((p) => p.role === 'gateway')) {
        const said = readFileSync(g.log, 'utf8').split('\n').filter((l) => /scheduler: (state machine|execution)|workflow /.test(l));
        process.stdout.write(`gateway ${g.id} log: ${said.length} workflow lines; ${said.slice(-15).join(' | ')}\n`);
      }
    }

    // Each execution once in the listing, and closed as SUCCEEDED.
    const names = listed.map((x) => x.name ?? '');
    expect(names.length, 'executions listed').toBe(all.length);
    expect([...new Set(names)].sort(), 'each execution listed once').toEqual(all.map((r) => r.name).sort());
    expect(notSucceeded.map((r) => `${r.name}: ${finalStatus.get(r.name) ?? 'unknown'}`), 'executions not SUCCEEDED').toEqual([]);
    expect(listed.filter((x) => x.status !== 'SUCCEEDED').map((x) => x.name), 'listed as not SUCCEEDED').toEqual([]);
    expect(outputs, 'outputs that are not the execution’s own').toEqual([]);
    expect(problems, 'history problems (duplicated or missing transitions)').toEqual([]);
    // The kills landed mid-flight: something was still running when the executor died.
    expect(runningAtKill, 'executions running when the executor was killed').toBeGreaterThan(0);
    // Tasks ran at least once for every execution.
    expect(all.filter((r) => !inv.has(r.name)).map((r) => r.name), 'executions whose function never ran').toEqual([]);
    expect(all.filter((r) => !sends.has(r.name)).map((r) => r.name), 'executions whose message never arrived').toEqual([]);
  }, 120_000);
});
