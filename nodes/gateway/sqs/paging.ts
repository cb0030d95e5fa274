// Pagination tokens: opaque to clients, but only the last name returned, base64-encoded.
import { AwsError } from '../errors.js';

export function encodeToken(lastName: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after: lastName })).toString('base64');
}

export function decodeToken(token: string): string {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { v?: unknown; after?: unknown };
    if (o.v === 1 && typeof o.after === 'string') return o.after;
  } catch {
    // fall through: a token we did not issue
  }
  throw new AwsError('InvalidParameterValue', 'Invalid NextToken value.');
}
