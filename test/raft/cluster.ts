// A small synchronous in-memory cluster for unit tests of the Raft core: messages are
// delivered in order unless a filter drops them; every Ready is persisted, sent and applied.
import {
  type ConfChange,
  type Entry,
  EntryType,
  MemoryStorage,
  type Message,
  MessageType,
  type NodeId,
  RawNode,
  type RaftOptions,
  type ReadState,
  SeededRng,
  decodeConfChange,
} from '../../storage/raft/index.js';
import { type Raft } from '../../storage/raft/raft.js';

export interface TestNode {
  id: NodeId;
  node: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
  readStates: ReadState[];
}

export type Filter = (m: Message) => boolean; // true = drop

export interface ClusterOptions {
  seed?: number;
  raft?: Partial<Omit<RaftOptions, 'id' | 'storage' | 'rng'>>;
  /** Builds the core (test-only subclasses of Raft plug in here). */
  makeRaft?: (opts: RaftOptions) => Raft;
}

export class TestCluster {
  nodes = new Map<NodeId, TestNode>();
  filters: Filter[] = [];
  /** Every message handed to the network, for assertions. */
  sent: Message[] = [];
  private queue: Message[] = [];

  constructor(
    ids: NodeId[],
    private readonly opts: ClusterOptions = {},
  ) {
    for (const id of ids) this.addNode(id, new MemoryStorage({ voters: ids }));
  }

  addNode(id: NodeId, storage: MemoryStorage): TestNode {
    const rng = new SeededRng((this.opts.seed ?? 1) * 1000 + id);
    const raftOpts: RaftOptions = { id, storage, rng, ...this.opts.raft };
    const node = new RawNode(this.opts.makeRaft ? this.opts.makeRaft(raftOpts) : raftOpts);
    const tn: TestNode = { id, node, storage, applied: [], readStates: [] };
    this.nodes.set(id, tn);
    return tn;
  }

  get(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  raft(id: NodeId): Raft {
    return this.get(id).node.raft;
  }

  /** Drains every node's Ready and delivers messages until the cluster is quiet. */
  stabilize(maxRounds = 10_000): void {
    for (let round = 0; round < maxRounds; round++) {
      let progressed = false;
      for (const tn of [...this.nodes.values()].sort((a, b) => a.id - b.id)) {
        if (this.processReady(tn)) progressed = true;
      }
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        progressed = true;
        this.nodes.get(m.to)?.node.step(m);
      }
      if (!progressed) return;
    }
    throw new Error('cluster did not stabilize');
  }

  processReady(tn: TestNode): boolean {
    if (!tn.node.hasReady()) return false;
    const rd = tn.node.ready();
    if (rd.snapshot) tn.storage.applySnapshot(rd.snapshot);
    tn.storage.append(rd.entries);
    if (rd.hardState) tn.storage.setHardState(rd.hardState);
    for (const m of rd.messages) {
      this.sent.push(m);
      if (!this.filters.some((f) => f(m))) this.queue.push(m);
    }
    for (const e of rd.committedEntries) {
      if (e.type === EntryType.ConfChange) tn.node.applyConfChange(decodeConfChange(e.data));
      tn.applied.push(e);
    }
    tn.readStates.push(...rd.readStates);
    tn.node.advance(rd);
    return true;
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.get(id).node.tick();
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) for (const tn of this.nodes.values()) tn.node.tick();
  }

  /** Makes `id` leader by campaigning and delivering until quiet. */
  elect(id: NodeId): void {
    this.get(id).node.campaign();
    this.stabilize();
  }

  leader(): NodeId | undefined {
    for (const tn of this.nodes.values()) if (tn.node.isLeader()) return tn.id;
    return undefined;
  }

  isolate(id: NodeId): Filter {
    const f: Filter = (m) => m.from === id || m.to === id;
    this.filters.push(f);
    return f;
  }

  dropTypes(...types: MessageType[]): Filter {
    const f: Filter = (m) => types.includes(m.type);
    this.filters.push(f);
    return f;
  }

  heal(): void {
    this.filters = [];
  }

  /** Proposes on the leader and stabilizes. */
  propose(id: NodeId, text: string): void {
    const r = this.get(id).node.propose(new TextEncoder().encode(text));
    if (!r.ok) throw new Error(`propose failed: ${r.error}`);
    this.stabilize();
  }

  confChange(id: NodeId, cc: ConfChange): void {
    const r = this.get(id).node.proposeConfChange(cc);
    if (!r.ok) throw new Error(`conf change failed: ${r.error} ${r.detail ?? ''}`);
    this.stabilize();
  }

  /** The data of applied normal entries on a node, decoded as text. */
  appliedTexts(id: NodeId): string[] {
    const dec = new TextDecoder();
    return this.get(id)
      .applied.filter((e) => e.type === EntryType.Normal && e.data.byteLength > 0)
      .map((e) => dec.decode(e.data));
  }
}
