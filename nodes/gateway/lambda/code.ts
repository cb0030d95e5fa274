// Deployment packages: checked against Lambda's size limits, then stored as content-addressed
// chunks in the cluster (nodes/scheduler/code-store.ts) so any scheduler can load them.
import { type CodeRef, CodeStoreError } from '../../scheduler/code-store.js';
import { inspectZip } from '../../scheduler/zip.js';
import { AwsError } from '../errors.js';
import { type LambdaBackend } from './backend.js';

/** AWS: 50 MB zipped for a direct upload. */
export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
/** AWS: 250 MB unzipped, layers included. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

export interface StoredCode {
  code: CodeRef;
  codeSha256: string;
  unzippedBytes: number;
}

export async function storeZip(lambda: LambdaBackend, zip: Uint8Array | undefined, operation: string): Promise<StoredCode> {
  if (zip === undefined || zip.length === 0) {
    throw new AwsError('InvalidParameterValueException', 'Stratus accepts code as ZipFile bytes only (S3Bucket/S3Key and ImageUri are not supported).');
  }
  if (zip.length > MAX_ZIPPED_BYTES) {
    throw new AwsError('RequestTooLargeException', `Request must be smaller than ${MAX_ZIPPED_BYTES} bytes for the ${operation} operation`);
  }
  let unzippedBytes: number;
  try {
    unzippedBytes = inspectZip(zip).unzippedBytes;
  } catch {
    throw new AwsError('InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  if (unzippedBytes > MAX_UNZIPPED_BYTES) {
    throw new AwsError('InvalidParameterValueException', `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  }
  let code: CodeRef;
  try {
    code = await lambda.code.put(zip);
  } catch (err) {
    // A code partition at its size cap (storage/partitions/blob.ts): the cluster's code storage is full.
    if (err instanceof CodeStoreError && err.code === 'FailedPrecondition') throw new AwsError('CodeStorageExceededException', 'Code storage limit exceeded.');
    throw err;
  }
  return { code, codeSha256: Buffer.from(code.sha256, 'hex').toString('base64'), unzippedBytes };
}
