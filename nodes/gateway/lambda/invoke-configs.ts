// Event invoke configs: per qualifier, how async invocations retry and where their outcomes go.
import { type RequestContext } from '../action.js';
import { AwsError } from '../errors.js';
import { type Infer, t } from '../shapes.js';
import { type LambdaBackend } from './backend.js';
import { updateFunction } from './functions.js';
import { type FunctionDoc, type InvokeConfigDoc } from './model.js';
import { destinationConfig, functionNameLabel, invokeConfigShape, qualifierQuery } from './shapes.js';

export interface InvokeConfigInput {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
}

const validation = (what: string, v: number, c: string): AwsError =>
  new AwsError('ValidationException', `1 validation error detected: Value '${v}' at '${what}' failed to satisfy constraint: Member must have value ${c}`);

async function checkDestination(lambda: LambdaBackend, arn: string): Promise<void> {
  if (/^arn:aws[a-z-]*:sqs:/.test(arn)) {
    if (await lambda.sqs.byArn(arn)) return;
  } else if (/^arn:aws[a-z-]*:sns:/.test(arn)) {
    if (await lambda.topicExists(arn)) return;
  } else if (/^arn:aws[a-z-]*:lambda:/.test(arn)) {
    const m = /^arn:aws[a-z-]*:lambda:[^:]+:(\d{12}):function:([a-zA-Z0-9-_]+)(?::[a-zA-Z0-9$_-]+)?$/.exec(arn);
    if (m && m[1] === lambda.opts.accountId && (await lambda.catalog.get('function', m[2]!, (v) => v))) return;
  }
  throw new AwsError('InvalidParameterValueException', `The destination ARN ${arn} is invalid: Stratus delivers to existing SQS queues, SNS topics and functions.`);
}

/** The config after applying input to `prev` (Put replaces: prev undefined; Update merges). */
export async function buildInvokeConfig(lambda: LambdaBackend, qualifier: string, input: InvokeConfigInput, prev: InvokeConfigDoc | undefined): Promise<InvokeConfigDoc> {
  const retries = input.MaximumRetryAttempts;
  if (retries !== undefined && (retries < 0 || retries > 2)) throw validation('maximumRetryAttempts', retries, retries < 0 ? 'greater than or equal to 0' : 'less than or equal to 2');
  const age = input.MaximumEventAgeInSeconds;
  if (age !== undefined && (age < 60 || age > 21_600)) throw validation('maximumEventAgeInSeconds', age, age < 60 ? 'greater than or equal to 60' : 'less than or equal to 21600');
  const onSuccess = input.DestinationConfig?.OnSuccess?.Destination;
  const onFailure = input.DestinationConfig?.OnFailure?.Destination;
  if (onSuccess) await checkDestination(lambda, onSuccess);
  if (onFailure) await checkDestination(lambda, onFailure);
  const out: InvokeConfigDoc = { qualifier, lastModified: Date.now() / 1000 };
  const r = retries ?? prev?.maximumRetryAttempts;
  const a = age ?? prev?.maximumEventAgeInSeconds;
  const s = input.DestinationConfig?.OnSuccess !== undefined ? onSuccess : prev?.onSuccess;
  const f = input.DestinationConfig?.OnFailure !== undefined ? onFailure : prev?.onFailure;
  if (r !== undefined) out.maximumRetryAttempts = r;
  if (a !== undefined) out.maximumEventAgeInSeconds = a;
  if (s) out.onSuccess = s;
  if (f) out.onFailure = f;
  return out;
}

/** The qualifier an invoke config attaches to must exist: $LATEST, a version or an alias. */
export function checkQualifier(lambda: LambdaBackend, doc: FunctionDoc, qualifier: string): void {
  if (qualifier === '$LATEST' || doc.versions.some((v) => v.version === qualifier) || doc.aliases.some((a) => a.name === qualifier)) return;
  throw new AwsError('ResourceNotFoundException', `Function not found: ${lambda.arn(doc.name, qualifier)}`);
}

export function invokeConfigView(lambda: LambdaBackend, fn: string, c: InvokeConfigDoc): Infer<typeof invokeConfigShape> {
  return {
    FunctionArn: lambda.arn(fn, c.qualifier),
    LastModified: c.lastModified,
    ...(c.maximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.maximumRetryAttempts } : {}),
    ...(c.maximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: c.maximumEventAgeInSeconds } : {}),
    DestinationConfig: {
      OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {},
      OnFailure: c.onFailure ? { Destination: c.onFailure } : {},
    },
  };
}

/** The input of Put- and UpdateFunctionEventInvokeConfig (the same members; Put replaces, Update merges). */
export const invokeConfigInput = t.struct({
  FunctionName: functionNameLabel,
  Qualifier: qualifierQuery,
  MaximumRetryAttempts: t.integer(),
  MaximumEventAgeInSeconds: t.integer(),
  DestinationConfig: destinationConfig,
});

export async function saveInvokeConfig(lambda: LambdaBackend, input: Infer<typeof invokeConfigInput>, ctx: Pick<RequestContext, 'accountId'>, merge: boolean): Promise<Infer<typeof invokeConfigShape>> {
  const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
  const qualifier = id.qualifier ?? '$LATEST';
  const f = await lambda.function(id.name, id.qualifier);
  checkQualifier(lambda, f.doc, qualifier);
  const prev = merge ? f.doc.invokeConfigs.find((x) => x.qualifier === qualifier) : undefined;
  const c = await buildInvokeConfig(lambda, qualifier, input, prev);
  await updateFunction(lambda, id.name, (d) => ({ ...d, invokeConfigs: [...d.invokeConfigs.filter((x) => x.qualifier !== qualifier), c] }));
  return invokeConfigView(lambda, id.name, c);
}
