import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { authorize } from '../access.js';
import { type SnsBackend } from '../backend.js';
import { topicArn } from '../shapes.js';

export const deleteTopic = defineAction<SnsBackend>()({
  name: 'DeleteTopic',
  input: t.struct({ TopicArn: topicArn }),
  output: t.struct({}),
  async handler(input, ctx, sns) {
    const name = sns.topicName(input.TopicArn);
    const topic = await sns.find(name);
    // AWS: deleting a topic that does not exist is not an error.
    if (!topic) return {};
    authorize(sns, topic, ctx, 'SNS:DeleteTopic');
    try {
      await sns.meta({ type: 'deleteTopic', name, account: sns.opts.accountId });
    } catch (e) {
      if (!(e instanceof Error && e.message === 'Topic does not exist')) throw e;
    }
    return {};
  },
});
