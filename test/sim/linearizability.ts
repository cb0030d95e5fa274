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
// memoized, so no configuration is explored twice (as in Lowe's checker and Porcupine).
//
// On top of that, three reductions that keep every linearizable history linearizable (each
// is argued where it is applied):
//  - a read that is legal right now is linearized without branching ("forced reads");
//  - writes with an unknown outcome ("pending") are kept out of the list; one is only tried
//    right before a read of its value, equal-valued ones only in call order, and after all
//    required writes have been tried;
//  - a configuration is pruned if a failed one had the same required ops and value and a
//    subset of its pending writes.

import { ConfigurationCache, mix32 } from './linearizability-cache.js';

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
      /** Set when the failure was found without a search. */
      reason?: string;
    };

function checkRegister(input: Operation[], maxSteps: number): RegisterOutcome {
  // Ops with a known return must all be linearized ("required"); writes with an unknown
  // outcome ("pending") may be linearized anywhere after their call, or not at all. A pending
  // write whose value no read returned can always be left out: nothing can depend on it.
  const readValues = new Set<string | null>();
  for (const op of input) if (op.kind === 'read') readValues.add(op.value);
  const byCall = (a: Operation, b: Operation): number => a.call - b.call || a.id - b.id;
  // Required ops in call order, so that the bitset of linearized ops is mostly a run of
  // full words, a short window of mixed bits and then zeros (see the cache).
  const requiredOps = input.filter((op) => op.ret !== Infinity).sort(byCall);
  const pendingOps = input
    .filter((op) => op.ret === Infinity && op.kind === 'write' && readValues.has(op.value))
    .sort(byCall);
  const required = requiredOps.length;
  if (required === 0) return { kind: 'ok' };

  // Quick necessary condition: a read of a non-null value needs a write of that value that
  // was invoked no later than the read returned.
  const earliestWrite = new Map<string | null, number>();
  for (const op of input) {
    if (op.kind === 'write' && op.call < (earliestWrite.get(op.value) ?? Infinity)) {
      earliestWrite.set(op.value, op.call);
    }
  }
  for (const op of requiredOps) {
    if (op.kind === 'read' && op.value !== null && (earliestWrite.get(op.value) ?? Infinity) > op.ret) {
      const reason = earliestWrite.has(op.value)
        ? `every write of ${formatValue(op.value)} was invoked after it returned`
        : `no operation wrote ${formatValue(op.value)}`;
      return { kind: 'fail', prefix: [], stuck: op, reason: `${formatOperation(op)}: ${reason}.` };
    }
  }
  // Op indices: required ops are 0..required-1, pending writes follow in call order.
  const ops = [...requiredOps, ...pendingOps];
  const n = ops.length;

  // The set of linearized ops is a bitset: required ops in the first `requiredWords` words,
  // pending writes in the words after them.
  const requiredWords = Math.ceil(required / 32);
  const words = requiredWords + Math.ceil(pendingOps.length / 32);

  // Per-op arrays. Values are interned to small integers; 0 is null (the initial state).
  const valueIds = new Map<string | null, number>([[null, 0]]);
  const opIsWrite = new Uint8Array(n);
  const opValue = new Int32Array(n);
  const opWord = new Int32Array(n);
  const opMask = new Int32Array(n);
  // Zobrist hashes of the required ops (pending writes are left out of the hash, see the cache).
  const zobrist = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    let v = valueIds.get(op.value);
    if (v === undefined) {
      v = valueIds.size;
      valueIds.set(op.value, v);
    }
    opValue[i] = v;
    opIsWrite[i] = op.kind === 'write' ? 1 : 0;
    const bitIndex = i < required ? i : requiredWords * 32 + (i - required);
    opWord[i] = bitIndex >>> 5;
    opMask[i] = 1 << (bitIndex & 31);
    zobrist[i] = i < required ? mix32(i + 0x3c6ef372) : 0;
  }

  // Pending writes with equal values are interchangeable: if a linearization uses some of
  // them, the same positions can be filled by the earliest-called ones, in call order (an
  // earlier call only weakens the real-time constraints, and nothing has to follow an op
  // that never returned). So per value only the next unused one in call order is a
  // candidate. pendingOfValue holds, for value v, the pending ops of v in call order at
  // [pendingStart[v], pendingStart[v + 1]); pendingUsed[v] counts the linearized ones.
  const valueCount = valueIds.size;
  const pendingStart = new Int32Array(valueCount + 1);
  for (let i = required; i < n; i++) {
    const slot = opValue[i]! + 1;
    pendingStart[slot] = pendingStart[slot]! + 1;
  }
  for (let v = 0; v < valueCount; v++) pendingStart[v + 1] = pendingStart[v + 1]! + pendingStart[v]!;
  const pendingOfValue = new Int32Array(n - required);
  const fill = pendingStart.slice(0, valueCount);
  for (let i = required; i < n; i++) {
    const v = opValue[i]!;
    pendingOfValue[fill[v]!] = i;
    fill[v] = fill[v]! + 1;
  }
  const pendingUsed = new Int32Array(valueCount);

  // Entry list of the required ops. Node 0 is the head sentinel, node 2r+1 the tail
  // sentinel, nodes 1..2r are the call/return events sorted by time, calls before returns at
  // equal times (an op that returns at t is concurrent with one called at t), remaining
  // ties by call time then id, so the list does not depend on the order of the input.
  // Pending writes are not in the list: one is available once every required op that
  // returned before its call is linearized.
  const events: { time: number; isCall: boolean; op: number }[] = [];
  for (let i = 0; i < required; i++) {
    const op = ops[i]!;
    events.push({ time: op.call, isCall: true, op: i });
    events.push({ time: op.ret, isCall: false, op: i });
  }
  events.sort((a, b) => {
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.isCall !== b.isCall) return a.isCall ? -1 : 1;
    return byCall(ops[a.op]!, ops[b.op]!);
  });
  const nodes = 2 * required + 2;
  const tail = nodes - 1;
  const next = new Int32Array(nodes);
  const prev = new Int32Array(nodes);
  const nodeOp = new Int32Array(nodes);
  const nodeIsCall = new Uint8Array(nodes);
  const callNodeOf = new Int32Array(required);
  const returnNodeOf = new Int32Array(required);
  for (let node = 1; node < tail; node++) {
    const e = events[node - 1]!;
    nodeOp[node] = e.op;
    nodeIsCall[node] = e.isCall ? 1 : 0;
    if (e.isCall) callNodeOf[e.op] = node;
    else returnNodeOf[e.op] = node;
  }
  for (let node = 0; node <= tail; node++) {
    next[node] = node + 1;
    prev[node] = node - 1;
  }
  next[tail] = -1;
  prev[0] = -1;

  const lift = (op: number): void => {
    const call = callNodeOf[op]!;
    const ret = returnNodeOf[op]!;
    next[prev[call]!] = next[call]!;
    prev[next[call]!] = prev[call]!;
    next[prev[ret]!] = next[ret]!;
    prev[next[ret]!] = prev[ret]!;
  };
  // Exact inverse of lift; unlifts happen in reverse order of lifts.
  const unlift = (op: number): void => {
    const call = callNodeOf[op]!;
    const ret = returnNodeOf[op]!;
    prev[next[ret]!] = ret;
    next[prev[ret]!] = ret;
    prev[next[call]!] = call;
    next[prev[call]!] = call;
  };

  const linearized = new Uint32Array(Math.max(1, words));
  const cache = new ConfigurationCache(requiredWords, words);

  // Search stack, per linearized op: the op, the state before it, where to resume the scan
  // (and in which pass) when it is undone, and whether it was a forced read (see below).
  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackResume = new Int32Array(n);
  const stackPass = new Uint8Array(n);
  const stackForced = new Uint8Array(n);
  let depth = 0;
  let state = 0;
  let hash = 0;
  let linearizedRequired = 0;
  // Required part of the bitset: words [0, fullWords) are all ones, words above topWord
  // are all zeros.
  let fullWords = 0;
  let topWord = -1;

  let bestDepth = -1;
  let bestPrefix: number[] = [];
  let bestStuck = 0;

  const FRESH = -1; // just reached a new configuration
  const DEAD = -2; // the current configuration is known to fail
  let node = FRESH;
  let pass = 1; // 1: trying required writes, 0: trying pending writes

  /** Linearizes `op` next, unless the resulting configuration is known to fail. */
  const tryPush = (op: number, newState: number, forced: number, resume: number): boolean => {
    const word = opWord[op]!;
    linearized[word] = linearized[word]! | opMask[op]!;
    const newHash = hash ^ zobrist[op]!;
    let newFull = fullWords;
    let newTop = topWord;
    if (op < required) {
      while (newFull < requiredWords && linearized[newFull] === 0xffffffff) newFull++;
      if (word > newTop) newTop = word;
    }
    if (!cache.addUnlessCovered(newHash, newState, linearized, newFull, newTop)) {
      linearized[word] = linearized[word]! & ~opMask[op]!;
      return false;
    }
    fullWords = newFull;
    topWord = newTop;
    stackOp[depth] = op;
    stackState[depth] = state;
    stackResume[depth] = resume;
    stackPass[depth] = pass;
    stackForced[depth] = forced;
    depth++;
    state = newState;
    hash = newHash;
    if (op < required) {
      linearizedRequired++;
      lift(op);
    } else {
      const v = opValue[op]!;
      pendingUsed[v] = pendingUsed[v]! + 1;
    }
    return true;
  };

  /** Undoes the last linearization. */
  const pop = (): void => {
    depth--;
    const op = stackOp[depth]!;
    state = stackState[depth]!;
    const word = opWord[op]!;
    linearized[word] = linearized[word]! & ~opMask[op]!;
    hash ^= zobrist[op]!;
    if (op < required) {
      if (word < fullWords) fullWords = word;
      while (topWord >= 0 && linearized[topWord] === 0) topWord--;
      linearizedRequired--;
      unlift(op);
    } else {
      const v = opValue[op]!;
      pendingUsed[v] = pendingUsed[v]! - 1;
    }
  };

  /** The next unused pending write of `value`, if it may be linearized now, else -1. */
  const availablePending = (value: number): number => {
    const k = pendingStart[value]! + pendingUsed[value]!;
    if (k >= pendingStart[value + 1]!) return -1;
    const op = pendingOfValue[k]!;
    let firstReturn = next[0]!;
    while (nodeIsCall[firstReturn] === 1) firstReturn = next[firstReturn]!;
    // firstReturn is a return node: the list is not empty while required ops remain.
    return ops[op]!.call <= ops[nodeOp[firstReturn]!]!.ret ? op : -1;
  };

  let steps = 0;
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
        const op = nodeOp[s]!;
        if (opIsWrite[op] === 0 && opValue[op] === state) {
          read = op;
          break;
        }
      }
      if (read >= 0) {
        if (tryPush(read, state, 1, 0)) continue; // node stays FRESH
        node = DEAD; // known to fail
      } else if (depth > 0 && stackForced[depth - 1] === 0 && stackOp[depth - 1]! >= required) {
        // Defensive, cannot happen: a pending write is only tried for a read of its value
        // in the window, which is then legal.
        node = DEAD;
      } else {
        node = next[0]!;
        pass = 1;
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
        // Required writes are tried in a first pass over the window. In a second pass,
        // for each read in the window a pending write of its value is tried: a pending
        // write only matters if a read observes it, and in a valid linearization it can be
        // moved to just before the first such read (nothing but its call constrains where
        // it goes). Trying pending writes last explores configurations with fewer pending
        // writes first, which then cover (prune) those with more.
        if (pass === 1) {
          if (opIsWrite[op] === 1 && tryPush(op, opValue[op]!, 0, next[node]!)) {
            node = FRESH;
            continue;
          }
        } else if (opIsWrite[op] === 0) {
          const pending = availablePending(opValue[op]!);
          if (pending >= 0 && tryPush(pending, opValue[op]!, 0, next[node]!)) {
            node = FRESH;
            continue;
          }
        }
        node = next[node]!;
        continue;
      }
      if (pass === 1 && n > required) {
        pass = 0;
        node = next[0]!;
        continue;
      }
      // The op returns here but has not been linearized: dead end.
      if (depth > bestDepth) {
        bestDepth = depth;
        bestPrefix = Array.from(stackOp.subarray(0, depth));
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
      node = stackResume[depth - 1]!;
      pass = stackPass[depth - 1]!;
      pop();
      if (!forced) break;
    }
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
  const { prefix, stuck, reason } = failure;
  const shownPrefix = prefix.slice(-10).map((op) => `#${op.id}`);
  if (reason !== undefined) {
    lines.push(reason);
  } else {
    lines.push(
      `Deepest partial linearization: ${prefix.length} op(s)` +
        (prefix.length === 0
          ? ''
          : `, ending ${prefix.length > shownPrefix.length ? '... ' : ''}${shownPrefix.join(' ')}`) +
        `; it cannot be extended so that ${formatOperation(stuck)} takes effect before it returns.`,
    );
  }
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
