// Pagination tokens as SQS's (the last key returned), answered with SNS's error when not ours.
import { AwsError } from '../errors.js';
import { decodeToken as decodeSqsToken } from '../sqs/paging.js';

export { encodeToken } from '../sqs/paging.js';

export function decodeToken(token: string): string {
  try {
    return decodeSqsToken(token);
  } catch {
    throw new AwsError('InvalidParameter', 'Invalid parameter: NextToken');
  }
}
