// Topic tags: AWS's limits (50 per resource, key 1–128 and value 0–256 characters, no `aws:` keys).
import { AwsError } from '../errors.js';

export const MAX_TAGS = 50;

export function checkTags(tags: { Key: string; Value: string }[], existing: Record<string, string>): void {
  const keys = new Set(Object.keys(existing));
  for (const x of tags) {
    if (x.Key.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidParameter', 'Invalid parameter: Tags Reason: Tag keys must not start with "aws:"');
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(x.Key) || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u.test(x.Value)) {
      throw new AwsError('InvalidParameter', 'Invalid parameter: Tags Reason: Tag keys and values may only contain Unicode letters, digits, white space, and _ . : / = + - @');
    }
    keys.add(x.Key);
  }
  if (keys.size > MAX_TAGS) throw new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}
