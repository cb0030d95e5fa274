import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type ActivityTask } from '../../../../../storage/partitions/workflow-codec.js';
import { expectArn } from '../../arns.js';
import { type SfnBackend } from '../../backend.js';
import { requiredArn } from '../../shapes.js';

/** AWS: GetActivityTask waits up to 60 seconds for a task. */
export const ACTIVITY_POLL_MS = 60_000;

export const getActivityTask = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'GetActivityTask',
    input: t.struct({ activityArn: requiredArn, workerName: t.string({ min: 1, max: 80 }) }),
    output: t.struct({ taskToken: t.string(), input: t.string() }),
    async handler(input, ctx, sfn) {
      const arn = expectArn(input.activityArn, 'activity');
      const activity = arn.region === sfn.opts.region && arn.account === sfn.opts.accountId ? await sfn.findActivity(arn.name) : undefined;
      if (!activity) throw new AwsError('ActivityDoesNotExist', `Activity Does Not Exist: '${input.activityArn}'`);
      const group = sfn.executions.group(activity.groupId);
      const deadline = Date.now() + (sfn.opts.activityPollMs ?? ACTIVITY_POLL_MS);
      const worker = input.workerName ?? '';
      let mark = 0;
      while (!ctx.signal.aborted) {
        const task = await group.command<ActivityTask | null>({ type: 'takeActivityTask', workerName: worker });
        if (task) {
          const { input: taskInput } = await group.query<{ task: ActivityTask; input: string }>({ type: 'activityTask', token: task.token });
          // The execution records ActivityStarted; a task whose execution is gone is dropped and the poll goes on.
          try {
            await sfn.executions.callback(task.token, { kind: 'started', ...(input.workerName !== undefined ? { workerName: input.workerName } : {}) });
          } catch (err) {
            await group.command({ type: 'dropActivityTask', token: task.token });
            if (err instanceof AwsError && (err.code === 'TaskDoesNotExist' || err.code === 'TaskTimedOut')) continue;
            throw err;
          }
          // Handed out: the queue forgets it (nothing else would). A scheduler that took the
          // execution over after a crash may queue it again; activity tasks run at least once.
          await group.command({ type: 'dropActivityTask', token: task.token });
          return { taskToken: task.token, input: taskInput };
        }
        const left = deadline - Date.now();
        if (left <= 0) break;
        mark = await group.watch(mark, Math.min(left, 5000));
      }
      // AWS answers an empty task when none arrived in time.
      return {};
    },
  }),
);
