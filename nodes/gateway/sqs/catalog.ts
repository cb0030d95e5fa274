// Catalog helpers shared by the queue-level actions: tag checks, redrive targets, and the
// mapping of meta-group refusals to SQS errors.
import { type ErrorResult } from '../../../storage/partitions/envelope.js';
import { type QueueRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';
import { redriveOf } from './attributes.js';
import { type SqsBackend } from './backend.js';
import { statsProbe } from './partitions.js';

/** AWS: at most 50 tags per queue; keys 1-128 characters, values 0-256. */
export function checkTags(tags: Record<string, string>): Record<string, string> {
  const keys = Object.keys(tags);
  if (keys.length > 50) throw new AwsError('InvalidParameterValue', `Too many tags added for queue. A queue can have at most 50 tags, got ${keys.length}.`);
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) throw new AwsError('InvalidParameterValue', `Tag keys must be between 1 and 128 characters in length.`);
    if (v.length > 256) throw new AwsError('InvalidParameterValue', `Tag values must be between 0 and 256 characters in length.`);
  }
  return tags;
}

/**
 * The dead-letter queue a RedrivePolicy names must exist, be of the same type, and allow this
 * queue as a source by its RedriveAllowPolicy (AWS).
 */
export async function checkRedriveTarget(sqs: SqsBackend, attributes: Record<string, string>, fifo: boolean, region: string, source: string): Promise<void> {
  const r = redriveOf(attributes);
  if (!r) return;
  const dlq = await sqs.byArn(r.deadLetterTargetArn);
  const policy = attributes.RedrivePolicy ?? '';
  if (!dlq) throw new AwsError('InvalidParameterValue', `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
  if (dlq.fifo !== fifo) {
    throw new AwsError('InvalidParameterValue', `Value ${policy} for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source..`);
  }
  const allow = dlq.attributes.RedriveAllowPolicy ? (JSON.parse(dlq.attributes.RedriveAllowPolicy) as { redrivePermission: string; sourceQueueArns?: string[] }) : undefined;
  const sourceArn = sqs.arn(region, source);
  if (allow && (allow.redrivePermission === 'denyAll' || (allow.redrivePermission === 'byQueue' && !(allow.sourceQueueArns ?? []).includes(sourceArn)))) {
    throw new AwsError('InvalidParameterValue', `Value ${policy} for parameter RedrivePolicy is invalid. Reason: The dead-letter queue's RedriveAllowPolicy does not allow ${sourceArn} as a source queue.`);
  }
}

export function fromMetaError(r: ErrorResult): AwsError {
  switch (r.code) {
    case 'NotFound':
      return new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
    case 'AlreadyExists':
      return new AwsError('QueueAlreadyExists', r.message);
    case 'FailedPrecondition':
      return /PurgeQueue/.test(r.message) ? new AwsError('PurgeQueueInProgress', r.message) : new AwsError('QueueDeletedRecently', r.message);
    default:
      return new AwsError('InvalidParameterValue', r.message);
  }
}

/** A new queue answers once each partition has a leader that serves reads. */
export async function waitForPartitions(sqs: SqsBackend, q: QueueRecord): Promise<void> {
  await sqs.placement.waitForLeaders(q.groupIds, statsProbe(), 15_000);
}
