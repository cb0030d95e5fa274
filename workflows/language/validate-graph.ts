// The checks that look at a machine as a graph, run once every state has the right shape:
// transitions name states of the same scope (a branch cannot jump out of itself), every state
// is named by StartAt or another state, some state ends the scope, and names are unique machine-wide
// (history events and the context object name states without saying which branch).
import { isJsonObject, type JsonObject } from './json.js';
import { at, Codes, type Collector } from './validate-context.js';
import { choiceTargets } from './validate-choice.js';

interface Edge {
  target: string;
  loc: string;
}

/** A Parallel branch or Map processor inside `state`, with its location. */
export function nestedMachines(state: JsonObject, loc: string): { machine: JsonObject; loc: string }[] {
  const out: { machine: JsonObject; loc: string }[] = [];
  const branches = state['Branches'];
  if (state['Type'] === 'Parallel' && Array.isArray(branches)) {
    branches.forEach((b, i) => {
      if (isJsonObject(b)) out.push({ machine: b, loc: at(loc, 'Branches', i) });
    });
  }
  if (state['Type'] === 'Map') {
    for (const f of ['ItemProcessor', 'Iterator']) {
      const p = state[f];
      if (isJsonObject(p)) out.push({ machine: p, loc: at(loc, f) });
    }
  }
  return out;
}

/** The transitions leaving one state: Next, Choice rules and Default, Catch. */
export function stateEdges(state: JsonObject, loc: string): Edge[] {
  const edges: Edge[] = [];
  if (typeof state['Next'] === 'string') edges.push({ target: state['Next'], loc: at(loc, 'Next') });
  if (state['Type'] === 'Choice') edges.push(...choiceTargets(state, loc));
  const katch = state['Catch'];
  if (Array.isArray(katch)) {
    katch.forEach((k, i) => {
      if (isJsonObject(k) && typeof k['Next'] === 'string') edges.push({ target: k['Next'], loc: at(loc, 'Catch', i, 'Next') });
    });
  }
  return edges;
}

function isTerminal(state: JsonObject): boolean {
  return state['Type'] === 'Succeed' || state['Type'] === 'Fail' || state['End'] === true;
}

function statesOf(machine: JsonObject): [string, JsonObject][] {
  const states = machine['States'];
  if (!isJsonObject(states)) return [];
  return Object.entries(states).filter((e): e is [string, JsonObject] => isJsonObject(e[1]));
}

/** DUPLICATE_STATE_NAME: the first state to use a name keeps it; every later one is reported. */
export function checkUniqueNames(c: Collector, machine: JsonObject, loc: string, seen: Set<string> = new Set()): void {
  const states = statesOf(machine);
  for (const [name] of states) {
    if (seen.has(name)) c.error(Codes.DuplicateStateName, `Duplicate State name: ${name}`, at(loc, 'States', name));
    seen.add(name);
  }
  for (const [name, state] of states) {
    for (const sub of nestedMachines(state, at(loc, 'States', name))) checkUniqueNames(c, sub.machine, sub.loc, seen);
  }
}

/** Transitions, reachability and terminal states of one scope, then of every scope nested in it. */
export function checkTransitions(c: Collector, machine: JsonObject, loc: string): void {
  const states = statesOf(machine);
  const names = new Set(states.map(([n]) => n));
  const startAt = machine['StartAt'];
  const edges = new Map<string, Edge[]>(states.map(([n, s]) => [n, stateEdges(s, at(loc, 'States', n))]));

  if (typeof startAt === 'string' && !names.has(startAt)) c.error(Codes.MissingTransitionTarget, `Missing 'Next' target: ${startAt}`, at(loc, 'StartAt'));
  for (const list of edges.values()) {
    for (const e of list) if (!names.has(e.target)) c.error(Codes.MissingTransitionTarget, `Missing 'Next' target: ${e.target}`, e.loc);
  }

  if (!states.some(([, s]) => isTerminal(s))) {
    // AWS then leaves out the unreachable-state half (dangling targets above are still reported).
    c.error(Codes.MissingEndState, 'Workflow has no terminal state', loc === '' ? undefined : loc);
  } else {
    // AWS calls a state unreachable when nothing else names it, not after a walk from StartAt:
    // a state only named by an unreachable one is not reported.
    const named = new Set<string>(typeof startAt === 'string' ? [startAt] : []);
    for (const [from, list] of edges) for (const e of list) if (e.target !== from) named.add(e.target);
    for (const [n] of states) if (!named.has(n)) c.error(Codes.MissingTransitionTarget, `State "${n}" is not reachable.`, at(loc, 'States', n));
  }

  for (const [name, state] of states) {
    for (const sub of nestedMachines(state, at(loc, 'States', name))) checkTransitions(c, sub.machine, sub.loc);
  }
}
