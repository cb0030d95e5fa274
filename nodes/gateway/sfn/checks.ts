// The checks Step Functions makes of a request beyond its model's constraints, with AWS's codes
// and words: names, definitions, logging, tracing and encryption configurations, tags.
import {
  type EncryptionConfiguration,
  type LoggingConfiguration,
  type StateMachineType,
  type TracingConfiguration,
} from '../../../storage/partitions/meta-workflow-codec.js';
import { ALIAS_NAME_PATTERN, WORKFLOW_NAME_PATTERN } from '../../../storage/partitions/meta-workflows.js';
import { invalidDefinitionMessage, validateDefinition } from '../../../workflows/language/validate.js';
import { AwsError } from '../errors.js';
import { type EncryptionInput, type LoggingInput, type TagInput } from './shapes.js';

/** AWS: 50 tags per resource. */
export const MAX_TAGS = 50;

export function checkName(name: string): void {
  if (!WORKFLOW_NAME_PATTERN.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
}

export function checkAliasName(name: string): void {
  if (!ALIAS_NAME_PATTERN.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
}

export function checkDefinition(text: string, type: StateMachineType): void {
  const v = validateDefinition(text, { type });
  if (!v.ok) throw new AwsError('InvalidDefinition', invalidDefinitionMessage(v.diagnostics));
}

/** AWS stores OFF with no destinations when the request leaves logging out. */
export const DEFAULT_LOGGING: LoggingConfiguration = { level: 'OFF', includeExecutionData: false, destinations: [] };
export const DEFAULT_TRACING: TracingConfiguration = { enabled: false };

const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[\w./#-]{1,512}:\*$/;

export function loggingOf(input: LoggingInput): LoggingConfiguration {
  const level = (input.level ?? 'OFF') as LoggingConfiguration['level'];
  const destinations = (input.destinations ?? []).map((d) => d.cloudWatchLogsLogGroup?.logGroupArn ?? '');
  if (destinations.length > 1) throw new AwsError('InvalidLoggingConfiguration', 'Invalid Logging Configuration: Must specify exactly one Log Destination.');
  if (level !== 'OFF' && destinations.length === 0) {
    throw new AwsError('InvalidLoggingConfiguration', 'Invalid Logging Configuration: Must specify exactly one Log Destination.');
  }
  for (const d of destinations) {
    if (!LOG_GROUP_ARN.test(d)) throw new AwsError('InvalidLoggingConfiguration', `Invalid Logging Configuration: Log Destination not in the correct format: '${d}'`);
  }
  return { level, includeExecutionData: input.includeExecutionData ?? false, destinations };
}

export function tracingOf(input: { enabled?: boolean }): TracingConfiguration {
  return { enabled: input.enabled ?? false };
}

export function encryptionOf(input: EncryptionInput): EncryptionConfiguration {
  const type = input.type as EncryptionConfiguration['type'];
  if (type === 'CUSTOMER_MANAGED_KMS_KEY' && input.kmsKeyId === undefined) {
    throw new AwsError('InvalidEncryptionConfiguration', 'Invalid Encryption Configuration: kmsKeyId is required for CUSTOMER_MANAGED_KMS_KEY.');
  }
  if (type === 'AWS_OWNED_KEY' && (input.kmsKeyId !== undefined || input.kmsDataKeyReusePeriodSeconds !== undefined)) {
    throw new AwsError('InvalidEncryptionConfiguration', 'Invalid Encryption Configuration: kmsKeyId and kmsDataKeyReusePeriodSeconds are not allowed for AWS_OWNED_KEY.');
  }
  return {
    type,
    ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
    ...(type === 'CUSTOMER_MANAGED_KMS_KEY' ? { kmsDataKeyReusePeriodSeconds: input.kmsDataKeyReusePeriodSeconds ?? 300 } : {}),
  };
}

/** Tag keys AWS reserves, and the 50-tag limit counted with the resource's current tags. */
export function checkTags(resourceArn: string, tags: TagInput[], existing: Record<string, string> = {}): void {
  const keys = new Set(Object.keys(existing));
  for (const x of tags) {
    if ((x.key ?? '').toLowerCase().startsWith('aws:')) throw new AwsError('SfnValidationException', "Tag keys may not start with the reserved prefix 'aws:'");
    keys.add(x.key ?? '');
  }
  if (keys.size > MAX_TAGS) throw tooManyTags(resourceArn);
}

export function tooManyTags(resourceArn: string): AwsError {
  return new AwsError('TooManyTags', `Too many tags: '${resourceArn}'. The limit is ${MAX_TAGS} tags per resource.`, { fields: { resourceName: resourceArn } });
}

/** A ValidationException with the `reason` member the SDK exposes. */
export function validation(message: string, reason?: 'API_DOES_NOT_SUPPORT_LABELED_ARNS' | 'MISSING_REQUIRED_PARAMETER' | 'INVALID_ROUTING_CONFIGURATION'): AwsError {
  return new AwsError('SfnValidationException', message, reason ? { fields: { reason } } : {});
}

export function resourceNotFound(message: string, resourceName: string): AwsError {
  return new AwsError('SfnResourceNotFound', message, { fields: { resourceName } });
}
