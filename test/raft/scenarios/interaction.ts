// An interpreter for readable Raft scenario scripts in the style of etcd-io/raft's
// testdata/*.txt interaction tests: each command runs against an in-memory cluster whose
// message delivery is fully under the script's control, and prints what it did.
import {
  type ConfChange,
  ConfChangeType,
  EntryType,
  MemoryStorage,
  type Message,
  MessageType,
  type NodeId,
  RawNode,
  type RaftOptions,
  ReadMode,
  type ReadState,
  SeededRng,
  StateRole,
  decodeConfChange,
  encodeConfChange,
} from '../../../storage/raft/index.js';

interface Node {
  id: NodeId;
  raw: RawNode | null;
  storage: MemoryStorage;
  inbox: Message[];
  readStates: ReadState[];
  restarts: number;
}

const dec = new TextDecoder();
const enc = new TextEncoder();

export class Interaction {
  private readonly nodes = new Map<NodeId, Node>();
  private readonly isolated = new Set<NodeId>();
  private options: Partial<RaftOptions> = {};

  /** Runs one command line; returns its output (possibly empty). */
  run(line: string): string {
    const [cmd, ...rest] = line.trim().split(/\s+/);
    const args = rest.filter((a) => !a.includes('='));
    const kv = Object.fromEntries(rest.filter((a) => a.includes('=')).map((a) => a.split('=') as [string, string]));
    const ids = (): NodeId[] => (args.length > 0 ? args.map(Number) : [...this.nodes.keys()]);
    switch (cmd) {
      case 'add-nodes':
        return this.addNodes(Number(args[0]), kv);
      case 'add-empty-node':
        return this.addEmptyNode(Number(args[0]));
      case 'campaign':
        this.node(Number(args[0])).campaign();
        return '';
      case 'tick':
        for (let i = 0; i < Number(kv.n ?? 1); i++) for (const id of ids()) this.node(id).tick();
        return '';
      case 'run':
        // n rounds of: the named nodes (default all) tick once, then they settle.
        for (let i = 0; i < Number(kv.n ?? 1); i++) {
          for (const id of ids()) this.nodes.get(id)?.raw?.tick();
          this.stabilize(ids());
        }
        return '';
      case 'process-ready':
        return ids().map((id) => this.processReady(id, true)).filter((s) => s !== '').join('\n');
      case 'deliver-msgs':
        return ids()
          .map((id) => this.deliver(id, kv.drop === 'true', kv.type, kv.count === undefined ? Infinity : Number(kv.count)))
          .filter((s) => s !== '')
          .join('\n');
      case 'stabilize':
        this.stabilize(ids());
        return '';
      case 'propose': {
        const r = this.node(Number(args[0])).propose(enc.encode(args[1] ?? ''));
        return r.ok ? `ok index=${r.lastIndex} term=${r.term}` : `${r.error} leader-hint=${r.leaderHint}`;
      }
      case 'propose-conf-change': {
        const type = { add: ConfChangeType.AddNode, 'add-learner': ConfChangeType.AddLearner, remove: ConfChangeType.RemoveNode }[args[1] ?? ''];
        if (type === undefined) throw new Error(`propose-conf-change: unknown change '${args[1]}'`);
        const r = this.node(Number(args[0])).proposeConfChange({ type, nodeId: Number(args[2]) });
        return r.ok ? `ok index=${r.lastIndex} term=${r.term}` : `${r.error}${r.ok ? '' : ` ${r.detail ?? ''}`}`.trim();
      }
      case 'read-index': {
        const r = this.node(Number(args[0])).readIndex(args[1] ?? '', kv.mode === 'lease' ? ReadMode.Lease : ReadMode.Safe);
        return r.ok ? '' : r.error;
      }
      case 'read-states':
        return ids().map((id) => `${id}: ${this.takeReadStates(id)}`).join('\n');
      case 'transfer-leadership': {
        const r = this.node(Number(args[0])).transferLeadership(Number(args[1]));
        return r.ok ? '' : r.error;
      }
      case 'compact': {
        const n = this.nodes.get(Number(args[0]))!;
        const raw = this.node(n.id);
        const applied = raw.status().applied;
        n.storage.createSnapshot(applied, raw.raft.confState(), enc.encode(kv.data ?? `state@${applied}`));
        n.storage.compact(applied);
        return `snapshot at ${applied}; first index ${n.storage.firstIndex()}`;
      }
      case 'isolate':
        for (const id of args.map(Number)) this.isolated.add(id);
        return '';
      case 'heal':
        this.isolated.clear();
        return '';
      case 'crash':
        for (const id of args.map(Number)) {
          const n = this.nodes.get(id)!;
          n.raw = null;
          n.inbox = [];
        }
        return '';
      case 'restart':
        for (const id of args.map(Number)) this.start(this.nodes.get(id)!);
        return '';
      case 'status':
        return ids().map((id) => this.status(id)).join('\n');
      case 'log':
        return ids().map((id) => `${id}: ${this.logOf(id)}`).join('\n');
      default:
        throw new Error(`unknown command '${cmd}'`);
    }
  }

  private addNodes(n: number, kv: Record<string, string>): string {
    this.options = {
      checkQuorum: kv.checkQuorum !== 'false',
      preVote: kv.preVote !== 'false',
      ...(kv.snapshotChunkBytes ? { snapshotChunkBytes: Number(kv.snapshotChunkBytes) } : {}),
      ...(kv.maxSizePerMsg ? { maxSizePerMsg: Number(kv.maxSizePerMsg) } : {}),
    };
    const voters = Array.from({ length: n }, (_, i) => i + 1);
    for (const id of voters) this.start(this.newNode(id, new MemoryStorage({ voters })));
    return '';
  }

  private addEmptyNode(id: NodeId): string {
    this.start(this.newNode(id, new MemoryStorage()));
    return '';
  }

  private newNode(id: NodeId, storage: MemoryStorage): Node {
    const n: Node = { id, raw: null, storage, inbox: [], readStates: [], restarts: 0 };
    this.nodes.set(id, n);
    return n;
  }

  private start(n: Node): void {
    // Fixed election timeouts would hide nothing here: scripts campaign explicitly.
    n.raw = new RawNode({ ...this.options, id: n.id, storage: n.storage, rng: new SeededRng(n.id * 31 + n.restarts++) });
  }

  private node(id: NodeId): RawNode {
    const raw = this.nodes.get(id)?.raw;
    if (!raw) throw new Error(`node ${id} is down or unknown`);
    return raw;
  }

  private processReady(id: NodeId, verbose: boolean): string {
    const n = this.nodes.get(id)!;
    if (!n.raw || !n.raw.hasReady()) return '';
    const rd = n.raw.ready();
    const out: string[] = [];
    if (rd.snapshot) {
      n.storage.applySnapshot(rd.snapshot);
      out.push(`${id}: installed snapshot at ${rd.snapshot.metadata.index} (term ${rd.snapshot.metadata.term}, voters ${rd.snapshot.metadata.confState.voters.join(',')})`);
    }
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    for (const m of rd.messages) {
      const to = this.nodes.get(m.to);
      // A message to a crashed node is lost; one to a live node waits in its inbox.
      out.push(`${id}->${m.to} ${describe(m)}${to?.raw ? '' : ' (lost: node down)'}`);
      if (to?.raw) to.inbox.push(m);
    }
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) {
        const cs = n.raw.applyConfChange(decodeConfChange(e.data));
        out.push(`${id}: applied conf change at ${e.index}: voters ${cs.voters.join(',')}${cs.learners.length ? ` learners ${cs.learners.join(',')}` : ''}`);
      }
    }
    n.readStates.push(...rd.readStates);
    n.raw.advance(rd);
    return verbose ? out.join('\n') : '';
  }

  /** Delivers (or drops) up to `count` queued messages to a node, optionally of one type. */
  private deliver(id: NodeId, drop: boolean, type: string | undefined, count: number): string {
    const n = this.nodes.get(id)!;
    const out: string[] = [];
    const keep: Message[] = [];
    for (const m of n.inbox) {
      if ((type !== undefined && MessageType[m.type] !== type) || count <= 0) {
        keep.push(m);
        continue;
      }
      count--;
      const lost = drop || this.isolated.has(m.from) || this.isolated.has(m.to) || !n.raw;
      out.push(`${lost ? 'dropped' : 'delivered'} ${m.from}->${m.to} ${describe(m)}`);
      if (!lost) n.raw!.step(m);
    }
    n.inbox = keep;
    return out.join('\n');
  }

  private stabilize(ids: NodeId[]): void {
    for (let round = 0; round < 1000; round++) {
      let busy = false;
      for (const id of ids) if (this.processReady(id, false) !== '' || this.nodes.get(id)?.raw?.hasReady()) busy = true;
      for (const id of ids) {
        const n = this.nodes.get(id)!;
        const deliverable = n.inbox.filter((m) => ids.includes(m.from));
        if (deliverable.length === 0) continue;
        busy = true;
        n.inbox = n.inbox.filter((m) => !ids.includes(m.from));
        for (const m of deliverable) if (n.raw && !this.isolated.has(m.from) && !this.isolated.has(m.to)) n.raw.step(m);
      }
      if (!busy) return;
    }
    throw new Error('stabilize: the cluster did not settle');
  }

  private takeReadStates(id: NodeId): string {
    const n = this.nodes.get(id)!;
    const s = n.readStates.map((r) => `${r.requestCtx}@${r.index}`).join(' ');
    n.readStates = [];
    return s === '' ? '(none)' : s;
  }

  private status(id: NodeId): string {
    const n = this.nodes.get(id)!;
    if (!n.raw) return `${id}: down`;
    const st = n.raw.status();
    const cs = st.confState;
    return `${id}: ${StateRole[st.softState.role]} term=${st.hardState.term} vote=${st.hardState.vote} lead=${st.softState.lead} commit=${st.hardState.commit} applied=${st.applied} last=${st.lastIndex} voters=${cs.voters.join(',')}${cs.learners.length ? ` learners=${cs.learners.join(',')}` : ''}`;
  }

  private logOf(id: NodeId): string {
    const raft = this.node(id).raft;
    const ents = raft.log.slice(raft.log.firstIndex(), raft.log.lastIndex() + 1, Number.MAX_SAFE_INTEGER) ?? [];
    const body = ents.map((e) => `${e.index}/${e.term}${entryText(e.type, e.data)}`).join(' ');
    return `first=${raft.log.firstIndex()} ${body === '' ? '(empty)' : body}`;
  }
}

function entryText(type: EntryType, data: Uint8Array): string {
  if (type === EntryType.ConfChange) {
    const cc: ConfChange = decodeConfChange(data);
    return `:${ConfChangeType[cc.type]}(${cc.nodeId})`;
  }
  return data.byteLength === 0 ? '' : `:${dec.decode(data)}`;
}

function describe(m: Message): string {
  const parts = [`${MessageType[m.type]} term=${m.term}`];
  switch (m.type) {
    case MessageType.App:
      parts.push(`prev=${m.index}/${m.logTerm} commit=${m.commit} entries=[${m.entries.map((e) => `${e.index}/${e.term}${entryText(e.type, e.data)}`).join(' ')}]`);
      break;
    case MessageType.AppResp:
      parts.push(m.reject ? `reject index=${m.index} hint=${m.rejectHint}/${m.logTerm}` : `index=${m.index}`);
      break;
    case MessageType.Vote:
    case MessageType.PreVote:
      parts.push(`last=${m.index}/${m.logTerm}${m.force ? ' force' : ''}`);
      break;
    case MessageType.VoteResp:
    case MessageType.PreVoteResp:
      parts.push(m.reject ? 'rejected' : 'granted');
      break;
    case MessageType.Heartbeat:
      parts.push(`commit=${m.commit}${m.context ? ` ctx=${m.context}` : ''}`);
      break;
    case MessageType.HeartbeatResp:
      if (m.context) parts.push(`ctx=${m.context}`);
      break;
    case MessageType.Snap:
      parts.push(`snapshot=${m.snapshot?.metadata.index}/${m.snapshot?.metadata.term} bytes=${m.snapshot?.offset}+${m.snapshot?.data.byteLength}/${m.snapshot?.totalBytes}`);
      break;
    case MessageType.SnapResp:
      parts.push(`${m.reject ? 'resume' : 'ack'} offset=${m.rejectHint}`);
      break;
    case MessageType.ReadIndex:
    case MessageType.ReadIndexResp:
      parts.push(`ctx=${m.context} index=${m.index}`);
      break;
  }
  return parts.join(' ');
}

export { encodeConfChange };
