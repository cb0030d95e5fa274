import { type QueueStats } from './queue-codec.js';

/*
 * The in-memory index of a queue partition (queue.ts): per-message metadata only — no bodies, no
 * ids — so that a partition of a million messages costs a few hundred bytes per message. It is
 * rebuilt by load() from the small state records and changed only by apply, never by reads.
 *
 * A live message is AVAILABLE (visibleAt <= the partition clock) or PENDING (visibleAt later:
 * delayed if never received, in flight otherwise). After every apply, PENDING holds exactly the
 * live messages with visibleAt > clock, so load() can rebuild the same state from visibleAt alone.
 *
 * Standard messages: `ready` (available, by seq) and `pending` (by visibleAt, seq); drain() moves
 * what became visible from pending to ready. FIFO messages live in their group's seq-ordered
 * list; `readyGroups` (by the seq of the group's first live message) holds exactly the groups
 * that can deliver now: nothing in flight and the first live message available.
 *
 * Every heap orders by a unique key (seq breaks ties), so pop order never depends on the heap's
 * internal layout, which differs between a replica that applied live and one that reloaded.
 */

export const AVAILABLE = 0;
export const PENDING = 1;
export const DEAD = 2;
/** Deleted; only still referenced from a group's list until that list is compacted. */
export const GONE = 3;
export type MsgState = typeof AVAILABLE | typeof PENDING | typeof DEAD | typeof GONE;

/** What a receive does with a message it meets (see QueueIndex.choose). */
export const TAKE = 0;
export const DROP = 1;
export const KILL = 2;
export const STOP = 3;
export type Choice = typeof TAKE | typeof DROP | typeof KILL | typeof STOP;

export class Msg {
  state: MsgState = AVAILABLE;
  /** Positions in the pending, ready and retention heaps; -1 when not in the heap. */
  hpos = -1;
  rpos = -1;
  tpos = -1;

  constructor(
    readonly seq: number,
    readonly sentTs: number,
    public visibleAt: number,
    public rc: number,
    public firstRecv: number,
    public lastRecv: number,
    /** FIFO messages only. */
    readonly group: Group | null,
  ) {}
}

function isLive(m: Msg): boolean {
  return m.state === AVAILABLE || m.state === PENDING;
}

export class Group {
  /** In seq order; dead and gone entries are skipped and dropped by compaction. */
  msgs: Msg[] = [];
  /** Entries before it are not live. */
  head = 0;
  live = 0;
  available = 0;
  inflight = 0;
  /** Position in readyGroups, and the key it is filed under there (the first live seq). */
  gpos = -1;
  key = 0;
  /** What this group adds to the FIFO visible count: `available` while in readyGroups. */
  contrib = 0;
  /** Being visited by a receive: kept out of readyGroups so one receive visits it once. */
  busy = false;

  constructor(readonly id: string) {}

  /** Index of the first live message, -1 if none. */
  firstIndex(): number {
    for (let i = this.head; i < this.msgs.length; i++) if (isLive(this.msgs[i] as Msg)) return i;
    return -1;
  }

  first(): Msg | undefined {
    return this.msgs[this.firstIndex()];
  }
}

/** A binary min-heap whose items know their position, so any item can be removed or re-keyed. */
class IndexedHeap<T> {
  private items: T[] = [];

  constructor(
    private readonly less: (a: T, b: T) => boolean,
    private readonly getPos: (t: T) => number,
    private readonly setPos: (t: T, pos: number) => void,
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(t: T): void {
    this.items.push(t);
    this.up(this.items.length - 1);
  }

  remove(t: T): void {
    const i = this.getPos(t);
    if (i < 0) return;
    this.setPos(t, -1);
    const last = this.items.pop() as T;
    if (i === this.items.length) return;
    this.items[i] = last;
    this.fix(i);
  }

  /** Restores the order after t's key changed. */
  update(t: T): void {
    const i = this.getPos(t);
    if (i >= 0) this.fix(i);
  }

  /**
   * Visits the items for which `inside` holds and the topmost items below them for which it
   * does not (`onFrontier`). `inside` must be monotone in the heap order, so the walk costs the
   * number of items inside, not the heap size.
   */
  walk(inside: (t: T) => boolean, onInside: (t: T) => void, onFrontier: (t: T) => void): void {
    const a = this.items;
    if (a.length === 0) return;
    const stack = [0];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const t = a[i] as T;
      if (!inside(t)) {
        onFrontier(t);
        continue;
      }
      onInside(t);
      const c = 2 * i + 1;
      if (c < a.length) stack.push(c);
      if (c + 1 < a.length) stack.push(c + 1);
    }
  }

  private fix(i: number): void {
    if (this.up(i) === i) this.down(i);
  }

  private up(start: number): number {
    const a = this.items;
    const t = a[start] as T;
    let i = start;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p] as T;
      if (!this.less(t, parent)) break;
      a[i] = parent;
      this.setPos(parent, i);
      i = p;
    }
    a[i] = t;
    this.setPos(t, i);
    return i;
  }

  private down(start: number): void {
    const a = this.items;
    const n = a.length;
    const t = a[start] as T;
    let i = start;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(a[c + 1] as T, a[c] as T)) c += 1;
      const child = a[c] as T;
      if (!this.less(child, t)) break;
      a[i] = child;
      this.setPos(child, i);
      i = c;
    }
    a[i] = t;
    this.setPos(t, i);
  }
}

function lowerBound(a: number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function msgPos(field: 'hpos' | 'rpos' | 'tpos'): [(m: Msg) => number, (m: Msg, p: number) => void] {
  return [(m) => m[field], (m, p) => void (m[field] = p)];
}

export class QueueIndex {
  private readonly bySeq = new Map<number, Msg>();
  private readonly groups = new Map<string, Group>();
  private readonly pending = new IndexedHeap<Msg>(
    (a, b) => a.visibleAt < b.visibleAt || (a.visibleAt === b.visibleAt && a.seq < b.seq),
    ...msgPos('hpos'),
  );
  private readonly ready = new IndexedHeap<Msg>((a, b) => a.seq < b.seq, ...msgPos('rpos'));
  private readonly retention = new IndexedHeap<Msg>(
    (a, b) => a.sentTs < b.sentTs || (a.sentTs === b.sentTs && a.seq < b.seq),
    ...msgPos('tpos'),
  );
  private readonly readyGroups = new IndexedHeap<Group>(
    (a, b) => a.key < b.key,
    (g) => g.gpos,
    (g, p) => void (g.gpos = p),
  );
  /** Ascending. Usually short: the dead-letter mover acknowledges them soon. */
  private readonly deadSeqs: number[] = [];
  private inflight = 0;
  private delayed = 0;
  /** Sum of `contrib` over the groups. */
  private visibleSum = 0;

  /** Live and dead messages. */
  get size(): number {
    return this.bySeq.size;
  }

  get(seq: number): Msg | undefined {
    return this.bySeq.get(seq);
  }

  group(id: string): Group {
    let g = this.groups.get(id);
    if (g === undefined) {
      g = new Group(id);
      this.groups.set(id, g);
    }
    return g;
  }

  /** Adds a new message, or one read back by load(), whose seq is above every group member's. */
  insert(m: Msg, now: number, dead: boolean): void {
    this.bySeq.set(m.seq, m);
    if (dead) {
      m.state = DEAD;
      this.deadSeqs.splice(lowerBound(this.deadSeqs, m.seq), 0, m.seq);
      return;
    }
    this.retention.push(m);
    const g = m.group;
    if (g !== null) {
      g.msgs.push(m);
      g.live++;
    }
    if (m.visibleAt > now) {
      m.state = PENDING;
      this.pending.push(m);
      if (m.rc === 0) this.delayed++;
      else {
        this.inflight++;
        if (g !== null) g.inflight++;
      }
    } else {
      m.state = AVAILABLE;
      if (g === null) this.ready.push(m);
      else g.available++;
    }
    if (g !== null) this.refresh(g);
  }

  /** Deletes a live or dead message. */
  remove(m: Msg): void {
    const wasLive = isLive(m);
    if (wasLive) this.detach(m);
    else if (m.state === DEAD) {
      const i = lowerBound(this.deadSeqs, m.seq);
      if (this.deadSeqs[i] === m.seq) this.deadSeqs.splice(i, 1);
    }
    m.state = GONE;
    this.bySeq.delete(m.seq);
    if (wasLive && m.group !== null) this.refresh(m.group);
  }

  /** Marks a live message dead: out of every index but the dead list. */
  kill(m: Msg): void {
    if (!isLive(m)) return;
    this.detach(m);
    m.state = DEAD;
    this.deadSeqs.splice(lowerBound(this.deadSeqs, m.seq), 0, m.seq);
    if (m.group !== null) this.refresh(m.group);
  }

  /** Makes every pending message with visibleAt <= now available. */
  drain(now: number): void {
    let touched: Group[] | undefined;
    for (let m = this.pending.peek(); m !== undefined && m.visibleAt <= now; m = this.pending.peek()) {
      this.pending.remove(m);
      m.state = AVAILABLE;
      const g = m.group;
      if (m.rc === 0) this.delayed--;
      else {
        this.inflight--;
        if (g !== null) g.inflight--;
      }
      if (g === null) this.ready.push(m);
      else {
        g.available++;
        (touched ??= []).push(g);
      }
    }
    if (touched !== undefined) for (const g of touched) this.refresh(g);
  }

  /**
   * The message selection of a receive: standard in seq order, FIFO group by group (oldest head
   * first, consecutive available messages from the head). `decide` judges each candidate: TAKE
   * it, DROP it (expired: removed here), KILL it (dead-lettered here) or STOP the receive. Taken
   * messages are marked received with visibility `visibilityMs`.
   */
  choose(now: number, max: number, visibilityMs: number, fifo: boolean, decide: (m: Msg) => Choice): Msg[] {
    const taken: Msg[] = [];
    const visited: Group[] = [];
    if (fifo) this.chooseFifo(max, decide, taken, visited);
    else this.chooseStandard(max, decide, taken);
    const visibleAt = now + visibilityMs;
    for (const m of taken) {
      m.rc++;
      if (m.rc === 1) m.firstRecv = now;
      m.lastRecv = now;
      m.visibleAt = visibleAt;
      const g = m.group;
      if (visibleAt > now) {
        m.state = PENDING;
        this.pending.push(m);
        this.inflight++;
        if (g !== null) {
          g.available--;
          g.inflight++;
        }
      } else if (g === null) {
        // Popped while choosing so that it could not be chosen twice; visible again now.
        this.ready.push(m);
      }
    }
    for (const g of visited) {
      g.busy = false;
      this.refresh(g);
    }
    return taken;
  }

  private chooseStandard(max: number, decide: (m: Msg) => Choice, taken: Msg[]): void {
    while (taken.length < max) {
      const m = this.ready.peek();
      if (m === undefined) return;
      const c = decide(m);
      if (c === STOP) return;
      if (c === DROP) this.remove(m);
      else if (c === KILL) this.kill(m);
      else {
        this.ready.remove(m);
        taken.push(m);
      }
    }
  }

  private chooseFifo(max: number, decide: (m: Msg) => Choice, taken: Msg[], visited: Group[]): void {
    while (taken.length < max) {
      const g = this.readyGroups.peek();
      if (g === undefined) return;
      g.busy = true;
      this.refresh(g);
      visited.push(g);
      for (let i = g.head; i < g.msgs.length && taken.length < max; i++) {
        const m = g.msgs[i] as Msg;
        if (m.state === DEAD || m.state === GONE) continue;
        if (m.state !== AVAILABLE) break; // delayed: the group's order stops here
        const c = decide(m);
        if (c === STOP) return;
        if (c === DROP) this.remove(m);
        else if (c === KILL) this.kill(m);
        else taken.push(m);
      }
    }
  }

  /** Sets an in-flight message's visibleAt (now or later). */
  setVisibleAt(m: Msg, visibleAt: number, now: number): void {
    m.visibleAt = visibleAt;
    if (visibleAt > now) {
      this.pending.update(m);
      return;
    }
    this.pending.remove(m);
    m.state = AVAILABLE;
    this.inflight--;
    const g = m.group;
    if (g === null) this.ready.push(m);
    else {
      g.inflight--;
      g.available++;
      this.refresh(g);
    }
  }

  /** The live message with the oldest sent time, if it was sent at or before cutoff. */
  oldestSentBy(cutoff: number): Msg | undefined {
    const m = this.retention.peek();
    return m !== undefined && m.sentTs <= cutoff ? m : undefined;
  }

  /** The first `max` dead messages in seq order. */
  deadList(max: number): Msg[] {
    return this.deadSeqs.slice(0, max).map((seq) => this.bySeq.get(seq) as Msg);
  }

  /**
   * Counts as of `now` (not before the clock of the last apply), without changing anything:
   * pending messages with visibleAt <= now are counted as drain() would leave them.
   * `expired` overlaps the other counts: those messages are still live until removed.
   */
  stats(now: number, retentionMs: number): QueueStats {
    let visible = this.ready.size + this.visibleSum;
    let drainedInflight = 0;
    let drainedDelayed = 0;
    let nextVisibleAt = 0;
    const touched = new Map<Group, { available: number; inflight: number }>();
    this.pending.walk(
      (m) => m.visibleAt <= now,
      (m) => {
        if (m.rc > 0) drainedInflight++;
        else drainedDelayed++;
        const g = m.group;
        if (g === null) {
          visible++;
          return;
        }
        let t = touched.get(g);
        if (t === undefined) touched.set(g, (t = { available: 0, inflight: 0 }));
        t.available++;
        if (m.rc > 0) t.inflight++;
      },
      (m) => {
        if (nextVisibleAt === 0 || m.visibleAt < nextVisibleAt) nextVisibleAt = m.visibleAt;
      },
    );
    for (const [g, t] of touched) {
      const head = g.first();
      const headAvailable = head !== undefined && (head.state === AVAILABLE || head.visibleAt <= now);
      const ready = g.inflight === t.inflight && headAvailable;
      visible += (ready ? g.available + t.available : 0) - g.contrib;
    }
    let expired = 0;
    const cutoff = now - retentionMs;
    this.retention.walk(
      (m) => m.sentTs <= cutoff,
      () => expired++,
      () => {},
    );
    return {
      visible,
      inFlight: this.inflight - drainedInflight,
      delayed: this.delayed - drainedDelayed,
      dead: this.deadSeqs.length,
      expired,
      nextVisibleAt,
      oldestSentTimestamp: this.retention.peek()?.sentTs ?? 0,
    };
  }

  /** Takes a live message out of the live indexes and its group's counts. */
  private detach(m: Msg): void {
    const g = m.group;
    if (m.state === PENDING) {
      this.pending.remove(m);
      if (m.rc === 0) this.delayed--;
      else {
        this.inflight--;
        if (g !== null) g.inflight--;
      }
    } else if (g === null) this.ready.remove(m);
    else g.available--;
    this.retention.remove(m);
    if (g !== null) g.live--;
  }

  /** Re-derives a group's place in readyGroups, its visible contribution and its list's size. */
  private refresh(g: Group): void {
    const hi = g.firstIndex();
    g.head = hi < 0 ? g.msgs.length : hi;
    const head = g.msgs[hi];
    const ready = !g.busy && g.inflight === 0 && head !== undefined && head.state === AVAILABLE;
    if (ready) {
      if (g.gpos < 0) {
        g.key = head.seq;
        this.readyGroups.push(g);
      } else if (g.key !== head.seq) {
        g.key = head.seq;
        this.readyGroups.update(g);
      }
    } else this.readyGroups.remove(g);
    const contrib = ready ? g.available : 0;
    this.visibleSum += contrib - g.contrib;
    g.contrib = contrib;
    if (g.busy) return; // a receive is iterating g.msgs
    if (g.live === 0) {
      g.msgs = [];
      g.head = 0;
      if (this.groups.get(g.id) === g) this.groups.delete(g.id);
    } else if (g.msgs.length >= 64 && g.live * 2 < g.msgs.length) {
      // More than half the list is dead or gone: amortised O(1) per removal.
      g.msgs = g.msgs.filter(isLive);
      g.head = 0;
    }
  }
}
