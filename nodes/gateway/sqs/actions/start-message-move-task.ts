import { randomUUID } from 'node:crypto';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { NO_DESTINATION, encodeHandle, fromMoveTaskError, isDeadLetterQueue, proposeMoveTask, sourceQueue } from '../move-tasks.js';
import { queueStats } from '../partitions.js';

export const startMessageMoveTask = defineAction<SqsBackend>()({
  name: 'StartMessageMoveTask',
  input: t.struct({ SourceArn: t.string({ required: true }), DestinationArn: t.string(), MaxNumberOfMessagesPerSecond: t.integer() }),
  output: t.struct({ TaskHandle: t.string() }),
  async handler(input, _ctx, sqs) {
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && (rate < 1 || rate > 500)) {
      throw new AwsError('InvalidParameterValue', `Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`);
    }
    const source = await sourceQueue(sqs, input.SourceArn);
    if (!(await isDeadLetterQueue(sqs, source))) throw new AwsError('InvalidParameterValue', 'Source queue must be configured as a Dead Letter Queue.');
    const dest = input.DestinationArn === undefined ? undefined : await sqs.byArn(input.DestinationArn);
    if (input.DestinationArn !== undefined && !dest) throw new AwsError('ResourceNotFoundException', NO_DESTINATION);
    if (dest && dest.name === source.name) throw new AwsError('InvalidParameterValue', 'The source queue and the destination queue must be different.');
    // A queue's dead-letter queue has its type, so only an explicit destination can differ.
    if (dest && dest.fifo !== source.fifo) throw new AwsError('InvalidParameterValue', 'The source queue and the destination queue must be of the same type.');
    const s = await queueStats(sqs, source);
    const handle = encodeHandle(source.name, randomUUID());
    const r = await proposeMoveTask(sqs, {
      type: 'startMoveTask',
      handle,
      source: source.name,
      ...(dest ? { destination: dest.name } : {}),
      ...(rate !== undefined ? { maxPerSecond: rate } : {}),
      toMove: s.visible + s.inFlight + s.delayed,
    });
    if ('ok' in r) throw fromMoveTaskError(r);
    return { TaskHandle: handle };
  },
});
