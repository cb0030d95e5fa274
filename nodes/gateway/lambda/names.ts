// Function names, ARNs and qualifiers as Lambda accepts them: a FunctionName may be a bare name,
// a partial ARN (`123456789012:function:name`) or a full ARN, each optionally qualified.
import { AwsError } from '../errors.js';

export interface FunctionId {
  name: string;
  /** From the ARN or the Qualifier parameter; undefined means $LATEST (or "unqualified"). */
  qualifier: string | undefined;
}

const NAME = '[a-zA-Z0-9-_]{1,64}';
const QUALIFIER = '(?:\\$LATEST|[a-zA-Z0-9-_]{1,128})';
const FULL = new RegExp(`^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\\d{12}):function:(${NAME})(?::(${QUALIFIER}))?$`);
const PARTIAL = new RegExp(`^(\\d{12}):function:(${NAME})(?::(${QUALIFIER}))?$`);
const BARE = new RegExp(`^(${NAME})(?::(${QUALIFIER}))?$`);
export const VERSION_PATTERN = /^(\$LATEST|[0-9]+)$/;
export const ALIAS_PATTERN = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;
}

export function layerArn(region: string, accountId: string, name: string, version?: number): string {
  return `arn:aws:lambda:${region}:${accountId}:layer:${name}${version === undefined ? '' : `:${version}`}`;
}

/**
 * Parses FunctionName (+ an optional Qualifier parameter). A qualifier in both places must agree,
 * as Lambda requires; an ARN of another account or region names nothing here.
 */
export function parseFunctionName(raw: string, qualifierParam: string | undefined, ctx: { region: string; accountId: string }): FunctionId {
  let name: string | undefined;
  let qualifier: string | undefined;
  let m = FULL.exec(raw);
  if (m) {
    if (m[2] !== ctx.accountId || m[1] !== ctx.region) throw notFound(raw);
    name = m[3];
    qualifier = m[4];
  } else if ((m = PARTIAL.exec(raw))) {
    if (m[1] !== ctx.accountId) throw notFound(raw);
    name = m[2];
    qualifier = m[3];
  } else if ((m = BARE.exec(raw))) {
    name = m[1];
    qualifier = m[2];
  }
  if (name === undefined) {
    throw new AwsError(
      'InvalidParameterValueException',
      `1 validation error detected: Value '${raw}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  }
  if (qualifierParam !== undefined) {
    if (!new RegExp(`^${QUALIFIER}$`).test(qualifierParam)) {
      throw new AwsError('InvalidParameterValueException', `1 validation error detected: Value '${qualifierParam}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)`);
    }
    if (qualifier !== undefined && qualifier !== qualifierParam) {
      throw new AwsError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
    }
    qualifier = qualifierParam;
  }
  return { name, qualifier };
}

function notFound(raw: string): AwsError {
  return new AwsError('ResourceNotFoundException', `Function not found: ${raw}`);
}

/** Layer names may be given as a name or a layer ARN (without version). */
export function parseLayerName(raw: string, ctx: { region: string; accountId: string }): string {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]{1,140})$/.exec(raw);
  if (m) {
    if (m[1] !== ctx.region || m[2] !== ctx.accountId) throw new AwsError('ResourceNotFoundException', `Layer not found: ${raw}`);
    return m[3]!;
  }
  if (!/^[a-zA-Z0-9-_]{1,140}$/.test(raw)) {
    throw new AwsError('InvalidParameterValueException', `1 validation error detected: Value '${raw}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`);
  }
  return raw;
}

/** A layer version ARN `arn:aws:lambda:region:account:layer:name:version`. */
export function parseLayerVersionArn(arn: string): { region: string; accountId: string; name: string; version: number } | undefined {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]{1,140}):([0-9]+)$/.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]!, version: Number(m[4]) } : undefined;
}
