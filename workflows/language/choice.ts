// JSONPath-mode Choice rules: `Variable` + one comparator, or And/Or/Not over nested rules.
// AWS semantics: a comparator applied to a value of the wrong type is simply false; a Variable
// (or a ...Path operand) that points at nothing is a States.Runtime error, except for IsPresent.
import { type Json, isJsonObject } from './json.js';
import { StatesError, States } from './errors.js';
import type { ChoiceRule } from './definition.js';
import { type PathEnv, readPath } from './path-env.js';
import { parseTimestamp, compareTimestamps } from './timestamp.js';

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
type Relation = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';

const COMPARATOR = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/;
const TYPE_TESTS = new Set(['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp']);

function invalidPath(path: string): StatesError {
  return new StatesError(States.Runtime, `Invalid path '${path}': The choice state's condition path references an invalid value.`);
}

function lookup(path: string, input: Json, env: PathEnv): { present: true; value: Json } | { present: false } {
  const r = readPath(path, input, env);
  return r.found ? { present: true, value: r.value } : { present: false };
}

function holds(order: number, relation: Relation): boolean {
  switch (relation) {
    case 'Equals':
      return order === 0;
    case 'LessThan':
      return order < 0;
    case 'GreaterThan':
      return order > 0;
    case 'LessThanEquals':
      return order <= 0;
    case 'GreaterThanEquals':
      return order >= 0;
  }
}

/** StringMatches: `*` matches any run of characters; `\*` is a literal star, `\\` a backslash. */
export function stringMatches(value: string, pattern: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      re += '\\' + pattern[++i];
    } else if (ch === '*') re += '.*';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(value);
}

function compareValues(kind: Kind, relation: Relation | 'Matches', left: Json, right: Json): boolean {
  switch (kind) {
    case 'String':
      if (typeof left !== 'string' || typeof right !== 'string') return false;
      if (relation === 'Matches') return stringMatches(left, right);
      // Ordering by UTF-16 code units, as Java's String.compareTo does.
      return holds(left < right ? -1 : left > right ? 1 : 0, relation);
    case 'Numeric':
      if (typeof left !== 'number' || typeof right !== 'number' || relation === 'Matches') return false;
      return holds(left < right ? -1 : left > right ? 1 : 0, relation);
    case 'Boolean':
      if (typeof left !== 'boolean' || typeof right !== 'boolean' || relation !== 'Equals') return false;
      return left === right;
    case 'Timestamp': {
      if (relation === 'Matches') return false;
      const a = typeof left === 'string' ? parseTimestamp(left) : undefined;
      const b = typeof right === 'string' ? parseTimestamp(right) : undefined;
      if (!a || !b) return false;
      return holds(compareTimestamps(a, b), relation);
    }
  }
}

function typeTest(test: string, value: Json): boolean {
  switch (test) {
    case 'IsNull':
      return value === null;
    case 'IsNumeric':
      return typeof value === 'number';
    case 'IsString':
      return typeof value === 'string';
    case 'IsBoolean':
      return typeof value === 'boolean';
    case 'IsTimestamp':
      return typeof value === 'string' && parseTimestamp(value) !== undefined;
    default:
      return false;
  }
}

function nestedRule(v: Json | undefined, where: string): ChoiceRule {
  if (!isJsonObject(v)) throw new StatesError(States.Runtime, `${where} must hold a choice rule object`);
  return v as ChoiceRule;
}

/** Evaluates one JSONPath-mode rule (a top-level Choices entry or a nested one) against the state input. */
export function evaluateChoiceRule(rule: ChoiceRule, input: Json, env: PathEnv): boolean {
  if ('And' in rule || 'Or' in rule) {
    const isAnd = 'And' in rule;
    const list = isAnd ? rule.And : rule.Or;
    if (!Array.isArray(list)) throw new StatesError(States.Runtime, `${isAnd ? 'And' : 'Or'} must hold an array of choice rules`);
    const rules = list.map((r) => nestedRule(r, isAnd ? 'And' : 'Or'));
    return isAnd ? rules.every((r) => evaluateChoiceRule(r, input, env)) : rules.some((r) => evaluateChoiceRule(r, input, env));
  }
  if ('Not' in rule) return !evaluateChoiceRule(nestedRule(rule.Not, 'Not'), input, env);

  const variable = rule.Variable;
  if (typeof variable !== 'string') throw new StatesError(States.Runtime, 'A choice rule needs a Variable or And/Or/Not');
  const operator = Object.keys(rule).find((k) => COMPARATOR.test(k) || TYPE_TESTS.has(k));
  if (operator === undefined) throw new StatesError(States.Runtime, `The choice rule on '${variable}' has no comparison operator`);
  const expected = rule[operator] as Json;

  const found = lookup(variable, input, env);
  if (operator === 'IsPresent') return found.present === expected;
  if (!found.present) throw invalidPath(variable);
  if (TYPE_TESTS.has(operator)) return typeTest(operator, found.value) === expected;

  const m = COMPARATOR.exec(operator) as RegExpExecArray;
  const kind = m[1] as Kind;
  const relation = m[2] as Relation | 'Matches';
  let right: Json = expected;
  if (m[3] === 'Path') {
    if (typeof expected !== 'string') throw new StatesError(States.Runtime, `${operator} must hold a path`);
    const other = lookup(expected, input, env);
    if (!other.present) throw invalidPath(expected);
    right = other.value;
  }
  return compareValues(kind, relation, found.value, right);
}
