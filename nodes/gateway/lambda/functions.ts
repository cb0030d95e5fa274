// Writing function documents: the read-modify-write every action that changes a function uses,
// with the code-storage and reserved-concurrency figures the meta group checks on apply.
import { AwsError } from '../errors.js';
import { type LambdaBackend } from './backend.js';
import { type Versioned } from './catalog.js';
import { type FunctionDoc, asFunctionDoc, codeBytesOf } from './model.js';

/** Applies `change` to the stored function (which must exist) and writes the result. */
export async function updateFunction(lambda: LambdaBackend, name: string, change: (doc: FunctionDoc) => FunctionDoc, qualifier?: string): Promise<FunctionDoc> {
  const arn = lambda.arn(name, qualifier);
  const next = await lambda.catalog.update('function', name, asFunctionDoc, (current: Versioned<FunctionDoc> | undefined) => {
    if (!current) throw new AwsError('ResourceNotFoundException', `Function not found: ${arn}`);
    const doc = change(structuredClone(current.doc));
    return { doc, codeBytes: codeBytesOf(doc), reserved: doc.reserved };
  }, arn);
  if (next === null) throw new AwsError('ResourceNotFoundException', `Function not found: ${arn}`);
  return next;
}

/** Creates a function document; an existing one is a conflict. */
export async function createFunctionDoc(lambda: LambdaBackend, doc: FunctionDoc): Promise<void> {
  const r = await lambda.catalog.put('function', doc.name, 0, doc, codeBytesOf(doc), doc.reserved);
  if ('rev' in r) return;
  if (r.code === 'AlreadyExists') throw new AwsError('ResourceConflictException', `Function already exist: ${doc.name}`);
  if (r.code === 'OutOfRange') throw new AwsError('CodeStorageExceededException', 'Code storage limit exceeded.');
  throw new AwsError('InvalidParameterValueException', r.message);
}

export async function deleteFunctionDoc(lambda: LambdaBackend, name: string, expectRev: number): Promise<boolean> {
  const r = await lambda.catalog.put('function', name, expectRev, null, 0, null);
  return 'rev' in r;
}

/** RevisionId guards: a given id must be the current one (optimistic locking, as Lambda). */
export function checkRevision(current: string, given: string | undefined): void {
  if (given !== undefined && given !== current) {
    throw new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
}
