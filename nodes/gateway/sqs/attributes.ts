// Queue attributes: which exist, their defaults, their ranges (AWS's quotas, cited), and how
// an attribute map given to CreateQueue or SetQueueAttributes is checked and normalised.
import { AwsError } from '../errors.js';

type Check = (value: string, ctx: { fifo: boolean; name: string }) => string;

const intRange = (name: string, min: number, max: number): Check => (v) => {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
  }
  return String(Number(v));
};

const bool = (name: string): Check => (v) => {
  const l = v.toLowerCase();
  if (l !== 'true' && l !== 'false') throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
  return l;
};

const oneOf = (name: string, values: string[]): Check => (v) => {
  if (!values.includes(v)) throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
  return v;
};

const jsonObject = (name: string, value: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: Invalid JSON.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: Must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
};

const ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/** RedrivePolicy: {"deadLetterTargetArn": "...", "maxReceiveCount": 1..1000}; stored in a normal form. */
const redrivePolicy: Check = (v) => {
  if (v === '') return '';
  const o = jsonObject('RedrivePolicy', v);
  const arn = o.deadLetterTargetArn;
  const count = typeof o.maxReceiveCount === 'string' ? Number(o.maxReceiveCount) : o.maxReceiveCount;
  if (typeof arn !== 'string' || !ARN.test(arn)) {
    throw new AwsError('InvalidParameterValue', 'Value ' + v + ' for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.');
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw new AwsError('InvalidParameterValue', 'Value ' + v + ' for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ' + String(o.maxReceiveCount) + ', valid values are from 1 to 1000 both inclusive.');
  }
  return JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count });
};

const redriveAllowPolicy: Check = (v) => {
  if (v === '') return '';
  const o = jsonObject('RedriveAllowPolicy', v);
  const perm = o.redrivePermission;
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue') {
    throw new AwsError('InvalidParameterValue', `Value ${v} for parameter RedriveAllowPolicy is invalid. Reason: Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.`);
  }
  const arns = o.sourceQueueArns;
  if (perm === 'byQueue') {
    if (!Array.isArray(arns) || arns.length < 1 || arns.length > 10 || !arns.every((a): a is string => typeof a === 'string' && ARN.test(a))) {
      throw new AwsError('InvalidParameterValue', `Value ${v} for parameter RedriveAllowPolicy is invalid. Reason: sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.`);
    }
    return JSON.stringify({ redrivePermission: perm, sourceQueueArns: arns });
  }
  if (arns !== undefined) {
    throw new AwsError('InvalidParameterValue', `Value ${v} for parameter RedriveAllowPolicy is invalid. Reason: sourceQueueArns can be given only when redrivePermission is byQueue.`);
  }
  return JSON.stringify({ redrivePermission: perm });
};

const policy: Check = (v) => {
  if (v !== '') jsonObject('Policy', v);
  return v;
};

interface AttributeSpec {
  check: Check;
  /** Default for a new queue; undefined: absent unless set. */
  standard?: string;
  fifo?: string;
  /** Only FIFO queues have it. */
  fifoOnly?: boolean;
  /** Settable only by CreateQueue. */
  createOnly?: boolean;
}

// Ranges and defaults: AWS SQS quotas and the CreateQueue reference. Looked up by names callers
// send, so without a prototype: `constructor` or `__proto__` must read as unknown attributes.
export const SETTABLE: Record<string, AttributeSpec> = Object.assign(Object.create(null) as Record<string, AttributeSpec>, {
  DelaySeconds: { check: intRange('DelaySeconds', 0, 900), standard: '0', fifo: '0' },
  // AWS raised the limit and the default to 1 MiB in 2025.
  MaximumMessageSize: { check: intRange('MaximumMessageSize', 1024, 1_048_576), standard: '1048576', fifo: '1048576' },
  MessageRetentionPeriod: { check: intRange('MessageRetentionPeriod', 60, 1_209_600), standard: '345600', fifo: '345600' },
  ReceiveMessageWaitTimeSeconds: { check: intRange('ReceiveMessageWaitTimeSeconds', 0, 20), standard: '0', fifo: '0' },
  VisibilityTimeout: { check: intRange('VisibilityTimeout', 0, 43_200), standard: '30', fifo: '30' },
  Policy: { check: policy },
  RedrivePolicy: { check: redrivePolicy },
  RedriveAllowPolicy: { check: redriveAllowPolicy },
  KmsMasterKeyId: { check: (v) => v },
  KmsDataKeyReusePeriodSeconds: { check: intRange('KmsDataKeyReusePeriodSeconds', 60, 86_400) },
  SqsManagedSseEnabled: { check: bool('SqsManagedSseEnabled'), standard: 'true', fifo: 'true' },
  FifoQueue: { check: bool('FifoQueue'), fifo: 'true', fifoOnly: true, createOnly: true },
  ContentBasedDeduplication: { check: bool('ContentBasedDeduplication'), fifo: 'false', fifoOnly: true },
  DeduplicationScope: { check: oneOf('DeduplicationScope', ['messageGroup', 'queue']), fifo: 'queue', fifoOnly: true },
  FifoThroughputLimit: { check: oneOf('FifoThroughputLimit', ['perQueue', 'perMessageGroupId']), fifo: 'perQueue', fifoOnly: true },
} satisfies Record<string, AttributeSpec>);

export const COMPUTED = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

/** Checks and normalises an attribute map; `create` allows create-only attributes. */
export function checkAttributes(given: Record<string, string>, ctx: { fifo: boolean; name: string; create: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(given)) {
    const spec = SETTABLE[k];
    if (!spec) throw new AwsError('InvalidAttributeName', `Unknown Attribute ${k}.`);
    if (spec.fifoOnly && !ctx.fifo) {
      if (k === 'DeduplicationScope' || k === 'FifoThroughputLimit') throw new AwsError('InvalidAttributeName', `You can specify the ${k} only when FifoQueue is set to true.`);
      throw new AwsError('InvalidAttributeName', `Unknown Attribute ${k}.`);
    }
    if (k === 'FifoQueue' && !ctx.create) {
      if (v.toLowerCase() === 'true') continue;
      throw new AwsError('InvalidAttributeValue', 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.');
    }
    out[k] = spec.check(v, ctx);
  }
  if (ctx.create && 'FifoQueue' in out && out.FifoQueue !== String(ctx.fifo)) {
    throw new AwsError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
  }
  if (out.FifoThroughputLimit === 'perMessageGroupId' && (out.DeduplicationScope ?? 'queue') !== 'messageGroup' && ctx.create) {
    throw new AwsError('InvalidAttributeValue', 'Invalid value for the parameter FifoThroughputLimit. Reason: perMessageGroupId is allowed only when DeduplicationScope is messageGroup.');
  }
  return out;
}

/** The full attribute set of a new queue: defaults, then what was given. */
export function withDefaults(given: Record<string, string>, fifo: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, spec] of Object.entries(SETTABLE)) {
    const d = fifo ? spec.fifo : spec.fifoOnly ? undefined : spec.standard;
    if (d !== undefined) out[k] = d;
  }
  return { ...out, ...given };
}

export function redriveOf(attrs: Record<string, string>): { deadLetterTargetArn: string; maxReceiveCount: number } | undefined {
  const v = attrs.RedrivePolicy;
  if (!v) return undefined;
  const o = JSON.parse(v) as { deadLetterTargetArn: string; maxReceiveCount: number };
  return o;
}
