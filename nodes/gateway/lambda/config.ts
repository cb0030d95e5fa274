// Function configuration: the checks CreateFunction and UpdateFunctionConfiguration share (with
// Lambda's error codes and words), and the FunctionConfiguration view of a stored version.
import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors.js';
import { type Infer } from '../shapes.js';
import { type LambdaBackend } from './backend.js';
import { type FunctionDoc, type LayerRef, type VersionConfig } from './model.js';
import { parseLayerVersionArn } from './names.js';
import { type functionConfiguration } from './shapes.js';

/** The runtimes Stratus runs (on the host's Node.js). */
export const RUNTIMES = ['nodejs18.x', 'nodejs20.x', 'nodejs22.x'] as const;
/** AWS: 4 KB for all environment variables together. */
const MAX_ENV_BYTES = 4096;
const RESERVED_ENV = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];
const ROLE_PATTERN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const MAX_LAYERS = 5;

const validation = (what: string, value: unknown, constraint: string): AwsError =>
  new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${what}' failed to satisfy constraint: ${constraint}`);

export interface ConfigInput {
  Runtime?: string;
  Role?: string;
  Handler?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  Environment?: { Variables?: Record<string, string> };
  Layers?: string[];
  EphemeralStorage?: { Size: number };
  DeadLetterConfig?: { TargetArn?: string };
  TracingConfig?: { Mode?: string };
}

export function checkRuntime(runtime: string): void {
  if (!(RUNTIMES as readonly string[]).includes(runtime)) {
    throw new AwsError('InvalidParameterValueException', `The runtime parameter of ${runtime} is not supported by Stratus. Supported runtimes: ${RUNTIMES.join(', ')}.`);
  }
}

function checkEnvironment(vars: Record<string, string>): void {
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENV.includes(k));
  if (reserved.length > 0) {
    throw new AwsError(
      'InvalidParameterValueException',
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  for (const k of Object.keys(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) throw validation('environment.variables', k, 'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
  }
  const size = Buffer.byteLength(JSON.stringify(vars));
  if (size > MAX_ENV_BYTES) {
    throw new AwsError(
      'InvalidParameterValueException',
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(vars).slice(0, 64)}...`,
    );
  }
}

async function resolveLayers(lambda: LambdaBackend, arns: string[]): Promise<LayerRef[]> {
  if (arns.length > MAX_LAYERS) throw new AwsError('InvalidParameterValueException', `Cannot reference more than ${MAX_LAYERS} layers.`);
  const out: LayerRef[] = [];
  for (const arn of arns) {
    const p = parseLayerVersionArn(arn);
    const layer = p && p.accountId === lambda.opts.accountId && p.region === lambda.opts.region ? await lambda.layer(p.name) : undefined;
    const v = p ? layer?.doc.versions.find((x) => x.version === p.version) : undefined;
    if (!v) throw new AwsError('InvalidParameterValueException', `Layer version ${arn} does not exist.`);
    out.push({ arn, codeSize: v.code.size, code: v.code });
  }
  return out;
}

async function checkDeadLetter(lambda: LambdaBackend, arn: string): Promise<void> {
  if (arn === '') return;
  if (/^arn:aws[a-z-]*:sqs:/.test(arn) && (await lambda.sqs.byArn(arn))) return;
  if (/^arn:aws[a-z-]*:sns:/.test(arn) && (await lambda.topicExists(arn))) return;
  throw new AwsError('InvalidParameterValueException', 'The provided target arn is invalid: Stratus supports dead-letter targets that are existing SQS queues or SNS topics.');
}

export type ConfigFields = Omit<VersionConfig, 'code' | 'codeSha256'>;

/** The next configuration from `prev` (or defaults) with the input's changes applied and checked. */
export async function applyConfig(lambda: LambdaBackend, prev: VersionConfig | undefined, input: ConfigInput): Promise<ConfigFields> {
  if (input.Runtime !== undefined) checkRuntime(input.Runtime);
  if (input.Role !== undefined && !ROLE_PATTERN.test(input.Role)) throw validation('role', input.Role, 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  if (input.Handler !== undefined && (input.Handler.length > 128 || !/^[^\s]+$/.test(input.Handler))) throw validation('handler', input.Handler, 'Member must satisfy regular expression pattern: [^\\s]+');
  if (input.Description !== undefined && input.Description.length > 256) throw validation('description', input.Description, 'Member must have length less than or equal to 256');
  if (input.Timeout !== undefined && input.Timeout < 1) throw validation('timeout', input.Timeout, 'Member must have value greater than or equal to 1');
  if (input.Timeout !== undefined && input.Timeout > 900) throw validation('timeout', input.Timeout, 'Member must have value less than or equal to 900');
  if (input.MemorySize !== undefined && input.MemorySize < 128) throw validation('memorySize', input.MemorySize, 'Member must have value greater than or equal to 128');
  if (input.MemorySize !== undefined && input.MemorySize > 10_240) throw validation('memorySize', input.MemorySize, 'Member must have value less than or equal to 10240');
  const storage = input.EphemeralStorage?.Size;
  if (storage !== undefined && (storage < 512 || storage > 10_240)) throw validation('ephemeralStorage.size', storage, 'Member must have value between 512 and 10240');
  const mode = input.TracingConfig?.Mode;
  if (mode !== undefined && mode !== 'Active' && mode !== 'PassThrough') throw validation('tracingConfig.mode', mode, 'Member must satisfy enum value set: [Active, PassThrough]');
  let environment = prev?.environment ?? null;
  if (input.Environment !== undefined) {
    const vars = input.Environment.Variables ?? {};
    checkEnvironment(vars);
    environment = Object.keys(vars).length === 0 ? null : lambda.masterKey.seal(vars);
  }
  const dlq = input.DeadLetterConfig?.TargetArn;
  if (dlq !== undefined) await checkDeadLetter(lambda, dlq);
  const layers = input.Layers !== undefined ? await resolveLayers(lambda, input.Layers) : (prev?.layers ?? []);
  const runtime = input.Runtime ?? prev?.runtime;
  const handler = input.Handler ?? prev?.handler;
  const role = input.Role ?? prev?.role;
  if (runtime === undefined) throw new AwsError('InvalidParameterValueException', 'Runtime is required for deployment packages of type Zip.');
  if (handler === undefined) throw new AwsError('InvalidParameterValueException', 'Handler is required for deployment packages of type Zip.');
  if (role === undefined) throw validation('role', 'null', 'Member must not be null');
  return {
    version: '$LATEST',
    description: input.Description ?? prev?.description ?? '',
    runtime,
    handler,
    role,
    memorySize: input.MemorySize ?? prev?.memorySize ?? 128,
    timeout: input.Timeout ?? prev?.timeout ?? 3,
    environment,
    layers,
    ephemeralStorage: storage ?? prev?.ephemeralStorage ?? 512,
    deadLetterTarget: dlq !== undefined ? (dlq === '' ? null : dlq) : (prev?.deadLetterTarget ?? null),
    tracingMode: mode ?? prev?.tracingMode ?? 'PassThrough',
    lastModified: lastModified(),
    revisionId: randomUUID(),
  };
}

/** Lambda's LastModified format: `2024-01-01T12:00:00.000+0000`. */
export function lastModified(ms = Date.now()): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function configurationOf(lambda: LambdaBackend, doc: FunctionDoc, v: VersionConfig): Infer<typeof functionConfiguration> {
  const vars = v.environment === null ? undefined : lambda.masterKey.open(v.environment);
  return {
    FunctionName: doc.name,
    FunctionArn: lambda.arn(doc.name, v.version === '$LATEST' ? undefined : v.version),
    Runtime: v.runtime,
    Role: v.role,
    Handler: v.handler,
    CodeSize: v.code.size,
    Description: v.description,
    Timeout: v.timeout,
    MemorySize: v.memorySize,
    LastModified: v.lastModified,
    CodeSha256: v.codeSha256,
    Version: v.version,
    ...(vars ? { Environment: { Variables: vars } } : {}),
    TracingConfig: { Mode: v.tracingMode },
    RevisionId: v.revisionId,
    ...(v.layers.length > 0 ? { Layers: v.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) } : {}),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: v.ephemeralStorage },
    ...(v.deadLetterTarget ? { DeadLetterConfig: { TargetArn: v.deadLetterTarget } } : {}),
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${doc.name}` },
  };
}
