// HTTP APIs' JWT authorizers: the token from the identity source (`Bearer ` stripped), its
// signature checked (RS256 and ES256) with a key from the issuer's JWKS (found through
// `{issuer}/.well-known/openid-configuration`, cached), then `iss`, `aud` or `client_id` against
// the audience, `exp`/`nbf`, and the route's scopes against `scope`/`scp`.
// AWS answers 401 `Unauthorized` (with a `www-authenticate` header naming the error) for a bad
// token and 403 `Forbidden` when the scopes are missing.
import { type KeyObject, createPublicKey, verify } from 'node:crypto';
import { type AuthorizeResult } from '../types.js';

/** How long a discovered JWKS is reused (AWS refreshes its keys periodically; a new `kid` refetches sooner). */
const JWKS_TTL_MS = 2 * 60 * 60 * 1000;
/** A `kid` absent from the cached JWKS refetches it at most this often. */
const REFETCH_MS = 10_000;
const FETCH_TIMEOUT_MS = 5_000;

interface KeySet {
  at: number;
  keys: Map<string, KeyObject>;
  /** Keys without a `kid`. */
  anonymous: KeyObject[];
}

export type FetchJson = (url: string) => Promise<unknown>;

const defaultFetch: FetchJson = async (url) => {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json() as Promise<unknown>;
};

const unauthorized = (why: string): AuthorizeResult => ({
  ok: false,
  type: 'UNAUTHORIZED',
  message: 'Unauthorized',
  headers: { 'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${why}"` },
});

function b64json(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const claimList = (v: unknown): string[] => (typeof v === 'string' ? v.split(' ').filter((s) => s !== '') : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export class JwtVerifier {
  private readonly sets = new Map<string, Promise<KeySet>>();

  constructor(
    private readonly fetchJson: FetchJson = defaultFetch,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async verify(header: string | undefined, issuer: string | undefined, audience: string[], scopes: string[] | undefined): Promise<AuthorizeResult> {
    if (header === undefined || header === '') return unauthorized('the token is missing');
    const token = header.replace(/^Bearer\s+/i, '').trim();
    const parts = token.split('.');
    if (parts.length !== 3) return unauthorized('the token is malformed');
    const head = b64json(parts[0]!);
    const claims = b64json(parts[1]!);
    if (!head || !claims) return unauthorized('the token is malformed');
    const alg = head.alg;
    if (alg !== 'RS256' && alg !== 'ES256') return unauthorized(`the token's algorithm ${String(alg)} is not supported`);
    if (issuer === undefined) return unauthorized('the authorizer has no issuer');
    if (claims.iss !== issuer) return unauthorized('the token has an invalid issuer');
    let key: KeyObject | undefined;
    try {
      key = await this.key(issuer, typeof head.kid === 'string' ? head.kid : undefined);
    } catch {
      return unauthorized('the signing keys could not be fetched');
    }
    if (!key) return unauthorized('no signing key matches the token');
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const sig = Buffer.from(parts[2]!, 'base64url');
    const good = alg === 'RS256' ? verify('RSA-SHA256', data, key, sig) : verify('SHA256', data, { key, dsaEncoding: 'ieee-p1363' }, sig);
    if (!good) return unauthorized('the token signature is invalid');
    const nowSec = this.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= nowSec) return unauthorized('the token has expired');
    if (typeof claims.nbf === 'number' && claims.nbf > nowSec) return unauthorized('the token is not valid yet');
    const auds = [...claimList(claims.aud), ...(typeof claims.client_id === 'string' ? [claims.client_id] : [])];
    if (!auds.some((a) => audience.includes(a))) return unauthorized('the token does not have a valid audience');
    const granted = [...claimList(claims.scope), ...claimList(claims.scp)];
    if (scopes && scopes.length > 0 && !scopes.some((s) => granted.includes(s))) return { ok: false, type: 'ACCESS_DENIED', message: 'Forbidden', headers: { 'www-authenticate': 'Bearer scope="" error="insufficient_scope" error_description="the token does not have the required scope"' } };
    return { ok: true, context: {}, claims, scopes: granted, ...(typeof claims.sub === 'string' ? { principalId: claims.sub } : {}) };
  }

  private async key(issuer: string, kid: string | undefined): Promise<KeyObject | undefined> {
    let set = await this.keySet(issuer, false);
    let k = kid !== undefined ? set.keys.get(kid) : set.anonymous[0] ?? set.keys.values().next().value;
    // A rotated key: refetch, at most every REFETCH_MS.
    if (!k && this.now() - set.at > REFETCH_MS) {
      set = await this.keySet(issuer, true);
      k = kid !== undefined ? set.keys.get(kid) : set.anonymous[0];
    }
    return k;
  }

  private async keySet(issuer: string, refresh: boolean): Promise<KeySet> {
    const cached = this.sets.get(issuer);
    if (cached && !refresh) {
      const s = await cached.catch(() => undefined);
      if (s && this.now() - s.at < JWKS_TTL_MS) return s;
    }
    const p = this.load(issuer);
    this.sets.set(issuer, p);
    p.catch(() => this.sets.delete(issuer));
    return p;
  }

  private async load(issuer: string): Promise<KeySet> {
    const conf = await this.fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    const uri = typeof conf === 'object' && conf !== null ? (conf as { jwks_uri?: unknown }).jwks_uri : undefined;
    if (typeof uri !== 'string') throw new Error('openid-configuration has no jwks_uri');
    const jwks = await this.fetchJson(uri);
    const list = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
    const set: KeySet = { at: this.now(), keys: new Map(), anonymous: [] };
    for (const jwk of Array.isArray(list) ? list : []) {
      if (typeof jwk !== 'object' || jwk === null) continue;
      const j = jwk as Record<string, unknown>;
      if (j.use !== undefined && j.use !== 'sig') continue;
      try {
        const key = createPublicKey({ key: j as import('node:crypto').JsonWebKey, format: 'jwk' });
        if (typeof j.kid === 'string') set.keys.set(j.kid, key);
        else set.anonymous.push(key);
      } catch {
        // An unusable key (unknown kty) is skipped, as a JWKS may list encryption keys too.
      }
    }
    return set;
  }
}
