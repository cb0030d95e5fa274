// Amazon States Language validation with AWS's diagnostics: what ValidateStateMachineDefinition
// returns, and what CreateStateMachine/UpdateStateMachine wrap into InvalidDefinition. Shape
// errors come first; the graph checks (targets, reachability, terminal states, unique names)
// only run on a definition whose shape is right, since they read Next/Type/Branches as typed.
import { type State, type StateMachineDefinition } from './definition.js';
import { isJsonObject } from './json.js';
import { Codes, Collector, type Diagnostic } from './validate-context.js';
import { checkTransitions, checkUniqueNames, nestedMachines } from './validate-graph.js';
import { checkMachine } from './validate-machine.js';
import { checkState, ownLanguage } from './validate-state.js';

export { type Diagnostic } from './validate-context.js';

export type Validation = { ok: true; definition: StateMachineDefinition; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** The API model caps `definition` at 1,048,576 characters. */
export const MAX_DEFINITION_LENGTH = 1_048_576;

type Parsed = { ok: true; value: unknown } | { ok: false; diagnostics: Diagnostic[] };

function parse(text: string): Parsed {
  if (text.trim() === '') {
    return { ok: false, diagnostics: [{ severity: 'ERROR', code: Codes.MissingDescription, message: 'Received a null or empty workflow input.' }] };
  }
  if (text.length > MAX_DEFINITION_LENGTH) {
    const message = `Definition exceeds the maximum length of ${MAX_DEFINITION_LENGTH} characters.`;
    return { ok: false, diagnostics: [{ severity: 'ERROR', code: Codes.Schema, message }] };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, diagnostics: [{ severity: 'ERROR', code: Codes.InvalidJson, message }] };
  }
}

function outcome<T>(c: Collector, ok: (diagnostics: Diagnostic[]) => T): T | { ok: false; diagnostics: Diagnostic[] } {
  return c.errorCount > 0 ? { ok: false, diagnostics: c.diagnostics } : ok(c.diagnostics);
}

export function validateDefinition(text: string, opts?: { type?: 'STANDARD' | 'EXPRESS' }): Validation {
  const parsed = parse(text);
  if (!parsed.ok) return parsed;
  const c = new Collector(opts?.type);
  const root = parsed.value;
  if (!isJsonObject(root)) {
    c.schema('Expected value of type Object', '');
    return { ok: false, diagnostics: c.diagnostics };
  }
  const q = root['QueryLanguage'];
  const machineLanguage = q === undefined ? undefined : q === 'JSONPath' ? 'JSONPath' : 'JSONata';
  checkMachine(c, root, '', 'root', machineLanguage, 0);
  if (c.errorCount === 0) {
    checkUniqueNames(c, root, '');
    checkTransitions(c, root, '');
  }
  // The checks above established every field the engine reads has the type these declare.
  return outcome(c, (diagnostics) => ({ ok: true, definition: root as unknown as StateMachineDefinition, diagnostics }));
}

/** TestState: one state on its own; its Next may name a state that does not exist. */
export function validateStateDefinition(text: string): { ok: true; state: State } | { ok: false; diagnostics: Diagnostic[] } {
  const parsed = parse(text);
  if (!parsed.ok) return parsed;
  const c = new Collector(undefined);
  const state = parsed.value;
  if (!isJsonObject(state)) {
    c.schema('Expected value of type Object', '');
    return { ok: false, diagnostics: c.diagnostics };
  }
  const language = ownLanguage(state, undefined);
  const sub = (m: unknown, loc: string, kind: 'branch' | 'processor'): void => checkMachine(c, m, loc, kind, undefined, 1);
  checkState(c, state, { loc: '', language, machineLanguage: undefined, depth: 0 }, sub);
  if (c.errorCount === 0) {
    const seen = new Set<string>();
    for (const m of nestedMachines(state, '')) checkUniqueNames(c, m.machine, m.loc, seen);
    for (const m of nestedMachines(state, '')) checkTransitions(c, m.machine, m.loc);
  }
  // As above: the state's fields were checked against the types State declares.
  return outcome(c, () => ({ ok: true, state: state as unknown as State }));
}

/**
 * InvalidDefinition's message as CreateStateMachine words it, e.g.
 * `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'`.
 * AWS prints a diagnostic without a location as `at null`.
 */
export function invalidDefinitionMessage(diagnostics: Diagnostic[]): string {
  const parts = diagnostics.filter((d) => d.severity === 'ERROR').map((d) => `${d.code}: ${d.message} at ${d.location ?? 'null'}`);
  return `Invalid State Machine Definition: '${parts.join(', ')}'`;
}
