// Determinism of the `workflow` kind: two replicas fed the same random commands (retries,
// out-of-order seqs, garbage, leader clocks that step back) give byte-identical results, ops,
// stores and query answers, even when one of them reloads from its store at random points.
import { describe, expect, it } from 'vitest';
import { type KvOp } from '../../storage/engine/engine.js';
import { decodeResult, encodeCommand } from '../../storage/partitions/envelope.js';
import {
  type CallbackKind,
  type ClosedStatus,
  type LeaseRecord,
  type WorkflowCommand,
  type WorkflowQuery,
  EXECUTOR_LEASE,
  WorkflowOp,
  WorkflowStateMachine,
  decodeLeasesResult,
  decodeRunnableResult,
  encodeWorkflowCommand,
  encodeWorkflowQuery,
} from '../../storage/partitions/workflow.js';
import { SeededRng } from '../../storage/raft/rng.js';
import { Harness } from './memory-store.js';
import { DEF, events, record, started, unwrap } from './workflow-harness.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const opText = (o: KvOp): string =>
  o.type === 'put' ? `put ${hex(o.key)}=${hex(o.value)}` : o.type === 'del' ? `del ${hex(o.key)}` : `delRange ${hex(o.start)}..${hex(o.end)}`;

// 'a' and 'ab': one name a prefix of another (history keys must keep them apart).
const NAMES = ['a', 'ab', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
const OWNERS = ['x', 'y'];
const TASKS = ['t1', 't2', 't3'];
const KINDS: CallbackKind[] = ['success', 'failure', 'heartbeat', 'started'];
const CLOSES: ClosedStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT'];

/** What the generator peeks at on replica a, so that many commands hit the paths that succeed. */
interface View {
  lease?: LeaseRecord;
  executions: Map<string, { version: number; eventCount: number; openTokens: string[] }>;
}

async function view(h: Harness<WorkflowStateMachine>): Promise<View> {
  const leases = unwrap(decodeLeasesResult(await h.read(encodeWorkflowQuery({ type: 'leases' }))));
  const list = unwrap(decodeRunnableResult(await h.read(encodeWorkflowQuery({ type: 'runnable', limit: 100 }))));
  const v: View = { executions: new Map(list.items.map((r) => [r.record.name, r.record])) };
  const lease = leases.find((l) => l.owner !== '');
  if (lease !== undefined) v.lease = lease;
  return v;
}

function randomCommand(rng: SeededRng, now: number, v: View): WorkflowCommand {
  const pick = <T>(xs: readonly T[]): T => xs[rng.intn(xs.length)] as T;
  const name = pick(NAMES);
  const k = rng.intn(16);
  // Mostly the lease holder's credentials, sometimes anything.
  const cred = v.lease !== undefined && rng.intn(5) > 0 ? { owner: v.lease.owner, token: v.lease.token } : { owner: pick(OWNERS), token: 1 + rng.intn(3) };
  switch (k) {
    case 0:
      return { type: 'acquireLease', name: EXECUTOR_LEASE, owner: pick(OWNERS), ttlMs: 200 + rng.intn(400), steal: rng.intn(4) === 0 };
    case 1:
      return { type: 'renewLease', name: EXECUTOR_LEASE, ...cred, ttlMs: 300 };
    case 2:
      return { type: 'releaseLease', name: EXECUTOR_LEASE, ...cred };
    case 3:
    case 4: {
      const rec = record(name, { input: rng.intn(3) === 0 ? '{"y":2}' : '{"x":1}', ...(rng.intn(2) === 0 ? { versionArn: 'v1' } : {}) });
      return { type: 'startExecution', name, record: rec, startedEvent: started(now), maxOpen: 3, ...(rng.intn(2) === 0 ? { definition: DEF } : {}) };
    }
    case 5:
    case 6:
    case 7: {
      const items = Array.from({ length: 1 + rng.intn(3) }, () => {
        const running = [...v.executions.keys()];
        const n = running.length > 0 && rng.intn(3) > 0 ? pick(running) : pick(NAMES);
        const e = v.executions.get(n);
        const exact = e !== undefined && rng.intn(4) > 0;
        const close = rng.intn(4) === 0 ? { close: { status: pick(CLOSES), output: `"${rng.intn(9)}"` } } : {};
        return {
          name: n,
          version: exact ? e.version : 1 + rng.intn(4),
          state: `{"s":${rng.intn(100)}}`,
          events: exact ? events(e.eventCount + 1 + (rng.intn(5) === 0 ? 1 : 0), 1 + rng.intn(2), now) : events(2 + rng.intn(3), rng.intn(3), now),
          consumeInbox: [rng.intn(12), rng.intn(12)],
          openTokens: TASKS.filter(() => rng.intn(2) === 0),
          ...close,
        };
      });
      return { type: 'transitions', ...cred, items };
    }
    case 8:
      return { type: 'stopExecution', name, ...(rng.intn(2) === 0 ? { error: 'E', cause: 'C' } : {}) };
    case 9:
    case 10:
      return { type: 'taskCallback', name, taskId: pick(TASKS), kind: pick(KINDS), ...(rng.intn(2) === 0 ? { output: '{}' } : {}) };
    case 11:
      return { type: 'redriveExecution', name, windowMs: 500 + rng.intn(1000), maxRedrives: 2 };
    case 12:
      return { type: 'ackInbox', ...cred, seqs: [rng.intn(12)] };
    case 13:
      return { type: 'enqueueActivityTask', token: pick(TASKS), input: `${rng.intn(5)}`, ...(rng.intn(2) === 0 ? { heartbeatSeconds: 5 } : {}) };
    case 14:
      return { type: 'takeActivityTask', workerName: pick(OWNERS) };
    default:
      return { type: 'dropActivityTask', token: pick(TASKS) };
  }
}

/** The next command (same bytes for both replicas); clients retry and reorder seqs, and garbage comes now and then. */
async function nextCommand(rng: SeededRng, seqs: number[], step: number, a: Harness<WorkflowStateMachine>): Promise<Uint8Array> {
  if (rng.intn(40) === 0) return encodeCommand({ clientId: 'junk', seq: step + 1, timestampMs: 1000, op: WorkflowOp.Transitions, body: new Uint8Array([123]) });
  const now = 1000 + step * 10 - rng.intn(50);
  const c = rng.intn(seqs.length);
  const high = seqs[c] as number;
  const seq = rng.intn(10) < 8 ? high + 1 : Math.max(1, high - rng.intn(10));
  seqs[c] = Math.max(high, seq);
  return encodeCommand({ clientId: `client-${c}`, seq, timestampMs: now, ...encodeWorkflowCommand(randomCommand(rng, now, await view(a))) });
}

const QUERIES: WorkflowQuery[] = [
  ...NAMES.map((name): WorkflowQuery => ({ type: 'describeExecution', name })),
  ...NAMES.map((name): WorkflowQuery => ({ type: 'history', name, reverse: false, limit: 100 })),
  { type: 'listExecutions', limit: 100 },
  { type: 'listExecutions', limit: 2, status: 'RUNNING' },
  { type: 'runnable', limit: 100 },
  { type: 'inbox', afterSeq: 0, limit: 100 },
  { type: 'leases' },
  { type: 'activityQueueLength' },
  ...TASKS.map((token): WorkflowQuery => ({ type: 'activityTask', token })),
  { type: 'definition', id: 'd1' },
];

describe('workflow kind: determinism', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`replicas agree byte for byte, reloaded or not (seed ${seed})`, async () => {
      const a = new Harness(new WorkflowStateMachine());
      const b = new Harness(new WorkflowStateMachine());
      const restarts = new SeededRng(seed + 100);
      const outcomes = new Set<string>();
      const transitionOutcomes = new Set<string>();
      const rng = new SeededRng(seed);
      const seqs = new Array<number>(4).fill(0);
      for (let step = 0; step < 1500; step++) {
        const cmd = await nextCommand(rng, seqs, step, a);
        const ra = a.apply(cmd);
        const rb = b.apply(cmd);
        expect(hex(rb.result)).toBe(hex(ra.result));
        expect(rb.ops.map(opText)).toEqual(ra.ops.map(opText));
        const res = decodeResult(ra.result);
        outcomes.add(res.ok ? 'ok' : `${res.code}:${res.message.split(':')[0] ?? ''}`);
        if (res.ok && cmd[1] === WorkflowOp.Transitions) {
          // A retried seq answers the remembered result, maybe of another op: only arrays count.
          const v = JSON.parse(Buffer.from(res.body).toString()) as unknown;
          if (Array.isArray(v)) for (const o of v as { type: string }[]) transitionOutcomes.add(o.type);
        }
        if (restarts.intn(20) === 0) await b.restart(new WorkflowStateMachine());
      }
      expect(b.store.dump()).toEqual(a.store.dump());
      for (const q of QUERIES) expect(hex(await b.read(encodeWorkflowQuery(q)))).toBe(hex(await a.read(encodeWorkflowQuery(q))));
      // A fresh replica loaded from the final store answers the same too.
      const c = new Harness(new WorkflowStateMachine(), b.store);
      await c.restart(new WorkflowStateMachine());
      for (const q of QUERIES) expect(hex(await c.read(encodeWorkflowQuery(q)))).toBe(hex(await a.read(encodeWorkflowQuery(q))));
      // The random walk reaches the interesting paths.
      for (const o of ['ok', 'FailedPrecondition:LeaseLost', 'FailedPrecondition:TaskDoesNotExist', 'FailedPrecondition:ExecutionNotRedrivable', 'InvalidArgument:malformed workflow command']) expect(outcomes).toContain(o);
      const codes = [...outcomes].map((o) => o.split(':')[0]);
      for (const code of ['NotFound', 'AlreadyExists']) expect(codes).toContain(code);
      for (const t of ['ok', 'conflict', 'notFound', 'invalid']) expect(transitionOutcomes).toContain(t);
    });
  }
});
