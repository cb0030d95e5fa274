// A read-modify-write of a function document for actions whose "no such function" error is not
// updateFunction's: Lambda words it differently per API (the policy and URL actions each have
// their own sentence), and SDK users match on those messages.
import { type AwsError } from '../errors.js';
import { type LambdaBackend } from './backend.js';
import { type Versioned } from './catalog.js';
import { type FunctionDoc, asFunctionDoc, codeBytesOf } from './model.js';

/** Applies `change` to the stored function; a missing function raises `notFound()`. */
export async function changeFunction(lambda: LambdaBackend, name: string, notFound: () => AwsError, change: (doc: FunctionDoc) => FunctionDoc): Promise<FunctionDoc> {
  const next = await lambda.catalog.update(
    'function',
    name,
    asFunctionDoc,
    (current: Versioned<FunctionDoc> | undefined) => {
      if (!current) throw notFound();
      // A clone: a retried attempt must start from the newly read document, not a half-changed one.
      const doc = change(structuredClone(current.doc));
      return { doc, codeBytes: codeBytesOf(doc), reserved: doc.reserved };
    },
    lambda.arn(name),
  );
  if (next === null) throw notFound();
  return next;
}
