import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { moveTasksOf, sourceQueue } from '../move-tasks.js';

export const listMessageMoveTasks = defineAction<SqsBackend>()({
  name: 'ListMessageMoveTasks',
  input: t.struct({ SourceArn: t.string({ required: true }), MaxResults: t.integer() }),
  output: t.struct({
    Results: t.list(
      t.struct({
        TaskHandle: t.string(),
        Status: t.string(),
        SourceArn: t.string(),
        DestinationArn: t.string(),
        MaxNumberOfMessagesPerSecond: t.integer(),
        ApproximateNumberOfMessagesMoved: t.integer(),
        ApproximateNumberOfMessagesToMove: t.integer(),
        FailureReason: t.string(),
        StartedTimestamp: t.integer(),
      }),
      { queryName: 'ListMessageMoveTasksResultEntry' },
    ),
  }),
  async handler(input, ctx, sqs) {
    // AWS: 1-10, default 1 (the most recent task).
    const max = input.MaxResults ?? 1;
    if (max < 1 || max > 10) throw new AwsError('InvalidParameterValue', `Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10, if provided.`);
    const source = await sourceQueue(sqs, input.SourceArn);
    const tasks = (await moveTasksOf(sqs, source.name)).slice(0, max);
    return {
      Results: tasks.map((task) => ({
        // AWS: only a running task's handle is shown (it is what CancelMessageMoveTask takes).
        TaskHandle: task.status === 'RUNNING' ? task.handle : undefined,
        Status: task.status,
        SourceArn: sqs.arn(ctx.region, task.source),
        DestinationArn: task.destination !== undefined ? sqs.arn(ctx.region, task.destination) : undefined,
        MaxNumberOfMessagesPerSecond: task.maxPerSecond,
        ApproximateNumberOfMessagesMoved: task.moved,
        ApproximateNumberOfMessagesToMove: task.toMove,
        FailureReason: task.failureReason,
        StartedTimestamp: task.startedAtMs,
      })),
    };
  },
});
