// Aliases: a name for one published version (or $LATEST), optionally routing a share of
// invocations to one more version (weighted canaries).
import { AwsError } from '../errors.js';
import { type LambdaBackend } from './backend.js';
import { type AliasDoc, type FunctionDoc } from './model.js';
import { ALIAS_PATTERN } from './names.js';

export function aliasView(lambda: LambdaBackend, fn: string, a: AliasDoc): Record<string, unknown> & { Name: string } {
  return {
    AliasArn: lambda.arn(fn, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(Object.keys(a.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {}),
    RevisionId: a.revisionId,
  };
}

export function checkAliasName(name: string): void {
  if (name.length > 128 || !ALIAS_PATTERN.test(name) || name === '$LATEST') {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
  }
}

/** The version an alias may point to: an existing published version or $LATEST, never an alias. */
export function checkTargetVersion(lambda: LambdaBackend, doc: FunctionDoc, version: string): void {
  if (version === '$LATEST') return;
  if (!/^[0-9]+$/.test(version)) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`);
  }
  if (!doc.versions.some((v) => v.version === version)) throw new AwsError('ResourceNotFoundException', `Function not found: ${lambda.arn(doc.name, version)}`);
}

/** RoutingConfig: at most one additional version, published, not the primary, weight in [0, 1]. */
export function checkWeights(lambda: LambdaBackend, doc: FunctionDoc, primary: string, weights: Record<string, number>): Record<string, number> {
  const entries = Object.entries(weights);
  if (entries.length > 1) throw new AwsError('InvalidParameterValueException', 'Number of items in AdditionalVersionWeights cannot be greater than 1');
  for (const [v, w] of entries) {
    if (!(w >= 0 && w <= 1)) throw new AwsError('ValidationException', `1 validation error detected: Value '${w}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]`);
    if (v === primary) throw new AwsError('InvalidParameterValueException', `Invalid function version ${v}. Function version ${v} is already included in routing configuration.`);
    if (primary === '$LATEST' || v === '$LATEST') throw new AwsError('InvalidParameterValueException', 'Alias with routing config cannot point to $LATEST.');
    checkTargetVersion(lambda, doc, v);
  }
  return Object.fromEntries(entries);
}
