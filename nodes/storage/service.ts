// The StorageService gRPC front of a storage node (proto/internal/storage.proto). Errors leave
// as gRPC statuses with machine-readable metadata (stratus-error, stratus-leader) that
// nodes/cluster/ turns back into routing decisions.
import * as grpc from '@grpc/grpc-js';
import { restampCommand } from '../../storage/partitions/envelope.js';
import { services } from '../grpc/protos.js';
import { Attr, SpanName, withSpan } from '../telemetry/index.js';
import { BusyError, GroupNotFoundError, NotLeaderError, OutcomeUnknownError } from './errors.js';
import { type StorageNode } from './node.js';
import { type Replica } from './replica.js';

export interface ServiceTimeouts {
  proposalTimeoutMs: number;
  readTimeoutMs: number;
}

type Unary = (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => void;

export function toStatus(err: unknown, node?: StorageNode): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (err instanceof NotLeaderError) {
    metadata.set('stratus-error', 'NotLeader');
    if (err.leader) {
      metadata.set('stratus-leader', String(err.leader));
      const addr = node?.addressOf(err.leader);
      if (addr) metadata.set('stratus-leader-address', addr);
    }
    return { code: grpc.status.UNAVAILABLE, details: err.message, metadata };
  }
  if (err instanceof OutcomeUnknownError) {
    metadata.set('stratus-error', 'OutcomeUnknown');
    return { code: grpc.status.UNAVAILABLE, details: err.message, metadata };
  }
  if (err instanceof GroupNotFoundError) {
    metadata.set('stratus-error', 'GroupNotFound');
    return { code: grpc.status.NOT_FOUND, details: err.message, metadata };
  }
  if (err instanceof BusyError) {
    metadata.set('stratus-error', 'Busy');
    return { code: grpc.status.RESOURCE_EXHAUSTED, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) };
}

function field<T>(req: unknown, name: string, check: (v: unknown) => v is T, what: string): T {
  const v = typeof req === 'object' && req !== null ? (req as Record<string, unknown>)[name] : undefined;
  if (!check(v)) throw new grpc.StatusBuilder().withCode(grpc.status.INVALID_ARGUMENT).withDetails(`${name}: ${what}`).build();
  return v;
}
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isLimit = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function handler(node: StorageNode, body: (req: unknown) => Promise<unknown>): Unary {
  return (call, cb) => {
    body(call.request).then(
      (reply) => cb(null, reply),
      (err: unknown) => {
        if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' && !(err instanceof Error)) {
          cb(err as grpc.StatusObject);
        } else cb(toStatus(err, node));
      },
    );
  };
}

export function storageService(node: StorageNode, t: ServiceTimeouts): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const replica = (group: number): Replica => {
    const rep = node.replicas.get(group);
    if (!rep || rep.closed) throw new GroupNotFoundError(group);
    return rep;
  };
  const propose = handler(node, async (req) => {
    const rep = replica(field(req, 'group', isU32, 'a group id'));
    const command = field(req, 'command', isBytes, 'bytes');
    if (!rep.isLeader()) throw new NotLeaderError(rep.group, rep.leader());
    // The leader's clock is the only one a state machine sees (retention, timestamps).
    const p = rep.propose(restampCommand(command, Date.now()), t.proposalTimeoutMs);
    node.kick(rep);
    return { result: await p };
  });
  const proposeBatch = handler(node, (req) => withSpan(SpanName.StoragePropose, { [Attr.Node]: node.nodeId }, async (span) => {
    const rep = replica(field(req, 'group', isU32, 'a group id'));
    const commands = field(req, 'commands', (v): v is Uint8Array[] => Array.isArray(v) && v.every(isBytes), 'a list of bytes');
    if (!rep.isLeader()) throw new NotLeaderError(rep.group, rep.leader());
    const now = Date.now();
    const pending = rep.proposeBatch(commands.map((c) => restampCommand(c, now)), t.proposalTimeoutMs);
    node.kick(rep);
    span.setAttributes({ [Attr.Group]: rep.group, [Attr.Commands]: commands.length });
    const settled = await Promise.allSettled(pending);
    return {
      outcomes: settled.map((s) => {
        if (s.status === 'fulfilled') return { result: s.value };
        const err: unknown = s.reason;
        return { error: err instanceof BusyError ? 'Busy' : 'OutcomeUnknown', message: err instanceof Error ? err.message : String(err) };
      }),
    };
  }));
  const read = handler(node, (req) => withSpan(SpanName.StorageRead, { [Attr.Node]: node.nodeId }, async (span) => {
    const rep = replica(field(req, 'group', isU32, 'a group id'));
    const query = field(req, 'query', isBytes, 'bytes');
    const stale = (req as { consistency?: unknown }).consistency === 1;
    span.setAttributes({ [Attr.Group]: rep.group, [Attr.Stale]: stale });
    if (!stale) {
      const barrier = rep.linearizableBarrier(t.readTimeoutMs);
      node.kick(rep);
      await barrier;
    }
    return { result: await rep.sm.read(query, rep.store) };
  }));
  const watch = handler(node, async (req) => {
    const rep = replica(field(req, 'group', isU32, 'a group id'));
    const after = (req as { afterIndex?: unknown }).afterIndex;
    const waitMs = (req as { waitMs?: unknown }).waitMs;
    const applied = await rep.waitApplied(typeof after === 'number' ? after : 0, Math.min(typeof waitMs === 'number' ? waitMs : 0, 30_000));
    return { appliedIndex: applied };
  });
  const acquireTokens = handler(node, async (req) => {
    const group = field(req, 'group', isU32, 'a group id');
    const bucket = field(req, 'bucket', (v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1024, 'a bucket name (1..1024 characters)');
    const rate = field(req, 'rate', isLimit, 'a finite number >= 0');
    const burst = field(req, 'burst', isLimit, 'a finite number >= 0');
    const want = field(req, 'want', isU32, 'a token count');
    const rep = replica(group);
    const grant = node.acquireTokensLocal(group, bucket, rate, burst, want);
    if (!grant) throw new NotLeaderError(rep.group, rep.leader());
    return grant;
  });
  const nodeStatus = handler(node, async () => ({
    node: node.nodeId,
    address: node.opts.advertise,
    groups: [...node.replicas.values()].map((rep) => groupStatus(rep)),
    fsyncs: node.committer.stats.fsyncs,
    entriesSynced: node.committer.stats.entriesSynced,
    uptimeSeconds: (Date.now() - node.startedAt) / 1000,
    quiescedGroups: node.quiescedReplicas,
  }));
  return { definition: services().storage.service, implementation: { propose, proposeBatch, read, watch, nodeStatus, acquireTokens } };
}

function groupStatus(rep: Replica): Record<string, unknown> {
  const st = rep.raw.status();
  const lag: Record<number, number> = {};
  if (rep.isLeader()) {
    for (const [id, pr] of rep.raw.raft.tracker.progress) {
      if (id !== st.id) lag[id] = Math.max(0, st.lastIndex - pr.match);
    }
  }
  return {
    group: rep.group,
    role: rep.roleName(),
    leader: st.softState.lead,
    term: st.hardState.term,
    commit: st.hardState.commit,
    applied: rep.appliedIndex,
    lastIndex: st.lastIndex,
    voters: st.confState.voters,
    learners: st.confState.learners,
    lag,
    quiesced: rep.quiesced,
  };
}
