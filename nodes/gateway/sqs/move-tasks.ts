// Message move tasks as the gateway sees them: task handles, the meta group's task records, and
// how its refusals become SQS errors. The moving itself is done by the source queue's partition
// leaders (nodes/storage/move-tasks.ts).
import { type ErrorResult } from '../../../storage/partitions/envelope.js';
import {
  type MoveTaskCommand,
  type MoveTaskRecord,
  type QueueRecord,
  TASK_MISSING_MESSAGE,
  decodeMoveTaskListResult,
  decodeMoveTaskResult,
  encodeMetaCommand,
  encodeMetaQuery,
} from '../../../storage/partitions/meta-codec.js';
import { META_GROUP } from '../../cluster/placement.js';
import { AwsError } from '../errors.js';
import { redriveOf } from './attributes.js';
import { type SqsBackend } from './backend.js';

// AWS's messages (recorded).
export const NO_SOURCE = "The resource that you specified for the SourceArn parameter doesn't exist.";
export const NO_DESTINATION = "The resource that you specified for the DestinationArn parameter doesn't exist.";
const BAD_HANDLE = 'Value for parameter TaskHandle is invalid.';

/** Handles name the source, so CancelMessageMoveTask finds the task without a global index. */
export function encodeHandle(source: string, id: string): string {
  return Buffer.from(JSON.stringify({ source, id })).toString('base64');
}

export function decodeHandle(handle: string): { source: string; id: string } {
  try {
    const o = JSON.parse(Buffer.from(handle, 'base64').toString('utf8')) as { source?: unknown; id?: unknown };
    // Re-encoding must give the handle back: base64 decoding alone tolerates garbage.
    if (typeof o.source === 'string' && typeof o.id === 'string' && encodeHandle(o.source, o.id) === handle) return { source: o.source, id: o.id };
  } catch {
    // fall through: a handle we did not issue
  }
  throw new AwsError('InvalidParameterValue', BAD_HANDLE);
}

export async function sourceQueue(sqs: SqsBackend, arn: string): Promise<QueueRecord> {
  const q = await sqs.byArn(arn);
  if (!q) throw new AwsError('ResourceNotFoundException', NO_SOURCE);
  return q;
}

/** Whether some queue's RedrivePolicy names `q` as its dead-letter queue (in any region's spelling of the ARN). */
export async function isDeadLetterQueue(sqs: SqsBackend, q: QueueRecord): Promise<boolean> {
  const suffix = `:${sqs.opts.accountId}:${q.name}`;
  return (await sqs.all()).some((x) => redriveOf(x.attributes)?.deadLetterTargetArn.endsWith(suffix) === true);
}

export async function proposeMoveTask(sqs: SqsBackend, cmd: MoveTaskCommand): Promise<MoveTaskRecord | ErrorResult> {
  const r = decodeMoveTaskResult(await sqs.propose(META_GROUP, encodeMetaCommand(cmd)));
  return r.ok ? r.value : r;
}

/** A source's tasks, newest first (the meta group keeps the last ten). */
export async function moveTasksOf(sqs: SqsBackend, source: string): Promise<MoveTaskRecord[]> {
  const r = decodeMoveTaskListResult(await sqs.client.read(META_GROUP, encodeMetaQuery({ type: 'listMoveTasks', source })));
  if (!r.ok) throw new AwsError('InternalFailure', r.message);
  return r.value;
}

/** The meta group re-checks what the gateway checked, so these arise only from races. */
export function fromMoveTaskError(r: ErrorResult): AwsError {
  switch (r.code) {
    case 'NotFound':
      if (r.message.startsWith('source')) return new AwsError('ResourceNotFoundException', NO_SOURCE);
      if (r.message.startsWith('destination')) return new AwsError('ResourceNotFoundException', NO_DESTINATION);
      return new AwsError('ResourceNotFoundException', TASK_MISSING_MESSAGE);
    case 'FailedPrecondition':
    case 'InvalidArgument':
      return new AwsError('InvalidParameterValue', r.message);
    default:
      return new AwsError('InternalFailure', r.message);
  }
}
