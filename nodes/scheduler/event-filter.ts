// Lambda event source mapping filtering: whether a record reaches the function. Patterns are
// compiled by event-filter-parse.ts; this file matches them against the view of a record Lambda
// applies them to. The semantics are EventBridge's (aws/event-ruler): filters are OR'd, the fields
// of a pattern AND'd, a rule list OR'd, and an event array matches when any element does.
import { isIP } from 'node:net';
import { type Bound, type CompiledFilters, type PatternNode, type Rule, NUMERIC_LIMIT, isPlainObject } from './event-filter-parse.js';

export {
  type CompiledFilters,
  type EventSourceKind,
  type ParseOptions,
  DATA_KEYS,
  INVALID_PATTERN,
  MAX_FILTERS,
  MAX_PATTERN_LENGTH,
  parseFilterCriteria,
} from './event-filter-parse.js';

/** The record as a pattern sees it (see sqsFilterView, kinesisFilterView). */
export type FilterView = Readonly<Record<string, unknown>>;

interface DataFormat {
  readonly key: string;
  readonly json: boolean;
}

// Views stay plain objects (easy to log and compare); what a view knows about its data field's
// format travels beside it.
const DATA_FORMATS = new WeakMap<object, DataFormat>();

interface Context {
  readonly root: unknown;
  readonly format: DataFormat | undefined;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

export function matches(filters: CompiledFilters, event: unknown): boolean {
  if (filters.patterns.length === 0) return true;
  const ctx: Context = { root: event, format: typeof event === 'object' && event !== null ? DATA_FORMATS.get(event) : undefined };
  return filters.patterns.some((p) => matchNode(p, event, [], ctx));
}

function matchNode(node: PatternNode, value: unknown, path: readonly string[], ctx: Context): boolean {
  const obj = isPlainObject(value) ? value : EMPTY;
  for (const [key, field] of node.fields) {
    const child = Object.hasOwn(obj, key) ? obj[key] : undefined;
    const childPath = [...path, key];
    // Lambda compares the data field's format with the pattern's before filtering and drops the
    // record on a mismatch (JSON body vs plain-string rules, or plain body vs JSON pattern), even
    // where EventBridge alone would match, e.g. `exists: false` inside a pattern for a plain body.
    if (path.length === 0 && ctx.format?.key === key && (field.kind === 'node') !== ctx.format.json) return false;
    if (field.kind === 'rules') {
      if (!matchRules(field.rules, child, childPath, ctx)) return false;
      continue;
    }
    const objects = objectsIn(child);
    // Descending into nothing lets only absence rules (`exists: false`) succeed below a missing object.
    const ok = objects.length === 0 ? matchNode(field.node, EMPTY, childPath, ctx) : objects.some((o) => matchNode(field.node, o, childPath, ctx));
    if (!ok) return false;
  }
  return node.ors.every((branches) => branches.some((b) => matchNode(b, value, path, ctx)));
}

function matchRules(rules: readonly Rule[], child: unknown, path: readonly string[], ctx: Context): boolean {
  const values = leavesIn(child);
  return rules.some((rule) => {
    if (rule.kind !== 'exists') return values.some((v) => matchValue(rule, v));
    if (rule.value) return values.length > 0;
    // Ruler decides absence over the whole event, not within the array element being matched.
    return leavesAt(ctx.root, path, 0).length === 0;
  });
}

/** Values at a field: arrays contribute their elements; objects are not leaves (exists: true fails on them). */
function leavesIn(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(leavesIn);
  if (v === undefined || isPlainObject(v)) return [];
  return [v];
}

function objectsIn(v: unknown): Record<string, unknown>[] {
  if (Array.isArray(v)) return v.flatMap(objectsIn);
  return isPlainObject(v) ? [v] : [];
}

function leavesAt(v: unknown, path: readonly string[], depth: number): unknown[] {
  if (Array.isArray(v)) return v.flatMap((e) => leavesAt(e, path, depth));
  const step = path[depth];
  if (step === undefined) return leavesIn(v);
  return isPlainObject(v) && Object.hasOwn(v, step) ? leavesAt(v[step], path, depth + 1) : [];
}

function matchValue(rule: Exclude<Rule, { kind: 'exists' }>, v: unknown): boolean {
  switch (rule.kind) {
    case 'exact':
      // Ruler matches a pattern number numerically as well as literally: 5 matches 5.0. A string
      // never matches a number ("5" vs 5), nor true the string "true".
      return v === rule.value;
    case 'prefix':
    case 'suffix': {
      if (typeof v !== 'string') return false;
      const [s, p] = rule.ignoreCase ? [v.toLowerCase(), rule.value.toLowerCase()] : [v, rule.value];
      return rule.kind === 'prefix' ? s.startsWith(p) : s.endsWith(p);
    }
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === rule.value.toLowerCase();
    case 'anything-but':
      // Any present value not listed matches, whatever its type (null and booleans included).
      return !((typeof v === 'string' || typeof v === 'number') && rule.values.has(v));
    case 'numeric':
      return typeof v === 'number' && Math.abs(v) <= NUMERIC_LIMIT && inRange(v, rule.lower, rule.upper);
    case 'cidr': {
      if (typeof v !== 'string') return false;
      const family = isIP(v);
      return family !== 0 && rule.block.check(v, family === 4 ? 'ipv4' : 'ipv6');
    }
  }
}

/** Whether v lies between the bounds (either may be open); SNS filter policies share it. */
export function inRange(v: number, lower: Bound | undefined, upper: Bound | undefined): boolean {
  if (lower && (lower.inclusive ? v < lower.value : v <= lower.value)) return false;
  if (upper && (upper.inclusive ? v > upper.value : v >= upper.value)) return false;
  return true;
}

/** A JSON object, or undefined: only object text counts as a JSON body (a bare `123` is a plain string). */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isPlainObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

// Fields the poller adds rather than the source API; patterns cannot use them ("Amazon EventBridge
// Pipes filtering": awsRegion, eventSource, eventSourceARN, eventVersion, eventID, eventName,
// invokeIdentityArn; the same page says Lambda ESM filters the same way).
const POLLER_FIELDS: ReadonlySet<string> = new Set(['awsRegion', 'eventSource', 'eventSourceARN', 'eventVersion', 'eventID', 'eventName', 'invokeIdentityArn']);

function withoutPollerFields(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !POLLER_FIELDS.has(k)));
}

export interface SqsRecordLike {
  readonly body: string;
  readonly [field: string]: unknown;
}

/**
 * The SQS record as patterns see it: `body` is the parsed object when the body is JSON object
 * text and the string otherwise. A pattern expecting JSON properties in `body` never matches a
 * plain body, and plain-string rules on `body` never match a JSON one; with no `body` pattern the
 * format does not matter ("Properly filtering Amazon SQS messages",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
 */
export function sqsFilterView(record: SqsRecordLike): FilterView {
  const parsed = parseJsonObject(record.body);
  const view = { ...withoutPollerFields(record), body: parsed ?? record.body };
  DATA_FORMATS.set(view, { key: 'body', json: parsed !== undefined });
  return view;
}

export interface KinesisRecordLike {
  readonly kinesis: { readonly data: string; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/**
 * The Kinesis record as patterns see it: the fields of `kinesis` (partitionKey, sequenceNumber...)
 * at the top, with `data` base64-decoded and parsed when it is a JSON object. A JSON pattern on
 * `data` drops a record whose data is not JSON; with no `data` pattern only the metadata is
 * filtered ("Properly filtering Kinesis and DynamoDB messages", same page). Non-JSON data is
 * exposed as its UTF-8 text, as Lambda does for Kafka and MQ messages.
 */
export function kinesisFilterView(record: KinesisRecordLike): FilterView {
  const text = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
  const parsed = parseJsonObject(text);
  // Only `kinesis`'s fields: everything outside it is added by the poller.
  const view = { ...record.kinesis, data: parsed ?? text };
  DATA_FORMATS.set(view, { key: 'data', json: parsed !== undefined });
  return view;
}
