// NextToken for Kinesis list calls: what the page ended after, for which listing, and when it was
// issued (AWS: a token expires after 300 seconds, ExpiredNextTokenException).
import { AwsError } from '../errors.js';

const TOKEN_TTL_MS = 300_000;

export function encodeToken(kind: string, after: string, now = Date.now()): string {
  return Buffer.from(JSON.stringify({ k: kind, a: after, t: now })).toString('base64');
}

export function decodeToken(token: string, kind: string, now = Date.now()): { after: string } {
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
  } catch {
    throw new AwsError('InvalidArgumentException', 'NextToken is invalid.');
  }
  if (typeof o !== 'object' || o === null || !('k' in o) || !('a' in o) || !('t' in o) || o.k !== kind || typeof o.a !== 'string' || typeof o.t !== 'number') {
    throw new AwsError('InvalidArgumentException', 'NextToken is invalid.');
  }
  if (now - o.t > TOKEN_TTL_MS) throw new AwsError('ExpiredNextTokenException', 'The NextToken has expired.');
  return { after: o.a };
}
