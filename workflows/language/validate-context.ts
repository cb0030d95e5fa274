// Shared plumbing for definition validation: where a check is (a JSON-pointer-ish location as AWS
// prints it), what it found (diagnostics), and the small typed checks every state-type file uses.
// Messages follow the wording ValidateStateMachineDefinition / CreateStateMachine answer with.
import { type QueryLanguage } from './definition.js';
import { type JsonObject, isJsonObject } from './json.js';

export interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location?: string;
}

export const Codes = {
  InvalidJson: 'INVALID_JSON_DESCRIPTION',
  MissingDescription: 'MISSING_DESCRIPTION',
  Schema: 'SCHEMA_VALIDATION_FAILED',
  InvalidResource: 'INVALID_RESOURCE',
  MissingEndState: 'MISSING_END_STATE',
  DuplicateStateName: 'DUPLICATE_STATE_NAME',
  InvalidStateName: 'INVALID_STATE_NAME',
  MissingTransitionTarget: 'MISSING_TRANSITION_TARGET',
  TooDeeplyNested: 'TOO_DEEPLY_NESTED',
  InvalidVariableName: 'INVALID_VARIABLE_NAME',
  ReservedVariableName: 'RESERVED_VARIABLE_NAME',
  NoDollar: 'NO_DOLLAR',
  PassResultIsStatic: 'PASS_RESULT_IS_STATIC',
} as const;

/** AWS prints locations as `/States/A/Catch/0/Next`: raw names, no JSON-pointer escaping. */
export function at(base: string, ...parts: (string | number)[]): string {
  return parts.reduce<string>((acc, p) => `${acc}/${p}`, base);
}

/** A path field value names the state machine's root when empty, which AWS prints as `/`. */
export function shown(location: string): string {
  return location === '' ? '/' : location;
}

/** Where a state sits and which language governs it: what every per-state check needs. */
export interface StateScope {
  /** Location of the state object, e.g. `/States/A` or `/States/P/Branches/0/States/B`. */
  loc: string;
  /** The state's effective query language. */
  language: QueryLanguage;
  /** The whole machine's declared language (states inside Map/Parallel inherit it, not the parent's). */
  machineLanguage: QueryLanguage | undefined;
  /** Nesting depth of Map/Parallel around this state. */
  depth: number;
}

export class Collector {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly type: 'STANDARD' | 'EXPRESS' | undefined) {}

  error(code: string, message: string, location?: string): void {
    this.diagnostics.push(location === undefined ? { severity: 'ERROR', code, message } : { severity: 'ERROR', code, message, location: shown(location) });
  }

  warn(code: string, message: string, location?: string): void {
    this.diagnostics.push(location === undefined ? { severity: 'WARNING', code, message } : { severity: 'WARNING', code, message, location: shown(location) });
  }

  schema(message: string, location: string): void {
    this.error(Codes.Schema, message, location);
  }

  get errorCount(): number {
    return this.diagnostics.filter((d) => d.severity === 'ERROR').length;
  }

  /** Fields outside `allowed` are refused at the object that carries them, as AWS does. */
  onlyFields(obj: JsonObject, allowed: ReadonlySet<string>, loc: string): void {
    for (const k of Object.keys(obj)) if (!allowed.has(k)) this.schema(`Field '${k}' is not supported`, loc);
  }

  required(obj: JsonObject, fields: readonly string[], loc: string): boolean {
    const missing = fields.filter((f) => !(f in obj));
    if (missing.length > 0) this.schema(`These fields are required: [${missing.join(', ')}]`, loc);
    return missing.length === 0;
  }

  /** At most one of `fields`; with `atLeastOne`, exactly one. */
  oneOf(obj: JsonObject, fields: readonly string[], loc: string, atLeastOne: boolean): void {
    const present = fields.filter((f) => f in obj);
    if (present.length > 1) this.schema(`There should only be one of the following fields: [${fields.join(', ')}]`, loc);
    else if (atLeastOne && present.length === 0) this.schema(`This object should have only one of the following fields: [${fields.join(', ')}]`, loc);
  }

  string(v: unknown, loc: string): v is string {
    if (typeof v === 'string') return true;
    this.schema('Expected value of type String', loc);
    return false;
  }

  nonEmptyString(v: unknown, loc: string): v is string {
    if (!this.string(v, loc)) return false;
    if (v.length > 0) return true;
    this.schema('Value cannot be empty', loc);
    return false;
  }

  boolean(v: unknown, loc: string): v is boolean {
    if (typeof v === 'boolean') return true;
    this.schema('Expected value of type Boolean', loc);
    return false;
  }

  object(v: unknown, loc: string): v is JsonObject {
    if (isJsonObject(v)) return true;
    this.schema('Expected value of type Object', loc);
    return false;
  }

  array(v: unknown, loc: string): v is unknown[] {
    if (Array.isArray(v)) return true;
    this.schema('Expected value of type Array', loc);
    return false;
  }

  nonEmptyArray(v: unknown, loc: string): v is unknown[] {
    if (!this.array(v, loc)) return false;
    if (v.length > 0) return true;
    this.schema('Value cannot be empty', loc);
    return false;
  }

  /** An integer within [min, max]; `decimals` prints the bounds as AWS does for fractional fields (`0.0`). */
  integer(v: unknown, loc: string, min: number, max?: number, decimals = false): void {
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.schema('Expected value of type Integer', loc);
    this.range(v, loc, min, max, decimals);
  }

  number(v: unknown, loc: string, min: number, max?: number, decimals = false): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.schema('Expected value of type Number', loc);
    this.range(v, loc, min, max, decimals);
  }

  private range(v: number, loc: string, min: number, max: number | undefined, decimals: boolean): void {
    const show = (n: number): string => (decimals && Number.isInteger(n) ? n.toFixed(1) : String(n));
    if (v < min) this.schema(`Minimum value is ${show(min)}`, loc);
    else if (max !== undefined && v > max) this.schema(`Maximum value is ${show(max)}`, loc);
  }

  enumeration(v: unknown, values: readonly string[], loc: string): void {
    if (typeof v !== 'string' || !values.includes(v)) this.schema(`Value should be one of the following: [${values.join(', ')}]`, loc);
  }
}

/** A JSONata expression string: the whole value is `{% ... %}`. */
export function isJsonataString(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('{%') && v.endsWith('%}') && v.length >= 4;
}
