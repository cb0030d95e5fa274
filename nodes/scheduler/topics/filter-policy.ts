// SNS subscription filtering: whether a published message reaches a subscription. Policies are
// compiled by filter-policy-parse.ts; this file decides matches the way SNS's engine (aws/event-ruler)
// does: the conjuncts of a policy are OR'd, the properties of a conjunct AND'd, a property's
// conditions OR'd, and a property holding an array matches when any element does.
//
// Names are flattened with dots on both sides, so a policy name is compared with the dot-joined path
// of each payload value. Like Ruler, the matcher is array-consistent: the values that satisfy the
// properties of one conjunct must not come from different elements of the same payload array
// (AWS's own example: `{"Records": {"eventName": […], "s3": {…}}}` must be satisfied by one record).
import { isIP } from 'node:net';
import { inRange } from '../event-filter.js';
import { type CompiledPolicy, type Condition, type Conjunct, type FilterPolicyScope, NUMERIC_LIMIT, comparable, isPlainObject, parseFilterPolicy } from './filter-policy-parse.js';

export { type FilterPolicyScope, FilterPolicyError, MAX_COMBINATIONS, MAX_KEYS, MAX_POLICY_BYTES, NUMERIC_LIMIT } from './filter-policy-parse.js';

/** An SNS message attribute as Publish receives it. DataType is 'String', 'Number', 'Binary' or 'String.Array', optionally with a custom suffix ('String.foo', 'Number.int'). */
export interface SnsAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface FilterInput {
  attributes: Record<string, SnsAttributeValue>;
  body: string;
}

export interface FilterPolicy {
  readonly scope: FilterPolicyScope;
  matches(input: FilterInput): boolean;
}

/** Validates and compiles; throws FilterPolicyError with AWS's wording for every invalid policy. */
export function compileFilterPolicy(policyJson: string, scope: FilterPolicyScope): FilterPolicy {
  const compiled = parseFilterPolicy(policyJson, scope);
  const prepared = compiled.conjuncts.map(prepare);
  return { scope, matches: (input) => matchesPolicy(compiled, prepared, input) };
}

type Leaf = string | number | boolean | null;

interface Prepared {
  readonly conjunct: Conjunct;
  readonly names: ReadonlySet<string>;
  /** Dot-joined names that lead to a field: subtrees elsewhere cannot matter. */
  readonly prefixes: ReadonlySet<string>;
}

function prepare(conjunct: Conjunct): Prepared {
  const names = new Set(conjunct.keys());
  const prefixes = new Set<string>();
  for (const name of names) {
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) prefixes.add(name.slice(0, i));
  }
  return { conjunct, names, prefixes };
}

function matchesPolicy(policy: CompiledPolicy, prepared: readonly Prepared[], input: FilterInput): boolean {
  if (prepared.length === 0) return true;
  const payload = policy.scope === 'MessageAttributes' ? attributeView(input.attributes) : bodyView(input.body);
  if (payload === undefined) return false;
  return prepared.some((c) => matchConjunct(c, payload));
}

/**
 * The attributes as a flat payload: String (and String.*) a string, Number (and Number.*) a number,
 * String.Array its JSON array. Binary attributes are left out ("Amazon SNS ignores message
 * attributes with the Binary data type"). Undefined when nothing is left: key-matching.html notes
 * that "exists": false "only matches if at least one attribute is present".
 */
function attributeView(attributes: Readonly<Record<string, SnsAttributeValue>>): Map<string, unknown> | undefined {
  const view = new Map<string, unknown>();
  for (const [name, attr] of Object.entries(attributes)) {
    const value = attributeValue(attr);
    if (value !== undefined) view.set(name, value);
  }
  return view.size > 0 ? view : undefined;
}

function attributeValue(attr: SnsAttributeValue): unknown {
  const text = attr.StringValue;
  const base = attr.DataType.split('.')[0];
  if (text === undefined || (base !== 'String' && base !== 'Number')) return undefined;
  if (attr.DataType === 'String.Array') {
    try {
      const items: unknown = JSON.parse(text);
      // Elements that are objects or arrays never match: attribute filtering is not nested.
      return Array.isArray(items) ? items.filter((i) => !isPlainObject(i) && !Array.isArray(i)) : undefined;
    } catch {
      return undefined;
    }
  }
  if (base === 'String') return text;
  // Publish has already checked the number; one that does not parse is left a string.
  const n = Number(text);
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) && Number.isFinite(n) ? n : text;
}

/** Payload filtering assumes "a well-formed JSON object"; any other body matches nothing. */
function bodyView(body: string): Map<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(body);
    return isPlainObject(json) ? new Map(Object.entries(json)) : undefined;
  } catch {
    return undefined;
  }
}

interface Search {
  /** Field name to its bit in the masks below, and its conditions. */
  readonly fields: ReadonlyMap<string, { readonly bit: number; readonly rules: readonly Condition[] }>;
  readonly prefixes: ReadonlySet<string>;
}

function matchConjunct({ conjunct, names, prefixes }: Prepared, payload: ReadonlyMap<string, unknown>): boolean {
  const present = new Set<string>();
  for (const [key, value] of payload) collectPresent(value, key, names, prefixes, present);

  // A property satisfied by its absence needs no value; absence is judged over the whole payload,
  // as Ruler judges it, not within an array element.
  const fields = [...conjunct].filter(([name, rules]) => present.has(name) || !rules.some((r) => r.kind === 'exists' && !r.value));
  if (fields.length === 0) return true;
  const search: Search = { fields: new Map(fields.map(([name, rules], i) => [name, { bit: 1 << i, rules }])), prefixes };
  const full = (1 << fields.length) - 1;
  let reachable = new Set([0]);
  for (const [key, value] of payload) {
    reachable = combine(reachable, masks(value, key, search));
    if (reachable.has(full)) return true;
  }
  return false;
}

/** The names that carry a value key-matching.html counts: "non-null and non-empty". */
function collectPresent(value: unknown, name: string, names: ReadonlySet<string>, prefixes: ReadonlySet<string>, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectPresent(v, name, names, prefixes, into);
  } else if (isPlainObject(value)) {
    if (!prefixes.has(name)) return;
    for (const [k, v] of Object.entries(value)) collectPresent(v, `${name}.${k}`, names, prefixes, into);
  } else if (names.has(name) && value !== null && value !== '') {
    into.add(name);
  }
}

/**
 * The sets of fields that values under `value` can satisfy together, as bitmasks. Members of an
 * object combine freely; elements of an array are alternatives, which is what keeps one conjunct
 * from drawing on two elements of the same array.
 */
function masks(value: unknown, name: string, search: Search): Set<number> {
  if (Array.isArray(value)) {
    const union = new Set<number>([0]);
    for (const v of value) for (const m of masks(v, name, search)) union.add(m);
    return union;
  }
  if (isPlainObject(value)) {
    let combined = new Set([0]);
    if (!search.prefixes.has(name)) return combined;
    for (const [k, v] of Object.entries(value)) combined = combine(combined, masks(v, `${name}.${k}`, search));
    return combined;
  }
  const field = search.fields.get(name);
  if (field === undefined || !isLeaf(value)) return new Set([0]);
  return field.rules.some((r) => matchesValue(r, value)) ? new Set([0, field.bit]) : new Set([0]);
}

function isLeaf(v: unknown): v is Leaf {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function combine(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  if (b.size === 1 && b.has(0)) return new Set(a);
  const out = new Set<number>();
  for (const x of a) for (const y of b) out.add(x | y);
  return out;
}

function matchesValue(rule: Condition, v: Leaf): boolean {
  switch (rule.kind) {
    case 'exists':
      // `exists: false` is settled by absence before values are looked at.
      return rule.value && v !== null && v !== '';
    case 'exact':
      // A string never matches a number ("5" vs 5), nor true the string "true".
      return v === rule.value;
    case 'number':
      return typeof v === 'number' && Math.abs(v) <= NUMERIC_LIMIT && comparable(v) === rule.value;
    case 'prefix':
      return typeof v === 'string' && v.startsWith(rule.value);
    case 'suffix':
      return typeof v === 'string' && v.endsWith(rule.value);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === rule.value.toLowerCase();
    case 'anything-but':
      // Any present value not listed matches, whatever its type; numbers compare numerically.
      if (typeof v === 'string') return !rule.strings.has(v);
      if (typeof v === 'number') return Math.abs(v) > NUMERIC_LIMIT || !rule.numbers.has(comparable(v));
      return true;
    case 'anything-but-prefix':
      // What's New, 2021-04-26: "whose string value doesn't start with the given prefix".
      return typeof v === 'string' && !v.startsWith(rule.value);
    case 'numeric':
      return typeof v === 'number' && Math.abs(v) <= NUMERIC_LIMIT && inRange(comparable(v), rule.lower, rule.upper);
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const family = isIP(v);
      return family !== 0 && rule.block.check(v, family === 4 ? 'ipv4' : 'ipv6');
    }
  }
}

