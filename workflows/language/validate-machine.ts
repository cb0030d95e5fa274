// The shape of a state machine and of the machines nested in it (Parallel branches, Map
// processors): StartAt, States, and each state in turn. Nested states inherit the language of
// the whole machine, not of the Map or Parallel that holds them (AWS measures it so).
import { type QueryLanguage } from './definition.js';
import { isJsonObject } from './json.js';
import { at, Codes, type Collector } from './validate-context.js';
import { BRANCH_FIELDS, MAX_SECONDS, MAX_STATE_NAME_LENGTH, PROCESSOR_FIELDS, TOP_LEVEL_FIELDS } from './validate-fields.js';
import { checkState, ownLanguage, type SubCheck } from './validate-state.js';

/** Map/Parallel nesting deeper than this is refused (TOO_DEEPLY_NESTED) and keeps recursion bounded. */
export const MAX_NESTING = 40;

export type MachineKind = 'root' | 'branch' | 'processor';

function checkProcessorConfig(c: Collector, v: unknown, loc: string): void {
  if (!c.object(v, loc)) return;
  c.onlyFields(v, new Set(['Mode', 'ExecutionType']), loc);
  const mode = v['Mode'] ?? 'INLINE';
  if ('Mode' in v) c.enumeration(v['Mode'], ['INLINE', 'DISTRIBUTED'], at(loc, 'Mode'));
  if ('ExecutionType' in v) {
    if (mode === 'INLINE') c.schema("Field 'ExecutionType' is not supported", loc);
    else c.enumeration(v['ExecutionType'], ['STANDARD', 'EXPRESS'], at(loc, 'ExecutionType'));
  } else if (mode === 'DISTRIBUTED') {
    c.schema('These fields are required: [ExecutionType]', loc);
  }
}

function checkStateName(c: Collector, name: string, loc: string): void {
  if (name.length === 0) c.error(Codes.InvalidStateName, 'State name cannot be empty', loc);
  else if ([...name].length > MAX_STATE_NAME_LENGTH) c.error(Codes.InvalidStateName, `State name '${name}' exceeds the maximum length of ${MAX_STATE_NAME_LENGTH} characters`, loc);
}

/** Checks a machine's own fields and every state in it; `machineLanguage` is the root's declared one. */
export function checkMachine(c: Collector, v: unknown, loc: string, kind: MachineKind, machineLanguage: QueryLanguage | undefined, depth: number): void {
  if (!c.object(v, loc)) return;
  if (depth > MAX_NESTING) {
    c.error(Codes.TooDeeplyNested, 'The states are too deeply nested', loc);
    return;
  }
  c.onlyFields(v, kind === 'root' ? TOP_LEVEL_FIELDS : kind === 'branch' ? BRANCH_FIELDS : PROCESSOR_FIELDS, loc);
  if (kind !== 'processor' && 'QueryLanguage' in v) c.enumeration(v['QueryLanguage'], ['JSONPath', 'JSONata'], at(loc, 'QueryLanguage'));
  if (kind === 'root') {
    if ('Version' in v) c.enumeration(v['Version'], ['1.0'], at(loc, 'Version'));
    // A machine-wide TimeoutSeconds of 0 is accepted by AWS (a state's is not).
    if ('TimeoutSeconds' in v) c.integer(v['TimeoutSeconds'], at(loc, 'TimeoutSeconds'), 0, MAX_SECONDS);
  }
  if (kind === 'processor' && 'ProcessorConfig' in v) checkProcessorConfig(c, v['ProcessorConfig'], at(loc, 'ProcessorConfig'));
  if ('Comment' in v) c.string(v['Comment'], at(loc, 'Comment'));
  c.required(v, ['StartAt', 'States'], loc);
  if ('StartAt' in v) c.nonEmptyString(v['StartAt'], at(loc, 'StartAt'));
  if (!('States' in v)) return;
  const states = v['States'];
  const sloc = at(loc, 'States');
  if (!c.object(states, sloc)) return;
  const sub: SubCheck = (m, mloc, mkind) => checkMachine(c, m, mloc, mkind, machineLanguage, depth + 1);
  for (const [name, state] of Object.entries(states)) {
    const here = at(sloc, name);
    checkStateName(c, name, here);
    const own = isJsonObject(state) ? ownLanguage(state, machineLanguage) : machineLanguage ?? 'JSONPath';
    checkState(c, state, { loc: here, language: own, machineLanguage, depth }, sub);
  }
}
