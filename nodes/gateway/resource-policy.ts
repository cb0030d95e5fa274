// Resource-based policy evaluation (SNS topic policies, SQS queue policies, Lambda
// resource policies), following the IAM policy language. Only the resource-policy part of
// IAM's evaluation is modelled: identity policies, SCPs and permission boundaries do not
// exist here, so the caller decides what 'none' means (same-account callers are usually
// allowed by their identity, cross-account and service principals are implicitly denied).
import { BlockList, isIP } from 'node:net';

export type PolicyPrincipal =
  | { kind: 'aws'; account: string; arn: string }
  | { kind: 'service'; service: string }
  | { kind: 'anonymous' };

export interface PolicyRequest {
  principal: PolicyPrincipal;
  action: string;
  resource: string;
  context?: Record<string, string>;
}

/** 'none': no statement applies — an implicit deny unless something else grants access. */
export type PolicyDecision = 'allow' | 'deny' | 'none';

export class PolicyDocumentError extends Error {
  override name = 'PolicyDocumentError';
}

export interface ResourcePolicy {
  evaluate(req: PolicyRequest): PolicyDecision;
}

type Matcher = (value: string) => boolean;

interface PrincipalSpec {
  /** `*`: every caller, anonymous ones and services included. */
  everyone: boolean;
  accounts: Set<string>;
  arns: Set<string>;
  /** `<account>/<role name>`: a role ARN also names every session of that role. */
  roles: Set<string>;
  services: Set<string>;
}

interface ConditionClause {
  key: string;
  negated: boolean;
  ifExists: boolean;
  set: 'any' | 'all' | undefined;
  /** Null checks presence, not value: true = the key must be absent. */
  nullExpect: boolean[] | undefined;
  test: Matcher;
}

interface Statement {
  deny: boolean;
  principal: PrincipalSpec;
  notPrincipal: boolean;
  actions: RegExp[];
  notAction: boolean;
  resources: RegExp[] | undefined;
  notResource: boolean;
  conditions: ConditionClause[];
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const SESSION_ARN = /^arn:[a-z-]+:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;
// IAM rewrites a principal whose identity was deleted to its unique id (AIDA…, AROA…);
// such policies must still load, the id just never matches anyone.
const UNIQUE_ID = /^A[A-Z0-9]{15,}$/;

function fail(reason: string): never {
  throw new PolicyDocumentError(reason);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, where: string): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) fail(`${where} must be a non-empty string or array of strings`);
  return list.map((item) => {
    if (typeof item !== 'string' || item === '') fail(`${where} must contain only non-empty strings`);
    return item;
  });
}

/**
 * With `arnSegments`, `*`/`?` stay inside one colon-delimited segment, except that a `*`
 * ending a segment may run past colons — the documented rule for the Resource element.
 */
function compileGlob(pattern: string, opts: { ignoreCase?: boolean; arnSegments?: boolean } = {}): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      const endsSegment = i === pattern.length - 1 || pattern[i + 1] === ':';
      src += !opts.arnSegments || endsSegment ? '.*' : '[^:]*';
    } else if (c === '?') {
      src += opts.arnSegments ? '[^:]' : '.';
    } else {
      src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${src}$`, opts.ignoreCase ? 'is' : 's');
}

/** The resource part (6th segment) may itself contain colons, so split only on the first five. */
function splitArn(s: string): string[] | undefined {
  const parts = s.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ArnEquals and ArnLike are the same operator in IAM: each of the six ARN components is
// matched separately and may carry wildcards.
function arnMatcher(pattern: string): Matcher {
  const segments = splitArn(pattern);
  if (!segments) {
    const re = compileGlob(pattern);
    return (v) => re.test(v);
  }
  const res = segments.map((s) => compileGlob(s));
  return (v) => {
    const vs = splitArn(v);
    return vs !== undefined && res.every((re, i) => re.test(vs[i] ?? ''));
  };
}

function parseNumber(s: string): number | undefined {
  if (s.trim() === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** IAM accepts ISO 8601 dates or epoch seconds on both sides of a Date comparison. */
function parseDate(s: string): number | undefined {
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

function comparing(parse: (s: string) => number | undefined, cmp: (a: number, b: number) => boolean) {
  return (values: string[]): Matcher => {
    const wanted = values.map(parse);
    return (v) => {
      const got = parse(v);
      return got !== undefined && wanted.some((w) => w !== undefined && cmp(got, w));
    };
  };
}

function ipMatcher(values: string[], where: string): Matcher {
  const list = new BlockList();
  for (const value of values) {
    const [addr = '', prefix] = value.split('/');
    const family = isIP(addr);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > max) fail(`${where}: '${value}' is not an IP address or CIDR block`);
    list.addSubnet(addr, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return (v) => {
    const family = isIP(v);
    return family !== 0 && list.check(v, family === 6 ? 'ipv6' : 'ipv4');
  };
}

type Compiler = (values: string[], where: string) => Matcher;
const exact: Compiler = (values) => (v) => values.includes(v);
const ignoringCase: Compiler = (values) => {
  const lower = values.map((x) => x.toLowerCase());
  return (v) => lower.includes(v.toLowerCase());
};
const like: Compiler = (values) => {
  const res = values.map((x) => compileGlob(x));
  return (v) => res.some((re) => re.test(v));
};
const arn: Compiler = (values) => {
  const ms = values.map(arnMatcher);
  return (v) => ms.some((m) => m(v));
};

/** Keyed by lower-cased operator name; negated operators are true when no value matches. */
const OPERATORS = new Map<string, { negated: boolean; compile: Compiler }>();
function op(name: string, compile: Compiler, negatedName?: string): void {
  OPERATORS.set(name.toLowerCase(), { negated: false, compile });
  if (negatedName) OPERATORS.set(negatedName.toLowerCase(), { negated: true, compile });
}
op('StringEquals', exact, 'StringNotEquals');
op('StringEqualsIgnoreCase', ignoringCase, 'StringNotEqualsIgnoreCase');
op('StringLike', like, 'StringNotLike');
op('ArnEquals', arn, 'ArnNotEquals');
op('ArnLike', arn, 'ArnNotLike');
op('NumericEquals', comparing(parseNumber, (a, b) => a === b), 'NumericNotEquals');
op('NumericLessThan', comparing(parseNumber, (a, b) => a < b));
op('NumericLessThanEquals', comparing(parseNumber, (a, b) => a <= b));
op('NumericGreaterThan', comparing(parseNumber, (a, b) => a > b));
op('NumericGreaterThanEquals', comparing(parseNumber, (a, b) => a >= b));
op('DateEquals', comparing(parseDate, (a, b) => a === b), 'DateNotEquals');
op('DateLessThan', comparing(parseDate, (a, b) => a < b));
op('DateLessThanEquals', comparing(parseDate, (a, b) => a <= b));
op('DateGreaterThan', comparing(parseDate, (a, b) => a > b));
op('DateGreaterThanEquals', comparing(parseDate, (a, b) => a >= b));
op('Bool', ignoringCase);
op('BinaryEquals', exact);
op('IpAddress', ipMatcher, 'NotIpAddress');

function conditionValues(v: unknown, where: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) fail(`${where} must have at least one value`);
  return list.map((item) => {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item);
    fail(`${where} values must be strings, numbers or booleans`);
  });
}

function parseCondition(raw: unknown, where: string): ConditionClause[] {
  if (!isObject(raw)) fail(`${where} must be an object of condition operators`);
  const clauses: ConditionClause[] = [];
  for (const [opName, block] of Object.entries(raw)) {
    let name = opName;
    let set: ConditionClause['set'];
    const qualifier = /^(ForAnyValue|ForAllValues):/i.exec(name);
    if (qualifier) {
      set = qualifier[1]?.toLowerCase() === 'foranyvalue' ? 'any' : 'all';
      name = name.slice(qualifier[0].length);
    }
    const ifExists = /IfExists$/i.test(name) && name.length > 'IfExists'.length;
    if (ifExists) name = name.slice(0, -'IfExists'.length);
    const isNull = name.toLowerCase() === 'null';
    const spec = OPERATORS.get(name.toLowerCase());
    if (!spec && !isNull) fail(`${where}: unknown condition operator '${opName}'`);
    if (isNull && (ifExists || set)) fail(`${where}: '${opName}' is not valid; Null takes no IfExists suffix or set qualifier`);
    if (!isObject(block) || Object.keys(block).length === 0) fail(`${where}.${opName} must be a non-empty object of condition keys`);
    for (const [key, value] of Object.entries(block)) {
      const at = `${where}.${opName}.${key}`;
      const values = conditionValues(value, at);
      if (isNull) {
        const expect = values.map((x) => x.toLowerCase());
        if (expect.some((x) => x !== 'true' && x !== 'false')) fail(`${at}: Null takes "true" or "false"`);
        clauses.push({ key: key.toLowerCase(), negated: false, ifExists: false, set: undefined, nullExpect: expect.map((x) => x === 'true'), test: () => false });
      } else if (spec) {
        clauses.push({ key: key.toLowerCase(), negated: spec.negated, ifExists, set, nullExpect: undefined, test: spec.compile(values, at) });
      }
    }
  }
  return clauses;
}

function conditionHolds(c: ConditionClause, ctx: Map<string, string>): boolean {
  const value = ctx.get(c.key);
  if (c.nullExpect) return c.nullExpect.some((absent) => absent === (value === undefined));
  if (value === undefined) {
    if (c.ifExists) return true;
    // The context value is treated as a set: "all of nothing" holds, "any of nothing" does not.
    if (c.set === 'all') return true;
    if (c.set === 'any') return false;
    return c.negated;
  }
  const matched = c.test(value);
  return c.negated ? !matched : matched;
}

function parsePrincipal(raw: unknown, where: string): PrincipalSpec {
  const spec: PrincipalSpec = { everyone: false, accounts: new Set(), arns: new Set(), roles: new Set(), services: new Set() };
  if (raw === '*') return { ...spec, everyone: true };
  if (!isObject(raw) || Object.keys(raw).length === 0) fail(`${where} must be "*" or an object such as {"AWS": ...} or {"Service": ...}`);
  for (const [type, value] of Object.entries(raw)) {
    const values = stringList(value, `${where}.${type}`);
    if (type === 'AWS') {
      for (const v of values) {
        const root = ROOT_ARN.exec(v);
        const role = ROLE_ARN.exec(v);
        if (v === '*') spec.everyone = true;
        else if (ACCOUNT_ID.test(v)) spec.accounts.add(v);
        else if (root?.[1]) spec.accounts.add(root[1]);
        else if (/[*?]/.test(v)) fail(`${where}.AWS: '${v}' uses a wildcard; only "*" on its own is allowed`);
        else if (v.startsWith('arn:')) {
          spec.arns.add(v);
          if (role) spec.roles.add(`${role[1]}/${role[2]}`);
        } else if (!UNIQUE_ID.test(v)) fail(`${where}.AWS: '${v}' is not an account id, an ARN or "*"`);
      }
    } else if (type === 'Service') {
      for (const v of values) spec.services.add(v.toLowerCase());
    } else if (type !== 'Federated' && type !== 'CanonicalUser') {
      // Federated/CanonicalUser are legal IAM but no such caller exists here, so they never match.
      fail(`${where}: unknown principal type '${type}'`);
    }
  }
  return spec;
}

function principalMatches(spec: PrincipalSpec, p: PolicyPrincipal): boolean {
  if (spec.everyone) return true;
  switch (p.kind) {
    case 'anonymous':
      return false;
    case 'service':
      return spec.services.has(p.service.toLowerCase());
    case 'aws': {
      if (spec.accounts.has(p.account) || spec.arns.has(p.arn)) return true;
      const session = SESSION_ARN.exec(p.arn);
      return session !== null && spec.roles.has(`${session[1]}/${session[2]}`);
    }
  }
}

interface Picked {
  value: unknown;
  negated: boolean;
}
function pick(st: Record<string, unknown>, name: string, where: string, required: true): Picked;
function pick(st: Record<string, unknown>, name: string, where: string, required: false): Picked | undefined;
function pick(st: Record<string, unknown>, name: string, where: string, required: boolean): Picked | undefined {
  const has = st[name] !== undefined;
  const hasNot = st[`Not${name}`] !== undefined;
  if (has && hasNot) fail(`${where} has both ${name} and Not${name}`);
  if (!has && !hasNot) {
    if (required) fail(`${where} must have ${name} or Not${name}`);
    return undefined;
  }
  return has ? { value: st[name], negated: false } : { value: st[`Not${name}`], negated: true };
}

function parseStatement(raw: unknown, where: string): Statement {
  if (!isObject(raw)) fail(`${where} must be an object`);
  for (const key of Object.keys(raw)) if (!STATEMENT_KEYS.has(key)) fail(`${where}: unknown element '${key}'`);
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') fail(`${where}.Sid must be a string`);
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') fail(`${where}.Effect must be "Allow" or "Deny"`);
  // Resource policies attach to a resource, so the principal is what selects the caller.
  const principal = pick(raw, 'Principal', where, true);
  const action = pick(raw, 'Action', where, true);
  const resource = pick(raw, 'Resource', where, false);
  const actions = stringList(action.value, `${where}.${action.negated ? 'NotAction' : 'Action'}`).map((a) => {
    if (a !== '*' && !/^[a-z0-9*?-]+:[a-z0-9*?]+$/i.test(a)) fail(`${where}: action '${a}' must look like "service:Action"`);
    return compileGlob(a, { ignoreCase: true });
  });
  const resources = resource && stringList(resource.value, `${where}.${resource.negated ? 'NotResource' : 'Resource'}`).map((r) => {
    if (r !== '*' && !r.startsWith('arn:')) fail(`${where}: resource '${r}' must be an ARN or "*"`);
    return compileGlob(r, { arnSegments: true });
  });
  return {
    deny: raw.Effect === 'Deny',
    principal: parsePrincipal(principal.value, `${where}.${principal.negated ? 'NotPrincipal' : 'Principal'}`),
    notPrincipal: principal.negated,
    actions,
    notAction: action.negated,
    resources,
    notResource: resource?.negated ?? false,
    conditions: raw.Condition === undefined ? [] : parseCondition(raw.Condition, `${where}.Condition`),
  };
}

function statementApplies(st: Statement, req: PolicyRequest, ctx: Map<string, string>): boolean {
  if (principalMatches(st.principal, req.principal) === st.notPrincipal) return false;
  if (st.actions.some((re) => re.test(req.action)) === st.notAction) return false;
  if (st.resources && st.resources.some((re) => re.test(req.resource)) === st.notResource) return false;
  return st.conditions.every((c) => conditionHolds(c, ctx));
}

export function parseResourcePolicy(json: string): ResourcePolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    fail(`policy is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(doc)) fail('policy must be a JSON object');
  for (const key of Object.keys(doc)) if (key !== 'Version' && key !== 'Id' && key !== 'Statement') fail(`unknown top-level element '${key}'`);
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    fail(`Version must be "2012-10-17" or "2008-10-17", got ${JSON.stringify(doc.Version)}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') fail('Id must be a string');
  if (doc.Statement === undefined) fail('policy has no Statement');
  const rawStatements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (rawStatements.length === 0) fail('Statement must contain at least one statement');
  const sids = new Set<string>();
  const statements = rawStatements.map((raw: unknown, i) => {
    const st = parseStatement(raw, `Statement[${i}]`);
    const sid = isObject(raw) ? raw.Sid : undefined;
    if (typeof sid === 'string') {
      if (sids.has(sid)) fail(`Statement[${i}]: duplicate Sid '${sid}'`);
      sids.add(sid);
    }
    return st;
  });

  return {
    evaluate(req: PolicyRequest): PolicyDecision {
      const ctx = new Map(Object.entries(req.context ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const));
      let allowed = false;
      for (const st of statements) {
        if (!statementApplies(st, req, ctx)) continue;
        if (st.deny) return 'deny';
        allowed = true;
      }
      return allowed ? 'allow' : 'none';
    },
  };
}
