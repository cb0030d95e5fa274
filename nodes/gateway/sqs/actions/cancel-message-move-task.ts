import { TASK_MISSING_MESSAGE } from '../../../../storage/partitions/meta-codec.js';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { NO_SOURCE, decodeHandle, fromMoveTaskError, proposeMoveTask } from '../move-tasks.js';

export const cancelMessageMoveTask = defineAction<SqsBackend>()({
  name: 'CancelMessageMoveTask',
  input: t.struct({ TaskHandle: t.string({ required: true }) }),
  output: t.struct({ ApproximateNumberOfMessagesMoved: t.integer() }),
  async handler(input, _ctx, sqs) {
    const { source } = decodeHandle(input.TaskHandle);
    const q = await sqs.byName(source);
    if (!q) throw new AwsError('ResourceNotFoundException', NO_SOURCE);
    const r = await proposeMoveTask(sqs, { type: 'cancelMoveTask', source: q.name, handle: input.TaskHandle });
    // Only a running task can be cancelled: a finished one is, to the caller, no task.
    if ('ok' in r) throw r.code === 'FailedPrecondition' ? new AwsError('ResourceNotFoundException', TASK_MISSING_MESSAGE) : fromMoveTaskError(r);
    return { ApproximateNumberOfMessagesMoved: r.moved };
  },
});
