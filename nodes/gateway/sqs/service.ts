// The SQS service as the gateway dispatches it: JSON 1.0 (`AmazonSQS.<Action>`, with
// query-compatible errors) and the Query protocol (API version 2012-11-05).
import { type ServiceSpec, actionMap, eraseService } from '../action.js';
import { cancelMessageMoveTask } from './actions/cancel-message-move-task.js';
import { changeMessageVisibility } from './actions/change-message-visibility.js';
import { changeMessageVisibilityBatch } from './actions/change-message-visibility-batch.js';
import { createQueue } from './actions/create-queue.js';
import { deleteMessage } from './actions/delete-message.js';
import { deleteMessageBatch } from './actions/delete-message-batch.js';
import { deleteQueue } from './actions/delete-queue.js';
import { getQueueAttributes } from './actions/get-queue-attributes.js';
import { getQueueUrl } from './actions/get-queue-url.js';
import { listDeadLetterSourceQueues } from './actions/list-dead-letter-source-queues.js';
import { listMessageMoveTasks } from './actions/list-message-move-tasks.js';
import { listQueueTags } from './actions/list-queue-tags.js';
import { listQueues } from './actions/list-queues.js';
import { purgeQueue } from './actions/purge-queue.js';
import { receiveMessage } from './actions/receive-message.js';
import { sendMessage } from './actions/send-message.js';
import { sendMessageBatch } from './actions/send-message-batch.js';
import { setQueueAttributes } from './actions/set-queue-attributes.js';
import { startMessageMoveTask } from './actions/start-message-move-task.js';
import { tagQueue } from './actions/tag-queue.js';
import { untagQueue } from './actions/untag-queue.js';
import { type SqsBackend } from './backend.js';

export const SQS_ACTIONS = actionMap<SqsBackend>([
  createQueue,
  getQueueUrl,
  listQueues,
  deleteQueue,
  getQueueAttributes,
  setQueueAttributes,
  tagQueue,
  untagQueue,
  listQueueTags,
  purgeQueue,
  listDeadLetterSourceQueues,
  sendMessage,
  sendMessageBatch,
  receiveMessage,
  deleteMessage,
  deleteMessageBatch,
  changeMessageVisibility,
  changeMessageVisibilityBatch,
  startMessageMoveTask,
  listMessageMoveTasks,
  cancelMessageMoveTask,
]);

export function sqsService(backend: SqsBackend): ServiceSpec {
  return eraseService<SqsBackend>({
    signingName: 'sqs',
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    queryCompatible: true,
    queryVersion: '2012-11-05',
    xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/',
    actions: SQS_ACTIONS,
    deps: backend,
  });
}
