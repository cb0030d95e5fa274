// Linearizability checker for histories of operations on a set of independent key-value
// registers.
//
// Linearizability is compositional, so the history is partitioned by key and every key is
// checked on its own. For one key the search is the Wing & Gong backtracking search with
// Lowe's just-in-time linearization: the call and return events of the key's operations
// are kept in a doubly linked list sorted by time, and the search walks that list from the
// head. Reaching a call event means that operation may be linearized now (everything that
// had to precede it in real time is already linearized), so it is tried against the
// register model; if legal it is "lifted" out of the list (both of its events) and the walk
// restarts from the head. Reaching a return event means that operation has not been
// linearized although it must have taken effect before returning, so the search backtracks
// via an explicit stack. Every configuration (set of linearized ops, register value) is
// memoized, so no configuration is explored twice (Lowe's / Porcupine's cache).

export type OpKind = 'read' | 'write';

export interface Operation {
  id: number; // unique
  clientId: number;
  key: string;
  kind: OpKind;
  /** For a write: the value written. For a read: the value returned (null = key never written). */
  value: string | null;
  /** Logical time the client invoked the operation. */
  call: number;
  /** Logical time the client received the response; Infinity when the outcome is unknown (e.g. a write whose client timed out or whose node crashed) — such an op may or may not have taken effect, at any point after `call`. */
  ret: number;
}

export interface CheckResult {
  ok: boolean;
  /** When !ok: the key whose sub-history is not linearizable, and a short human-readable explanation (e.g. the ops of that key, sorted by call time, formatted one per line). */
  key?: string;
  explanation?: string;
  /** True if the search gave up because of the step budget; then ok is true but unproven. */
  timedOut?: boolean;
}

const DEFAULT_MAX_STEPS_PER_KEY = 5_000_000;
/** Above this many operations the explanation lists only a window around the failure. */
const MAX_EXPLAINED_OPS = 100;
const EXPLAIN_WINDOW = 40;

/**
 * Checks that `history` is linearizable with respect to a set of registers (one per key,
 * each initially null). Reads with an unknown outcome (ret = Infinity) are ignored; writes
 * with an unknown outcome may take effect at any point after their call, or never.
 * Real-time order: `a` precedes `b` iff `a.ret < b.call` (equal times are concurrent).
 */
export function checkLinearizable(
  history: Operation[],
  options?: { maxStepsPerKey?: number },
): CheckResult {
  const maxSteps = options?.maxStepsPerKey ?? DEFAULT_MAX_STEPS_PER_KEY;
  if (typeof maxSteps !== 'number' || Number.isNaN(maxSteps) || maxSteps < 1) {
    throw new Error(`checkLinearizable: maxStepsPerKey must be a number >= 1, got ${String(maxSteps)}`);
  }
  validateHistory(history);

  const byKey = new Map<string, Operation[]>();
  for (const op of history) {
    let ops = byKey.get(op.key);
    if (ops === undefined) {
      ops = [];
      byKey.set(op.key, ops);
    }
    ops.push(op);
  }

  let timedOut = false;
  for (const key of [...byKey.keys()].sort()) {
    const all = byKey.get(key) ?? [];
    // A read that never returned has no observable effect.
    const ops = all.filter((op) => !(op.kind === 'read' && op.ret === Infinity));
    const outcome = checkRegister(ops, maxSteps);
    if (outcome.kind === 'fail') {
      return { ok: false, key, explanation: explain(key, ops, outcome) };
    }
    if (outcome.kind === 'timeout') timedOut = true;
  }
  return timedOut ? { ok: true, timedOut: true } : { ok: true };
}

function validateHistory(history: Operation[]): void {
  if (!Array.isArray(history)) throw new Error('checkLinearizable: history must be an array');
  const ids = new Set<number>();
  for (const op of history) {
    const where = `operation ${op !== null && typeof op === 'object' ? `id=${String(op.id)}` : String(op)}`;
    if (op === null || typeof op !== 'object') throw new Error(`checkLinearizable: invalid ${where}`);
    if (ids.has(op.id)) throw new Error(`checkLinearizable: duplicate operation id ${op.id}`);
    ids.add(op.id);
    if (typeof op.key !== 'string') throw new Error(`checkLinearizable: ${where} has a non-string key`);
    if (op.kind !== 'read' && op.kind !== 'write') {
      throw new Error(`checkLinearizable: ${where} has invalid kind ${JSON.stringify(op.kind)}`);
    }
    if (op.value !== null && typeof op.value !== 'string') {
      throw new Error(`checkLinearizable: ${where} has a value that is neither a string nor null`);
    }
    if (typeof op.call !== 'number' || !Number.isFinite(op.call)) {
      throw new Error(`checkLinearizable: ${where} has invalid call time ${String(op.call)} (must be finite)`);
    }
    if (typeof op.ret !== 'number' || Number.isNaN(op.ret)) {
      throw new Error(`checkLinearizable: ${where} has invalid return time ${String(op.ret)}`);
    }
    if (op.call > op.ret) {
      throw new Error(
        `checkLinearizable: ${where} (key ${JSON.stringify(op.key)}) returns before it is called: call=${op.call} > ret=${op.ret}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------
// Single-register search

type RegisterOutcome =
  | { kind: 'ok' }
  | { kind: 'timeout' }
  | {
      kind: 'fail';
      /** The deepest partial linearization found (ops in linearization order). */
      prefix: Operation[];
      /** The op whose return event stopped that partial linearization from being extended. */
      stuck: Operation;
    };

function checkRegister(input: Operation[], maxSteps: number): RegisterOutcome {
  // Ops with a known return must all be linearized ("required"); writes with an unknown
  // outcome ("pending") may be linearized anywhere after their call, or not at all. A pending
  // write whose value no read returned can always be left out: nothing can depend on it.
  const readValues = new Set<string | null>();
  for (const op of input) if (op.kind === 'read') readValues.add(op.value);
  const requiredOps = input.filter((op) => op.ret !== Infinity);
  const pendingOps = input.filter((op) => op.ret === Infinity && op.kind === 'write' && readValues.has(op.value));
  const required = requiredOps.length;
  if (required === 0) return { kind: 'ok' };
  // Op indices: required ops are 0..required-1, pending writes follow.
  const ops = [...requiredOps, ...pendingOps];
  const n = ops.length;

  // The set of linearized ops is a bitset: required ops in the first `requiredWords` words,
  // pending writes in the words after them.
  const requiredWords = Math.ceil(required / 32);
  const words = requiredWords + Math.ceil(pendingOps.length / 32);

  // Per-op arrays. Values are interned to small integers; 0 is null (the initial state).
  const valueIds = new Map<string | null, number>([[null, 0]]);
  const opIsWrite = new Uint8Array(n);
  const opRequired = new Uint8Array(n);
  const opValue = new Int32Array(n);
  const opWord = new Int32Array(n);
  const opMask = new Int32Array(n);
  // Zobrist hashes of the required ops (pending ops are left out of the hash, see the cache).
  const zobristA = new Int32Array(n);
  const zobristB = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    let v = valueIds.get(op.value);
    if (v === undefined) {
      v = valueIds.size;
      valueIds.set(op.value, v);
    }
    opValue[i] = v;
    opIsWrite[i] = op.kind === 'write' ? 1 : 0;
    const isRequired = i < required;
    opRequired[i] = isRequired ? 1 : 0;
    const bitIndex = isRequired ? i : requiredWords * 32 + (i - required);
    opWord[i] = bitIndex >>> 5;
    opMask[i] = 1 << (bitIndex & 31);
    zobristA[i] = isRequired ? mix32(2 * i + 0x3c6ef372) : 0;
    zobristB[i] = isRequired ? mix32(2 * i + 1 + 0x1b873593) : 0;
  }

  // Entry list. Node 0 is the head sentinel, node 2n+1 the tail sentinel, nodes 1..2n are
  // the call/return events sorted by time, calls before returns at equal times (an op that
  // returns at t is concurrent with one called at t), remaining ties by call time, then
  // id, so the list does not depend on the order of the input.
  const events: { time: number; isCall: boolean; op: number }[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    events.push({ time: op.call, isCall: true, op: i });
    events.push({ time: op.ret, isCall: false, op: i });
  }
  events.sort((a, b) => {
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
    const opA = ops[a.op]!;
    const opB = ops[b.op]!;
    return opA.call - opB.call || opA.id - opB.id;
  });
  const tail = 2 * n + 1;
  const next = new Int32Array(2 * n + 2);
  const prev = new Int32Array(2 * n + 2);
  const nodeOp = new Int32Array(2 * n + 2);
  const nodeIsCall = new Uint8Array(2 * n + 2);
  const returnNodeOf = new Int32Array(n);
  for (let node = 1; node <= 2 * n; node++) {
    const e = events[node - 1]!;
    nodeOp[node] = e.op;
    nodeIsCall[node] = e.isCall ? 1 : 0;
    if (!e.isCall) returnNodeOf[e.op] = node;
  }
  for (let node = 0; node <= tail; node++) {
    next[node] = node + 1;
    prev[node] = node - 1;
  }
  next[tail] = -1;
  prev[0] = -1;

  const lift = (call: number): void => {
    const ret = returnNodeOf[nodeOp[call]!]!;
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
  };
  // Exact inverse of lift; unlifts happen in reverse order of lifts.
  const unlift = (call: number): void => {
    const ret = returnNodeOf[nodeOp[call]!]!;
    prev[next[ret]!] = ret;
    next[prev[ret]!] = ret;
    prev[next[call]!] = call;
    next[prev[call]!] = call;
  };

  // Pending writes with equal values are interchangeable: if a linearization uses some of
  // them, the same positions can be filled by the earliest-called ones, in call order (an
  // earlier call only weakens the real-time constraints, and nothing has to follow an op that
  // never returned). So such a write may only be linearized after its predecessor (previous
  // pending write of the same value in list order), which removes symmetric branches.
  const pendingPredecessor = new Int32Array(n).fill(-1);
  const lastPendingOfValue = new Map<number, number>();
  for (let node = 1; node <= 2 * n; node++) {
    const op = nodeOp[node]!;
    if (nodeIsCall[node] !== 1 || opRequired[op] === 1) continue;
    const previous = lastPendingOfValue.get(opValue[op]!);
    if (previous !== undefined) pendingPredecessor[op] = previous;
    lastPendingOfValue.set(opValue[op]!, op);
  }

  const linearized = new Uint32Array(Math.max(1, words));
  const cache = new ConfigurationCache(requiredWords, words);

  // Search stack: the call node linearized at each depth, the state before it, and whether it
  // was a forced read (see below).
  const stackNode = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackForced = new Uint8Array(n);
  let depth = 0;
  let state = 0;
  let hashA = 0;
  let hashB = 0;
  let linearizedRequired = 0;

  let bestDepth = -1;
  let bestPrefix: number[] = [];
  let bestStuck = 0;

  /** Linearizes the op of call node `call` next, unless the resulting configuration is known to fail. */
  const tryPush = (call: number, newState: number, forced: number): boolean => {
    const op = nodeOp[call]!;
    const word = opWord[op]!;
    linearized[word] = linearized[word]! | opMask[op]!;
    const newHashA = hashA ^ zobristA[op]!;
    const newHashB = hashB ^ zobristB[op]!;
    if (!cache.addUnlessCovered(newHashA, newHashB, linearized, newState)) {
      linearized[word] = linearized[word]! & ~opMask[op]!;
      return false;
    }
    stackNode[depth] = call;
    stackState[depth] = state;
    stackForced[depth] = forced;
    depth++;
    state = newState;
    hashA = newHashA;
    hashB = newHashB;
    if (opRequired[op] === 1) linearizedRequired++;
    lift(call);
    return true;
  };

  /** Undoes the last linearization; returns its call node. */
  const pop = (): number => {
    depth--;
    const call = stackNode[depth]!;
    const op = nodeOp[call]!;
    state = stackState[depth]!;
    const word = opWord[op]!;
    linearized[word] = linearized[word]! & ~opMask[op]!;
    hashA ^= zobristA[op]!;
    hashB ^= zobristB[op]!;
    if (opRequired[op] === 1) linearizedRequired--;
    unlift(call);
    return call;
  };

  /** Whether a read of `value` may be linearized now. */
  const windowHasRead = (value: number): boolean => {
    for (let s = next[0]!; nodeIsCall[s] === 1; s = next[s]!) {
      const op = nodeOp[s]!;
      if (opIsWrite[op] === 0 && opValue[op] === value) return true;
    }
    return false;
  };

  const hasPending = n > required;
  const FRESH = -1; // just reached a new configuration
  const DEAD = -2; // the current configuration is known to fail
  let steps = 0;
  let node = FRESH;
  let pass = 1; // 1: trying required writes, 0: trying pending writes
  for (;;) {
    if (++steps > maxSteps) return { kind: 'timeout' };
    if (node === FRESH) {
      if (linearizedRequired === required) return { kind: 'ok' };
      // Forced reads: if a read that may be linearized now (its call is before the first
      // return in the list) returns the current value, linearizing it now loses nothing --
      // in any valid completion it can be moved to the front, since reads do not change the
      // state and moving an op earlier cannot break real-time order with ops that are not
      // yet linearized. So take it without branching; and if the configuration after it
      // fails, so does this one.
      let read = -1;
      for (let s = next[0]!; nodeIsCall[s] === 1; s = next[s]!) {
        steps++;
        const op = nodeOp[s]!;
        if (opIsWrite[op] === 0 && opValue[op] === state) {
          read = s;
          break;
        }
      }
      if (read >= 0) {
        if (tryPush(read, state, 1)) continue; // node stays FRESH
        node = DEAD; // known to fail
      } else {
        // A pending write only matters if a read observes it; in a valid linearization it
        // can be moved to just before the first such read (nothing but its call constrains
        // where it goes). So the op right after it must be a read of its value, which would
        // be legal now; there is none, so this branch is useless.
        const top = depth > 0 ? stackNode[depth - 1]! : -1;
        if (top >= 0 && stackForced[depth - 1] === 0 && opRequired[nodeOp[top]!] === 0) {
          node = DEAD;
        } else {
          node = next[0]!;
          pass = 1;
        }
      }
    }
    if (node !== DEAD) {
      if (node === tail || node < 0) {
        // Unreachable: the last event in the list is a return, and the list cannot empty
        // while a required op is still unlinearized.
        throw new Error('checkLinearizable: internal error (ran off the entry list)');
      }
      const op = nodeOp[node]!;
      if (nodeIsCall[node] === 1) {
        // Only writes branch here: at this state no read in the window is legal (or it
        // would have been forced), and the state is the same as when that was checked.
        // Required writes are tried in a first pass over the window and pending writes in a
        // second one, so configurations with fewer pending writes are explored first and
        // then cover (prune) those with more.
        if (opIsWrite[op] === 1 && opRequired[op] === pass) {
          if (pass === 1) {
            if (tryPush(node, opValue[op]!, 0)) {
              node = FRESH;
              continue;
            }
          } else {
            const predecessor = pendingPredecessor[op]!;
            if (
              (predecessor < 0 || (linearized[opWord[predecessor]!]! & opMask[predecessor]!) !== 0) &&
              windowHasRead(opValue[op]!) &&
              tryPush(node, opValue[op]!, 0)
            ) {
              node = FRESH;
              continue;
            }
          }
        }
        node = next[node]!;
        continue;
      }
      if (pass === 1 && hasPending) {
        pass = 0;
        node = next[0]!;
        continue;
      }
      // The op returns here but has not been linearized: dead end.
      if (depth > bestDepth) {
        bestDepth = depth;
        bestPrefix = Array.from(stackNode.subarray(0, depth), (call) => nodeOp[call]!);
        bestStuck = op;
      }
    }
    // Backtrack: undo linearizations until one that has untried alternatives (a forced read
    // has none: its failure means the configuration before it failed too).
    for (;;) {
      if (depth === 0) {
        return { kind: 'fail', prefix: bestPrefix.map((i) => ops[i]!), stuck: ops[bestStuck]! };
      }
      const forced = stackForced[depth - 1] === 1;
      const call = pop();
      if (!forced) {
        node = next[call]!;
        pass = opRequired[nodeOp[call]!]!;
        break;
      }
    }
  }
}

/** 32-bit integer hash (xorshift-multiply finalizer). */
function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return h ^ (h >>> 16);
}

/**
 * Visited configurations: (set of linearized required ops R, set of linearized pending writes
 * P, register state). Every visited configuration that is not on the current search path has
 * failed. A configuration (R, P', s) with P' ⊇ P fails whenever (R, P, s) does: the pending
 * writes still available to it are a subset of those available to (R, P, s) -- up to the
 * interchangeability of equal-valued pending writes, which are always used in call order --
 * so any completion of it would also complete (R, P, s). Such configurations are pruned too.
 * (No configuration on the current path covers a new one: the ones with equal R differ in
 * state, since a pending write is always followed by a read of a value that was not current.)
 *
 * Bitsets are stored in one growing arena; the map goes from a 52-bit hash of (R, s) to the
 * newest entry with that hash, and entries with equal hashes are chained and compared exactly.
 */
class ConfigurationCache {
  private readonly heads = new Map<number, number>();
  private bits: Uint32Array;
  private states: Int32Array;
  private chain: Int32Array;
  private size = 0;
  private capacity = 1024;
  private readonly stride: number;

  constructor(
    private readonly requiredWords: number,
    words: number,
  ) {
    this.stride = Math.max(1, words);
    this.bits = new Uint32Array(this.capacity * this.stride);
    this.states = new Int32Array(this.capacity);
    this.chain = new Int32Array(this.capacity);
  }

  /**
   * Adds the configuration unless it is covered by a stored one (same required ops and state,
   * subset of the pending writes); returns false if it was covered.
   */
  addUnlessCovered(hashA: number, hashB: number, bitset: Uint32Array, state: number): boolean {
    const { stride, requiredWords } = this;
    const stateMix = mix32(state + 0x27d4eb2f);
    const key = ((hashA ^ stateMix) >>> 0) * 0x100000 + ((hashB ^ Math.imul(stateMix, 0x165667b1)) & 0xfffff);
    const head = this.heads.get(key) ?? -1;
    for (let e = head; e >= 0; e = this.chain[e]!) {
      if (this.states[e] !== state) continue;
      const base = e * stride;
      let covered = true;
      for (let w = 0; w < requiredWords; w++) {
        if (this.bits[base + w] !== bitset[w]) {
          covered = false;
          break;
        }
      }
      for (let w = requiredWords; covered && w < stride; w++) {
        if ((this.bits[base + w]! & ~bitset[w]!) !== 0) covered = false;
      }
      if (covered) return false;
    }
    if (this.size === this.capacity) this.grow();
    const e = this.size++;
    this.bits.set(bitset.subarray(0, stride), e * stride);
    this.states[e] = state;
    this.chain[e] = head;
    this.heads.set(key, e);
    return true;
  }

  private grow(): void {
    this.capacity *= 2;
    const bits = new Uint32Array(this.capacity * this.stride);
    bits.set(this.bits);
    this.bits = bits;
    const states = new Int32Array(this.capacity);
    states.set(this.states);
    this.states = states;
    const chain = new Int32Array(this.capacity);
    chain.set(this.chain);
    this.chain = chain;
  }
}

// ---------------------------------------------------------------------------------------
// Explanations

function formatValue(v: string | null): string {
  return v === null ? 'null' : JSON.stringify(v);
}

function formatOperation(op: Operation): string {
  const what = op.kind === 'write' ? `write(${formatValue(op.value)})` : `read() -> ${formatValue(op.value)}`;
  const ret = op.ret === Infinity ? 'pending' : String(op.ret);
  return `#${op.id} client ${op.clientId} ${what} [${op.call}, ${ret}]`;
}

function explain(key: string, ops: Operation[], failure: Extract<RegisterOutcome, { kind: 'fail' }>): string {
  const sorted = [...ops].sort((a, b) => a.call - b.call || a.ret - b.ret || a.id - b.id);
  const lines: string[] = [];
  lines.push(`key ${JSON.stringify(key)}: history of ${ops.length} operation(s) is not linearizable.`);
  const { prefix, stuck } = failure;
  const shownPrefix = prefix.slice(-10).map((op) => `#${op.id}`);
  lines.push(
    `Deepest partial linearization: ${prefix.length} op(s)` +
      (prefix.length === 0
        ? ''
        : `, ending ${prefix.length > shownPrefix.length ? '... ' : ''}${shownPrefix.join(' ')}`) +
      `; it cannot be extended so that ${formatOperation(stuck)} takes effect before it returns.`,
  );
  let from = 0;
  let to = sorted.length;
  if (sorted.length > MAX_EXPLAINED_OPS) {
    const at = Math.max(0, sorted.indexOf(stuck));
    from = Math.max(0, at - EXPLAIN_WINDOW);
    to = Math.min(sorted.length, at + EXPLAIN_WINDOW + 1);
  }
  lines.push(`Operations sorted by call time ([call, return]):`);
  if (from > 0) lines.push(`  ... ${from} earlier operation(s) omitted`);
  for (let i = from; i < to; i++) lines.push(`  ${formatOperation(sorted[i]!)}`);
  if (to < sorted.length) lines.push(`  ... ${sorted.length - to} later operation(s) omitted`);
  return lines.join('\n');
}
