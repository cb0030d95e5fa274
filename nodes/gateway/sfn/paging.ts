// Pagination for the List* actions: tokens as SQS's (the last key returned), refused with
// SFN's InvalidToken when not ours; AWS's page size is 100 unless maxResults says otherwise.
import { AwsError } from '../errors.js';
import { decodeToken as decodeSqsToken, encodeToken } from '../sqs/paging.js';

export const DEFAULT_PAGE = 100;

/** One page of `items` (sorted by `keyOf`) after the token's key; the token for the next page if any. */
export function page<T>(items: T[], keyOf: (x: T) => string, nextToken: string | undefined, maxResults: number | undefined): { items: T[]; nextToken?: string } {
  let after: string | undefined;
  if (nextToken !== undefined) {
    try {
      after = decodeSqsToken(nextToken);
    } catch {
      throw new AwsError('InvalidToken', `Invalid Token: '${nextToken}'`);
    }
  }
  const size = maxResults === undefined || maxResults === 0 ? DEFAULT_PAGE : maxResults;
  const rest = after === undefined ? items : items.filter((x) => keyOf(x) > after);
  const out = rest.slice(0, size);
  return rest.length > size ? { items: out, nextToken: encodeToken(keyOf(out[out.length - 1]!)) } : { items: out };
}
