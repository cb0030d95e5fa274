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
  type Snapshot,
  decodeConfChange,
} from '../../storage/raft/index.js';
import { type Raft } from '../../storage/raft/raft.js';

export interface TestNode {
  id: NodeId;
  node: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
  readStates: ReadState[];
  /** Snapshots the node installed from its Ready (the state machine restored from them). */
  snapshots: Snapshot[];
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
  private readonly storages = new Map<NodeId, MemoryStorage>();
  filters: Filter[] = [];
  /** Every message handed to the network, for assertions. */
  sent: Message[] = [];
  private queue: Message[] = [];
  /** Messages captured by hold() filters, in send order. */
  private holds: Array<{ match: Filter; held: Message[] }> = [];

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
    const tn: TestNode = { id, node, storage, applied: [], readStates: [], snapshots: [] };
    this.nodes.set(id, tn);
    this.storages.set(id, storage);
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
      if (!this.round()) return;
    }
    throw new Error('cluster did not stabilize');
  }

  /** One round: every node's Ready is handled, then the queued messages are delivered. */
  round(): boolean {
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
    return progressed;
  }

  processReady(tn: TestNode): boolean {
    if (!tn.node.hasReady()) return false;
    const rd = tn.node.ready();
    if (rd.snapshot) tn.storage.applySnapshot(rd.snapshot);
    tn.storage.append(rd.entries);
    if (rd.hardState) tn.storage.setHardState(rd.hardState);
    if (rd.snapshot) tn.snapshots.push(rd.snapshot);
    for (const m of rd.messages) {
      this.sent.push(m);
      if (this.filters.some((f) => f(m))) continue;
      const hold = this.holds.find((h) => h.match(m));
      if (hold) hold.held.push(m);
      else this.queue.push(m);
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

  /** Removes one filter installed by isolate/dropTypes/drop. */
  removeFilter(f: Filter): void {
    this.filters = this.filters.filter((g) => g !== f);
  }

  /** Drops every message matching the predicate until heal() or removeFilter(). */
  drop(f: Filter): Filter {
    this.filters.push(f);
    return f;
  }

  /**
   * Captures (instead of delivering) messages matching the predicate; returns the array they
   * collect in. release() delivers them later, in order, and stops capturing.
   */
  hold(match: Filter): Message[] {
    const h = { match, held: [] as Message[] };
    this.holds.push(h);
    return h.held;
  }

  /** Stops the hold whose array is `held` and queues its messages (optionally only some). */
  release(held: Message[], which: (m: Message) => boolean = () => true): void {
    this.holds = this.holds.filter((h) => h.held !== held);
    for (const m of held) if (which(m)) this.queue.push(m);
    held.length = 0;
  }

  /** Messages handed to the network so far that match the predicate. */
  sentWhere(f: (m: Message) => boolean): Message[] {
    return this.sent.filter(f);
  }

  /** Ticks every node once and stabilizes, n times. */
  tickAndStabilize(n = 1): void {
    for (let i = 0; i < n; i++) {
      this.tickAll();
      this.stabilize();
    }
  }

  /** Ticks one node once and stabilizes, n times. */
  tickNodeAndStabilize(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) {
      this.tick(id);
      this.stabilize();
    }
  }

  /** Ticks every node and stabilizes until cond() holds; returns the number of ticks taken. */
  tickUntil(cond: () => boolean, maxTicks = 1000): number {
    for (let i = 0; i < maxTicks; i++) {
      if (cond()) return i;
      this.tickAll();
      this.stabilize();
    }
    if (cond()) return maxTicks;
    throw new Error(`condition not reached within ${maxTicks} ticks`);
  }

  /** Recreates node id from what its storage persisted, as after a crash and restart. */
  restart(id: NodeId): TestNode {
    this.nodes.delete(id);
    const tn = this.addNode(id, this.storageOf(id));
    return tn;
  }

  private storageOf(id: NodeId): MemoryStorage {
    const s = this.storages.get(id);
    if (!s) throw new Error(`no storage for node ${id}`);
    return s;
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

/** A lone Raft core over a bootstrapped MemoryStorage, for tests that step messages by hand. */
export function newRaft(
  id: NodeId,
  voters: NodeId[],
  opts: Partial<Omit<RaftOptions, 'id' | 'rng'>> & { seed?: number } = {},
): Raft {
  const { seed, storage, ...rest } = opts;
  return new RawNode({
    id,
    storage: storage ?? new MemoryStorage({ voters }),
    rng: new SeededRng(seed ?? id),
    ...rest,
  }).raft;
}

/** Takes and clears the messages a core has queued. */
export function drain(r: Raft): Message[] {
  const out = r.msgs;
  r.msgs = [];
  return out;
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
