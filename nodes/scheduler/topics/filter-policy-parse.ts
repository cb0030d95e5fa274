// Compiling an SNS subscription filter policy, checked the way Subscribe and
// SetSubscriptionAttributes check it. SNS's policy grammar and its error texts are those of
// EventBridge's matcher, aws/event-ruler (JsonRuleCompiler, CIDR, Range), in the version SNS runs:
// every message below whose source is not noted was recorded from AWS (LocalStack's snapshot
// tests/aws/services/sns/test_sns_filter_policy.snapshot.json) or is Ruler's own text. On top of
// Ruler, SNS adds its limits (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html)
// and supports fewer operators: no wildcard, and anything-but takes only a prefix object
// (AWS answers `{"anything-but": {"suffix": …}}` with "Unsupported anything-but pattern: suffix").
//
// The policy is compiled to disjunctive normal form: a list of conjuncts, each a map from the
// flattened (dot-joined) property name to its conditions. Ruler flattens names the same way, which
// is why AWS lets `{"a.b": […]}` match `{"a": {"b": …}}` and the reverse.
import { BlockList, isIP } from 'node:net';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

/** filter-policy-constraints.html: "The maximum size of a filter policy is 256 KB." */
export const MAX_POLICY_BYTES = 256 * 1024;
/** filter-policy-constraints.html: "A filter policy can have a maximum of five keys." */
export const MAX_KEYS = 5;
/** filter-policy-constraints.html: "The total combination of values … must not exceed 150." */
export const MAX_COMBINATIONS = 150;
/** filter-policy-constraints.html: numbers "can range from -10^9 to 10^9". */
export const NUMERIC_LIMIT = 1e9;
/** "… with five digits of accuracy after the decimal point": numbers compare at this scale. */
const NUMERIC_SCALE = 1e5;

/**
 * The text after "Invalid parameter: " is `reason`. AWS words the same error differently per call:
 * SetSubscriptionAttributes answers `message`; Subscribe, which validates its Attributes map,
 * answers `subscribeMessage` ("Invalid parameter: Attributes Reason: FilterPolicy: …", recorded).
 * AWS also appends Jackson's parse location ("\n at [Source: …; line: 1, column: N]") to grammar
 * errors; that position is Jackson's and is left out.
 */
export class FilterPolicyError extends Error {
  readonly code = 'InvalidParameter';
  constructor(readonly reason: string) {
    super(`Invalid parameter: ${reason}`);
    this.name = 'FilterPolicyError';
  }

  get subscribeMessage(): string {
    return `Invalid parameter: Attributes Reason: ${this.reason}`;
  }
}

function fail(text: string): never {
  throw new FilterPolicyError(`FilterPolicy: ${text}`);
}

export type { Bound } from '../event-filter-parse.js';
import { type Bound } from '../event-filter-parse.js';

export type Condition =
  | { readonly kind: 'exact'; readonly value: string | boolean | null }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'prefix' | 'suffix' | 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'anything-but'; readonly strings: ReadonlySet<string>; readonly numbers: ReadonlySet<number> }
  | { readonly kind: 'anything-but-prefix'; readonly value: string }
  | { readonly kind: 'numeric'; readonly lower?: Bound; readonly upper?: Bound }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'cidr'; readonly block: BlockList };

type Field = { readonly kind: 'rules'; readonly rules: readonly Condition[] } | { readonly kind: 'node'; readonly node: PolicyNode };

interface PolicyNode {
  readonly fields: ReadonlyArray<readonly [string, Field]>;
  readonly ors: readonly (readonly PolicyNode[])[];
}

export type Conjunct = ReadonlyMap<string, readonly Condition[]>;

export interface CompiledPolicy {
  readonly scope: FilterPolicyScope;
  /** One per way through the `$or`s; a message passes when any matches. Empty: no filtering. */
  readonly conjuncts: readonly Conjunct[];
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Scaled to the documented precision so that 300, 300.0 and 3.0e2 compare equal. */
export function comparable(n: number): number {
  return Math.round(n * NUMERIC_SCALE);
}

export function parseFilterPolicy(policyJson: string, scope: FilterPolicyScope): CompiledPolicy {
  if (Buffer.byteLength(policyJson, 'utf8') > MAX_POLICY_BYTES) {
    // AWS's wording for this limit is not published; this follows its style.
    fail(`Filter policy can not be larger than ${MAX_POLICY_BYTES} bytes`);
  }
  // An empty attribute value is how SetSubscriptionAttributes removes a policy.
  if (policyJson.trim() === '') return { scope, conjuncts: [] };
  let json: unknown;
  try {
    json = JSON.parse(policyJson);
  } catch (e) {
    // Jackson's parse messages cannot be reproduced; the prefix is AWS's.
    fail(`Filter policy is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(json)) fail('Filter is not an object');
  // "{}" removes a policy too ("Removing a subscription filter policy in Amazon SNS").
  if (Object.keys(json).length === 0) return { scope, conjuncts: [] };

  const state = { nested: false };
  const root = compileNode(json, state);
  if (scope === 'MessageAttributes' && state.nested) {
    // Recorded; checked after the grammar: AWS reports `{"key": {"suffix": "v"}}` in attribute
    // scope as '"suffix" must be an object or an array', not as nesting.
    throw new FilterPolicyError('Filter policy scope MessageAttributes does not support nested filter policy');
  }
  if (rootKeys(root, new Set()).size > MAX_KEYS) fail(`Filter policy can not have more than ${MAX_KEYS} keys`);
  if (combinations(root, 1) > MAX_COMBINATIONS) fail('Filter policy is too complex');
  return { scope, conjuncts: expand(root, '') };
}

// The key limit: attribute scope counts every attribute name; payload scope counts only top-level
// keys, nested ones are free (filter-policy-constraints.html, "Key counting in filter policies").
// Both are the names at the root, `$or` branches included; a name in several branches counts once.
function rootKeys(node: PolicyNode, into: Set<string>): Set<string> {
  for (const [name] of node.fields) into.add(name);
  for (const branches of node.ors) for (const b of branches) rootKeys(b, into);
  return into;
}

// filter-policy-constraints.html multiplies "the number of values in each array", and for nested
// payload keys by their nesting level ("four values in a three-level nested key, and … three values
// in a two-level nested key … 3 x 4 x 2 x 3 = 72"); `$or` branches add up. AWS rejects both
// policies of LocalStack's recorded test_policy_complexity_with_or (152 and 160 by this count) and
// accepts its 150.
function combinations(node: PolicyNode, depth: number): number {
  let total = 1;
  for (const [, field] of node.fields) {
    total *= field.kind === 'rules' ? field.rules.length * depth : combinations(field.node, depth + 1);
  }
  for (const branches of node.ors) total *= branches.reduce((sum, b) => sum + combinations(b, depth), 0);
  return total;
}

function expand(node: PolicyNode, prefix: string): Map<string, readonly Condition[]>[] {
  let conjuncts: Map<string, readonly Condition[]>[] = [new Map()];
  const cross = (alternatives: readonly Map<string, readonly Condition[]>[]): void => {
    conjuncts = conjuncts.flatMap((c) => alternatives.map((a) => new Map([...c, ...a])));
  };
  for (const [key, field] of node.fields) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (field.kind === 'rules') {
      for (const c of conjuncts) c.set(name, field.rules);
    } else {
      cross(expand(field.node, name));
    }
  }
  for (const branches of node.ors) cross(branches.flatMap((b) => expand(b, prefix)));
  return conjuncts;
}

// A branch may hold a `$or` of its own: AWS accepts LocalStack's recorded nested-`$or` policy.
const OPERATORS: ReadonlySet<string> = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard']);

// and-or-logic.html: SNS recognises `$or` only when it holds an array of at least two objects
// none of which uses a reserved keyword as a field name; otherwise "$or" is an ordinary name.
function orBranches(v: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(v) || v.length < 2) return undefined;
  const items: readonly unknown[] = v;
  const objects = items.filter(isPlainObject);
  if (objects.length !== items.length || objects.some((o) => Object.keys(o).some((k) => OPERATORS.has(k)))) return undefined;
  return objects;
}

function compileNode(obj: Record<string, unknown>, state: { nested: boolean }): PolicyNode {
  const entries = Object.entries(obj);
  if (entries.length === 0) fail('Empty objects are not allowed');
  const fields: [string, Field][] = [];
  const ors: PolicyNode[][] = [];
  for (const [key, value] of entries) {
    const branches = key === '$or' ? orBranches(value) : undefined;
    if (branches) {
      ors.push(branches.map((b) => compileNode(b, state)));
    } else if (Array.isArray(value)) {
      fields.push([key, { kind: 'rules', rules: compileRules(value) }]);
    } else if (isPlainObject(value)) {
      state.nested = true;
      fields.push([key, { kind: 'node', node: compileNode(value, state) }]);
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return { fields, ors };
}

function compileRules(values: readonly unknown[]): Condition[] {
  if (values.length === 0) fail('Empty arrays are not allowed');
  return values.map((v): Condition => {
    if (typeof v === 'string' || typeof v === 'boolean' || v === null) return { kind: 'exact', value: v };
    if (typeof v === 'number') return { kind: 'number', value: comparable(inRange(v)) };
    if (!isPlainObject(v)) fail('Match value must be String, number, true, false, or null');
    const [op, ...rest] = Object.keys(v);
    if (op === undefined) fail('Match expression name not found');
    const condition = compileOperator(op, v[op]);
    if (rest.length > 0) {
      // Ruler reports a second key after the first key's operand, and in these words for these two.
      fail(op === 'numeric' || op === 'anything-but' ? 'Too many elements in numeric expression' : 'Only one key allowed in match expression');
    }
    return condition;
  });
}

function compileOperator(op: string, arg: unknown): Condition {
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof arg !== 'string') fail(`${op} match pattern must be a string`);
      return { kind: op, value: arg };
    case 'exists':
      if (typeof arg !== 'boolean') fail('exists match pattern must be either true or false.');
      return { kind: 'exists', value: arg };
    case 'anything-but':
      return compileAnythingBut(arg);
    case 'numeric':
      if (!Array.isArray(arg)) fail('Value of numeric must be an array.');
      return compileNumeric(arg);
    case 'cidr':
      // Recorded from AWS: Ruler reuses prefix's message here.
      if (typeof arg !== 'string') fail('prefix match pattern must be a string');
      return { kind: 'cidr', block: compileCidr(arg) };
    default:
      return fail(`Unrecognized match type ${op}`);
  }
}

function inRange(n: number): number {
  // AWS's answer to an out-of-range number is not an InvalidParameter text (moto records an
  // InternalFailure for `[1000000001]`); this is Ruler's wording for its own bounds, with SNS's.
  if (!(Math.abs(n) <= NUMERIC_LIMIT)) fail('Value must be between -1.0E9 and 1.0E9, inclusive');
  return n;
}

function compileAnythingBut(arg: unknown): Condition {
  if (isPlainObject(arg)) {
    const [inner, ...rest] = Object.keys(arg);
    if (inner === undefined) fail('Anything-But expression name not found');
    if (inner !== 'prefix') fail(`Unsupported anything-but pattern: ${inner}`);
    const value = arg[inner];
    if (typeof value !== 'string') fail('prefix match pattern must be a string');
    if (rest.length > 0) fail('Too many elements in numeric expression');
    return { kind: 'anything-but-prefix', value };
  }
  if (typeof arg === 'string') return { kind: 'anything-but', strings: new Set([arg]), numbers: new Set() };
  if (typeof arg === 'number') return { kind: 'anything-but', strings: new Set(), numbers: new Set([comparable(inRange(arg))]) };
  if (!Array.isArray(arg)) fail('Value of anything-but must be an array or single string/number value.');
  const items: readonly unknown[] = arg;
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of items) {
    if (typeof item === 'string') strings.add(item);
    else if (typeof item === 'number') numbers.add(comparable(inRange(item)));
    else fail('Inside anything but list, start|null|boolean is not supported.');
  }
  if ((strings.size > 0) === (numbers.size > 0)) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return { kind: 'anything-but', strings, numbers };
}

/** How Jackson's getText() shows a token in Ruler's messages; `]` is the end of the array. */
function tokenText(v: unknown): string {
  if (v === undefined) return ']';
  if (Array.isArray(v)) return '[';
  if (isPlainObject(v)) return '{';
  return String(v);
}

function numericValue(v: unknown, op: string): number {
  if (typeof v !== 'number') fail(`Value of ${op === '=' ? 'equals' : op} must be numeric`);
  return inRange(v);
}

// Ruler's grammar: ["=", n] | ["<" | "<=", n] | [">" | ">=", n] | [">" | ">=", n, "<" | "<=", n].
function compileNumeric(spec: readonly unknown[]): Condition {
  const [op, first, upperOp, second] = spec;
  if (typeof op !== 'string') fail(`Invalid member in numeric match: ${tokenText(op)}`);
  if (op !== '=' && op !== '<' && op !== '<=' && op !== '>' && op !== '>=') fail(`Unrecognized numeric range operator: ${op}`);
  const value = numericValue(first, op);
  if (op === '>' || op === '>=') {
    const lower: Bound = { value: comparable(value), inclusive: op === '>=' };
    if (spec.length === 2) return { kind: 'numeric', lower };
    if (typeof upperOp !== 'string') fail(`Bad value in numeric range: ${tokenText(upperOp)}`);
    if (upperOp !== '<' && upperOp !== '<=') fail(`Bad numeric range operator: ${upperOp}`);
    const top = numericValue(second, upperOp);
    if (spec.length > 4) fail('Too many terms in numeric range expression');
    if (!(value < top)) fail('Bottom must be less than top');
    return { kind: 'numeric', lower, upper: { value: comparable(top), inclusive: upperOp === '<=' } };
  }
  if (spec.length > 2) fail('Too many elements in numeric expression');
  const bound: Bound = { value: comparable(value), inclusive: op !== '<' };
  if (op === '=') return { kind: 'numeric', lower: bound, upper: bound };
  return { kind: 'numeric', upper: bound };
}

// Ruler's CIDR.cidr, messages included. Its mask checks are strict: a /32 (IPv4) or /128 (IPv6)
// is rejected ("IPv4 mask bits must be < 32"); an exact address is matched with a plain string.
function compileCidr(text: string): BlockList {
  const parts = text.split('/');
  // Java's String.split drops trailing empty strings: "10.0.0.0/" has one part.
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const [address, bits] = parts;
  if (parts.length !== 2 || address === undefined || bits === undefined) fail("Malformed CIDR, one '/' required");
  const mask = /^[+-]?\d{1,10}$/.test(bits) ? Number(bits) : NaN;
  if (!Number.isInteger(mask) || Math.abs(mask) > 2 ** 31 - 1) fail('Malformed CIDR, mask bits must be an integer');
  if (mask < 0) fail('Malformed CIDR, mask bits must not be negative');
  const family = isIP(address);
  if (family === 0) fail(`Nonstandard IP address: ${address}`);
  if (family === 4 && mask > 31) fail('IPv4 mask bits must be < 32');
  if (family === 6 && mask > 127) fail('IPv6 mask bits must be < 128');
  const block = new BlockList();
  block.addSubnet(address, mask, family === 4 ? 'ipv4' : 'ipv6');
  return block;
}
