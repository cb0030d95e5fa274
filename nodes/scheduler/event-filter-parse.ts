// Compiling an event source mapping's FilterCriteria, checked the way CreateEventSourceMapping and
// UpdateEventSourceMapping check it. Lambda says its filter rules use EventBridge's pattern language
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax);
// the grammar enforced here is EventBridge's open-source matcher, aws/event-ruler
// (JsonRuleCompiler), cut down to the operators EventBridge's operator table marks as supported by
// Pipes, which "operate generally the same way" as Lambda ESM
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html).
// Patterns are compiled once, here, so that a poller never meets a malformed one: Lambda deletes
// (SQS) or checkpoints past (streams) every record no filter accepts, so a pattern that could never
// match would silently throw the whole source away.
import { BlockList, isIP } from 'node:net';
import { AwsError } from '../gateway/errors.js';

/** Lambda's default quota; adjustable up to 10 on AWS (invocation-eventfiltering.html). */
export const MAX_FILTERS = 5;
/** com.amazonaws.lambda#Pattern: `smithy.api#length` max 4096 (aws-sdk-js-v3 aws-models/lambda.json). */
export const MAX_PATTERN_LENGTH = 4096;
/** Ruler's ComparableNumber bounds: numeric operands outside them are rejected, event numbers never match. */
export const NUMERIC_LIMIT = 5e9;

/** AWS answers every malformed pattern with this one message, whatever is wrong with it. */
export const INVALID_PATTERN = 'Invalid filter pattern definition.';

export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

export type Rule =
  | { readonly kind: 'exact'; readonly value: string | number | boolean | null }
  | { readonly kind: 'prefix' | 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'anything-but'; readonly values: ReadonlySet<string | number> }
  | { readonly kind: 'numeric'; readonly lower?: Bound; readonly upper?: Bound }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'cidr'; readonly block: BlockList };

export type Field = { readonly kind: 'rules'; readonly rules: readonly Rule[] } | { readonly kind: 'node'; readonly node: PatternNode };

/** One object level of a pattern: every field must match (AND), and one branch of each `$or`. */
export interface PatternNode {
  readonly fields: ReadonlyMap<string, Field>;
  readonly ors: readonly (readonly PatternNode[])[];
}

export interface CompiledFilters {
  /** One per filter; a record passes when any matches. Empty: no filtering. */
  readonly patterns: readonly PatternNode[];
  /** The Pattern strings as given, for GetEventSourceMapping to echo back. */
  readonly sources: readonly string[];
}

/** Which key of the record holds the message itself. */
export const DATA_KEYS = { sqs: 'body', kinesis: 'data', dynamodb: 'dynamodb' } as const;
export type EventSourceKind = keyof typeof DATA_KEYS;

export interface ParseOptions {
  /**
   * Enables the source's creation-time rule: for Kinesis and DynamoDB a pattern on the data key
   * must be JSON (an object), else Lambda "throws an exception at the time of the event source
   * mapping creation or update" (invocation-eventfiltering.html, "Properly filtering Kinesis and
   * DynamoDB messages"). SQS accepts both shapes.
   */
  source?: EventSourceKind;
}

function invalid(): never {
  throw new AwsError('InvalidParameterValueException', INVALID_PATTERN);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseFilterCriteria(criteria: unknown, options: ParseOptions = {}): CompiledFilters {
  // UpdateEventSourceMapping with `{}` is how AWS removes a mapping's filters.
  if (criteria === undefined || criteria === null) return { patterns: [], sources: [] };
  if (!isPlainObject(criteria)) invalid();
  const filters = criteria['Filters'];
  if (filters === undefined || filters === null) return { patterns: [], sources: [] };
  if (!Array.isArray(filters)) invalid();
  const list: readonly unknown[] = filters;
  if (list.length > MAX_FILTERS) {
    // AWS's wording for the quota error is not published; this follows its style.
    throw new AwsError('InvalidParameterValueException', `The number of filters in FilterCriteria (${list.length}) exceeds the quota of ${MAX_FILTERS} filters per event source mapping.`);
  }
  const patterns: PatternNode[] = [];
  const sources: string[] = [];
  list.forEach((filter, i) => {
    if (!isPlainObject(filter)) invalid();
    const text = filter['Pattern'];
    if (typeof text !== 'string') invalid();
    if (text.length > MAX_PATTERN_LENGTH) {
      // A model constraint: AWS's front rejects it before Lambda sees it, hence not
      // InvalidParameterValueException.
      throw new AwsError('ValidationException', `1 validation error detected: Value '${text}' at 'filterCriteria.filters.${i + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PATTERN_LENGTH}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      invalid();
    }
    const node = compileNode(json);
    const source = options.source;
    if ((source === 'kinesis' || source === 'dynamodb') && hasLeafRulesFor(node, DATA_KEYS[source])) invalid();
    patterns.push(node);
    sources.push(text);
  });
  return { patterns, sources };
}

function hasLeafRulesFor(node: PatternNode, key: string): boolean {
  if (node.fields.get(key)?.kind === 'rules') return true;
  return node.ors.some((branches) => branches.some((b) => hasLeafRulesFor(b, key)));
}

function compileNode(value: unknown): PatternNode {
  if (!isPlainObject(value)) invalid();
  const entries = Object.entries(value);
  if (entries.length === 0) invalid();
  const fields = new Map<string, Field>();
  const ors: PatternNode[][] = [];
  for (const [key, v] of entries) {
    if (key === '$or') {
      // Ruler: "There must have at least 2 Objects in $or relationship."
      if (!Array.isArray(v) || v.length < 2) invalid();
      const branches: readonly unknown[] = v;
      ors.push(branches.map(compileNode));
    } else if (Array.isArray(v)) {
      fields.set(key, { kind: 'rules', rules: compileRules(v) });
    } else if (isPlainObject(v)) {
      fields.set(key, { kind: 'node', node: compileNode(v) });
    } else {
      invalid();
    }
  }
  return { fields, ors };
}

function compileRules(values: readonly unknown[]): Rule[] {
  if (values.length === 0) invalid();
  return values.map((v): Rule => {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'exact', value: v };
    if (!isPlainObject(v)) invalid();
    const keys = Object.keys(v);
    const op = keys[0];
    if (keys.length !== 1 || op === undefined) invalid();
    return compileOperator(op, v[op]);
  });
}

function compileOperator(op: string, arg: unknown): Rule {
  switch (op) {
    case 'prefix':
    case 'suffix':
      if (typeof arg === 'string') return { kind: op, value: arg, ignoreCase: false };
      return { kind: op, value: ignoreCaseOperand(arg), ignoreCase: true };
    case 'equals-ignore-case':
      if (typeof arg !== 'string') invalid();
      return { kind: 'equals-ignore-case', value: arg };
    case 'anything-but':
      return compileAnythingBut(arg);
    case 'numeric':
      return compileNumeric(arg);
    case 'exists':
      if (typeof arg !== 'boolean') invalid();
      return { kind: 'exists', value: arg };
    case 'cidr':
      return compileCidr(arg);
    default:
      // Includes `wildcard`, which EventBridge's operator table marks as unsupported by Pipes.
      return invalid();
  }
}

/** `{"prefix": {"equals-ignore-case": "x"}}` (and suffix): supported by Pipes per the operator table. */
function ignoreCaseOperand(arg: unknown): string {
  if (!isPlainObject(arg)) invalid();
  const keys = Object.keys(arg);
  const value = arg['equals-ignore-case'];
  if (keys.length !== 1 || typeof value !== 'string') invalid();
  return value;
}

function numericOperand(v: unknown): number {
  if (typeof v !== 'number' || !(Math.abs(v) <= NUMERIC_LIMIT)) invalid();
  return v;
}

// anything-but's object forms (prefix, suffix, equals-ignore-case, wildcard) are marked
// "Pipe support: No" in EventBridge's operator table, so Lambda gets only values and lists.
function compileAnythingBut(arg: unknown): Rule {
  if (typeof arg === 'string') return { kind: 'anything-but', values: new Set([arg]) };
  if (typeof arg === 'number') return { kind: 'anything-but', values: new Set([numericOperand(arg)]) };
  if (!Array.isArray(arg) || arg.length === 0) invalid();
  const items: readonly unknown[] = arg;
  // Ruler: "either all values are number or string, mixed type is not supported".
  if (items.every((s) => typeof s === 'string')) return { kind: 'anything-but', values: new Set(items.map(String)) };
  if (items.every((n) => typeof n === 'number')) return { kind: 'anything-but', values: new Set(items.map(numericOperand)) };
  return invalid();
}

// Ruler's grammar: ["=", n] | ["<" | "<=", n] | [">" | ">=", n] | [">" | ">=", n, "<" | "<=", n].
// A range must name its lower bound first; ["<", 10, ">=", 0] is rejected.
function compileNumeric(arg: unknown): Rule {
  if (!Array.isArray(arg)) invalid();
  const spec: readonly unknown[] = arg;
  const [op, first, upperOp, second] = spec;
  if (spec.length !== 2 && spec.length !== 4) invalid();
  const value = numericOperand(first);
  if (spec.length === 2) {
    if (op === '=') return { kind: 'numeric', lower: { value, inclusive: true }, upper: { value, inclusive: true } };
    if (op === '<' || op === '<=') return { kind: 'numeric', upper: { value, inclusive: op === '<=' } };
    if (op === '>' || op === '>=') return { kind: 'numeric', lower: { value, inclusive: op === '>=' } };
    return invalid();
  }
  if ((op !== '>' && op !== '>=') || (upperOp !== '<' && upperOp !== '<=')) invalid();
  const top = numericOperand(second);
  if (top < value) invalid();
  return { kind: 'numeric', lower: { value, inclusive: op === '>=' }, upper: { value: top, inclusive: upperOp === '<=' } };
}

function compileCidr(arg: unknown): Rule {
  if (typeof arg !== 'string') invalid();
  const slash = arg.indexOf('/');
  const address = arg.slice(0, slash);
  const bits = arg.slice(slash + 1);
  const family = isIP(address);
  if (slash < 0 || family === 0 || !/^\d{1,3}$/.test(bits)) invalid();
  const prefix = Number(bits);
  if (prefix > (family === 4 ? 32 : 128)) invalid();
  const block = new BlockList();
  block.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return { kind: 'cidr', block };
}
