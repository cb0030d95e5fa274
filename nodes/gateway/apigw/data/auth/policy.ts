// A Lambda authorizer's policy evaluated against a method ARN, as API Gateway does: an explicit
// Deny wins, else an Allow must match; Resource ARNs may use `*` and `?` wildcards.
export type PolicyEffect = 'allow' | 'deny' | 'none';

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
}

const actionMatches = (actions: string[]): boolean => actions.some((a) => a === '*' || a === 'execute-api:*' || a.toLowerCase() === 'execute-api:invoke');

/** The policy's verdict for `methodArn`; a malformed policy is `undefined` (AWS: a 500). */
export function evaluatePolicy(policy: unknown, methodArn: string): PolicyEffect | undefined {
  if (typeof policy !== 'object' || policy === null) return undefined;
  const raw = (policy as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[];
  if (statements.length === 0) return undefined;
  let allowed = false;
  for (const st of statements) {
    if (typeof st !== 'object' || st === null) return undefined;
    const effect = String(st.Effect ?? '');
    if (effect !== 'Allow' && effect !== 'Deny') return undefined;
    if (!actionMatches(asList(st.Action))) continue;
    if (!asList(st.Resource).some((r) => wildcard(r).test(methodArn))) continue;
    if (effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'none';
}
