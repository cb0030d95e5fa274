// Choice rules. JSONPath rules are a tree: a top-level rule names its Next and holds one
// comparison (Variable plus one comparator) or one And/Or/Not; nested rules carry no Next.
// JSONata rules are flat: a Condition and a Next.
import { isJsonObject, type JsonObject } from './json.js';
import { at, Codes, isJsonataString, type Collector, type StateScope } from './validate-context.js';
import { COMPARATORS, TIMESTAMP } from './validate-fields.js';
import { checkAssign, checkJsonataStrings, checkReferencePathField } from './validate-paths.js';

const COMBINATORS = ['And', 'Or', 'Not', 'Variable', 'Condition'];
/** Deeper And/Or/Not trees than this are refused rather than walked without bound. */
const MAX_RULE_DEPTH = 64;

function onlyJsonPath(c: Collector, field: string, loc: string): void {
  c.schema(`The QueryLanguage is set to 'JSONata', but field '${field}' is only supported for the 'JSONPath' QueryLanguage`, loc);
}

function onlyJsonata(c: Collector, field: string, loc: string): void {
  c.schema(`The QueryLanguage is set to 'JSONPath', but field '${field}' is only supported for the 'JSONata' QueryLanguage`, loc);
}

function checkOperand(c: Collector, kind: (typeof COMPARATORS)[string], v: unknown, loc: string): void {
  switch (kind) {
    case 'string':
      c.string(v, loc);
      return;
    case 'number':
      c.number(v, loc, -Infinity);
      return;
    case 'boolean':
      c.boolean(v, loc);
      return;
    case 'timestamp':
      if (c.string(v, loc) && !TIMESTAMP.test(v)) c.schema('String does not match RFC3339 timestamp', loc);
      return;
    case 'path':
      checkReferencePathField(c, v, loc, { context: true, variables: true });
      return;
  }
}

function checkJsonPathRule(c: Collector, rule: JsonObject, loc: string, top: boolean, depth: number): void {
  if (depth > MAX_RULE_DEPTH) {
    c.error(Codes.TooDeeplyNested, 'The states are too deeply nested', loc);
    return;
  }
  const comparators = Object.keys(rule).filter((k) => k in COMPARATORS);
  const allowed = new Set([...COMBINATORS, ...comparators, 'Comment', ...(top ? ['Next', 'Assign'] : [])]);
  for (const k of Object.keys(rule)) {
    if (k === 'Condition' || k === 'Output') onlyJsonata(c, k, loc);
    else if (!allowed.has(k)) c.schema(`Field '${k}' is not supported`, loc);
  }
  const kinds = COMBINATORS.filter((k) => k in rule && k !== 'Condition');
  if (kinds.length !== 1) {
    if (!('Condition' in rule)) c.schema(`The object must have only one of the following fields, [${COMBINATORS.join(', ')}]`, loc);
  } else if (kinds[0] === 'Variable') {
    checkReferencePathField(c, rule['Variable'], at(loc, 'Variable'), { context: true, variables: true });
    if (comparators.length !== 1) c.schema(`There should only be one of the following fields: [${Object.keys(COMPARATORS).join(', ')}]`, loc);
    for (const k of comparators) checkOperand(c, COMPARATORS[k] ?? 'string', rule[k], at(loc, k));
  } else {
    if (comparators.length > 0) c.schema(`Field '${comparators[0]}' is not supported`, loc);
    const kind = kinds[0] ?? 'Not';
    const inner = rule[kind];
    const here = at(loc, kind);
    if (kind === 'Not') {
      if (c.object(inner, here)) checkJsonPathRule(c, inner, here, false, depth + 1);
    } else if (c.nonEmptyArray(inner, here)) {
      inner.forEach((r, i) => {
        if (c.object(r, at(here, i))) checkJsonPathRule(c, r, at(here, i), false, depth + 1);
      });
    }
  }
  if (top) {
    if (c.required(rule, ['Next'], loc)) c.nonEmptyString(rule['Next'], at(loc, 'Next'));
    if ('Assign' in rule) checkAssign(c, rule['Assign'], at(loc, 'Assign'), 'JSONPath');
  }
  if ('Comment' in rule) c.string(rule['Comment'], at(loc, 'Comment'));
}

function checkJsonataRule(c: Collector, rule: JsonObject, loc: string): void {
  for (const k of Object.keys(rule)) {
    if (k === 'Variable' || k === 'And' || k === 'Or' || k === 'Not' || k in COMPARATORS) onlyJsonPath(c, k, loc);
    else if (!['Condition', 'Next', 'Comment', 'Output', 'Assign'].includes(k)) c.schema(`Field '${k}' is not supported`, loc);
  }
  c.required(rule, ['Condition', 'Next'], loc);
  const cond = rule['Condition'];
  if ('Condition' in rule && typeof cond !== 'boolean' && !isJsonataString(cond)) {
    c.schema('JSONata string must start with {% and end with %}', at(loc, 'Condition'));
  }
  if ('Next' in rule) c.nonEmptyString(rule['Next'], at(loc, 'Next'));
  if ('Output' in rule) checkJsonataStrings(c, rule['Output'], at(loc, 'Output'));
  if ('Assign' in rule) checkAssign(c, rule['Assign'], at(loc, 'Assign'), 'JSONata');
  if ('Comment' in rule) c.string(rule['Comment'], at(loc, 'Comment'));
}

export function checkChoices(c: Collector, state: JsonObject, scope: StateScope): void {
  const loc = at(scope.loc, 'Choices');
  const choices = state['Choices'];
  if (!c.nonEmptyArray(choices, loc)) return;
  choices.forEach((rule, i) => {
    const here = at(loc, i);
    if (!c.object(rule, here)) return;
    if (scope.language === 'JSONata') checkJsonataRule(c, rule, here);
    else checkJsonPathRule(c, rule, here, true, 0);
  });
  if ('Default' in state) c.nonEmptyString(state['Default'], at(scope.loc, 'Default'));
}

/** Every state a Choice may go to, with where it is named (for the transition checks). */
export function choiceTargets(state: JsonObject, loc: string): { target: string; loc: string }[] {
  const out: { target: string; loc: string }[] = [];
  const choices = state['Choices'];
  if (Array.isArray(choices)) {
    choices.forEach((rule, i) => {
      if (isJsonObject(rule) && typeof rule['Next'] === 'string') out.push({ target: rule['Next'], loc: at(loc, 'Choices', i, 'Next') });
    });
  }
  if (typeof state['Default'] === 'string') out.push({ target: state['Default'], loc: at(loc, 'Default') });
  return out;
}
