// JWT authorizers' verification: RS256 and ES256 tokens checked against the issuer's JWKS
// (discovered through a local openid-configuration), issuer, audience/client_id, expiry,
// not-before and scopes, with AWS's 401/403 answers.
import { type KeyObject, generateKeyPairSync, sign } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../nodes/gateway/apigw/data/auth/jwt.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function token(claims: Record<string, unknown>, opts: { alg?: 'RS256' | 'ES256'; kid?: string; key?: KeyObject } = {}): string {
  const alg = opts.alg ?? 'RS256';
  const head = b64({ alg, typ: 'JWT', kid: opts.kid ?? (alg === 'RS256' ? 'r1' : 'e1') });
  const body = b64(claims);
  const data = Buffer.from(`${head}.${body}`);
  const sig = alg === 'RS256' ? sign('RSA-SHA256', data, opts.key ?? rsa.privateKey) : sign('SHA256', data, { key: opts.key ?? ec.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${sig.toString('base64url')}`;
}

describe('JWT authorizer verification', () => {
  let server: Server;
  let issuer: string;
  let fetches = 0;
  const verifier = new JwtVerifier();
  const now = () => Math.floor(Date.now() / 1000);
  const good = () => ({ iss: issuer, aud: 'my-api', sub: 'user-1', exp: now() + 600, scope: 'read write' });

  beforeAll(async () => {
    server = createServer((req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys` }));
      else if (req.url === '/keys')
        res.end(JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1', use: 'sig', alg: 'RS256' }, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e1', alg: 'ES256' }] }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('accepts RS256 and ES256 tokens with the Bearer prefix and caches the keys', async () => {
    const r = await verifier.verify(`Bearer ${token(good())}`, issuer, ['my-api'], undefined);
    expect(r).toMatchObject({ ok: true, principalId: 'user-1', scopes: ['read', 'write'] });
    expect(r.ok && r.claims?.sub).toBe('user-1');
    const e = await verifier.verify(token(good(), { alg: 'ES256' }), issuer, ['my-api'], ['write']);
    expect(e.ok).toBe(true);
    expect(fetches).toBe(2); // one discovery, one JWKS
  });

  it('takes client_id as the audience and checks scopes from scope or scp', async () => {
    const { aud: _aud, scope: _s, ...rest } = good();
    expect((await verifier.verify(token({ ...rest, client_id: 'my-api', scp: ['admin'] }), issuer, ['my-api'], ['admin'])).ok).toBe(true);
    const forbidden = await verifier.verify(token(good()), issuer, ['my-api'], ['admin']);
    expect(forbidden).toMatchObject({ ok: false, type: 'ACCESS_DENIED', message: 'Forbidden' });
  });

  it('refuses bad tokens with 401 Unauthorized and a www-authenticate header', async () => {
    const bad = [
      undefined,
      'not-a-jwt',
      token({ ...good(), iss: 'https://elsewhere' }),
      token({ ...good(), aud: 'another-api' }),
      token({ ...good(), exp: now() - 5 }),
      token({ ...good(), nbf: now() + 600 }),
      token(good(), { key: other.privateKey }),
      token(good(), { kid: 'unknown' }),
    ];
    for (const t of bad) {
      const r = await verifier.verify(t, issuer, ['my-api'], undefined);
      expect(r).toMatchObject({ ok: false, type: 'UNAUTHORIZED', message: 'Unauthorized' });
      expect(!r.ok && r.headers?.['www-authenticate']).toMatch(/^Bearer /);
    }
    const noIssuer = await new JwtVerifier().verify(token({ ...good(), iss: 'http://127.0.0.1:1' }), 'http://127.0.0.1:1', ['my-api'], undefined);
    expect(noIssuer).toMatchObject({ ok: false, type: 'UNAUTHORIZED' });
  });
});
