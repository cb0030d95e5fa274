// Opaque pagination markers: the last name of the page, so a page never repeats or skips an item
// when others are created or deleted between calls.
import { AwsError } from '../errors.js';

export function encodeMarker(last: string): string {
  return Buffer.from(JSON.stringify({ after: last })).toString('base64url');
}

export function decodeMarker(marker: string): string {
  try {
    const v: unknown = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (typeof v === 'object' && v !== null && 'after' in v && typeof v.after === 'string') return v.after;
  } catch {
    // fall through to the error below
  }
  throw new AwsError('InvalidParameterValueException', 'Invalid pagination marker.');
}
