// Tags live on functions (Lambda tags the unqualified function ARN; qualified ARNs are refused).
import { AwsError } from '../errors.js';
import { type LambdaBackend } from './backend.js';

/** AWS: 50 tags per resource, keys 1-128 and values 0-256 characters, no `aws:` prefix. */
const MAX_TAGS = 50;

export function functionOfResource(lambda: LambdaBackend, arn: string, accountId: string): string {
  const id = lambda.id(arn, undefined, { accountId });
  if (!arn.startsWith('arn:')) throw new AwsError('ValidationException', `1 validation error detected: Value '${arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  if (id.qualifier !== undefined) throw new AwsError('InvalidParameterValueException', 'Tags are not supported for qualified function ARNs.');
  return id.name;
}

export function mergeTags(current: Record<string, string>, add: Record<string, string>): Record<string, string> {
  for (const [k, v] of Object.entries(add)) {
    if (k.length < 1 || k.length > 128 || k.startsWith('aws:')) throw new AwsError('InvalidParameterValueException', `The tag key ${k} is invalid: 1-128 characters, not starting with aws:.`);
    if (v.length > 256) throw new AwsError('InvalidParameterValueException', `The value of tag ${k} is longer than 256 characters.`);
  }
  const out = { ...current, ...add };
  if (Object.keys(out).length > MAX_TAGS) throw new AwsError('InvalidParameterValueException', `A resource can have at most ${MAX_TAGS} tags.`);
  return out;
}
