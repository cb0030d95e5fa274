import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { checkAttributes } from '../attributes.js';
import { type SqsBackend } from '../backend.js';
import { checkRedriveTarget, fromMetaError } from '../catalog.js';
import { attributeMap, queueUrl } from '../shapes.js';

export const setQueueAttributes = defineAction<SqsBackend>()({
  name: 'SetQueueAttributes',
  input: t.struct({ QueueUrl: queueUrl, Attributes: { ...attributeMap, required: true } }),
  output: t.struct({}),
  async handler(input, ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    const attributes = checkAttributes(input.Attributes, { fifo: q.fifo, name: q.name, create: false });
    await checkRedriveTarget(sqs, attributes, q.fifo, ctx.region, q.name);
    const r = await sqs.meta({ type: 'setQueueAttributes', name: q.name, attributes });
    if ('ok' in r) throw fromMetaError(r);
    return {};
  },
});
