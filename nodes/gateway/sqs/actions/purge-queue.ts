import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SqsBackend } from '../backend.js';
import { fromMetaError } from '../catalog.js';
import { purge } from '../partitions.js';
import { queueUrl } from '../shapes.js';

export const purgeQueue = defineAction<SqsBackend>()({
  name: 'PurgeQueue',
  input: t.struct({ QueueUrl: queueUrl }),
  output: t.struct({}),
  async handler(input, _ctx, sqs) {
    const q = await sqs.byUrl(input.QueueUrl);
    // The 60-second guard is decided once, in the catalog; then every partition drops what it holds.
    const r = await sqs.meta({ type: 'purgeQueue', name: q.name });
    if ('ok' in r) throw fromMetaError(r);
    await purge(sqs, q);
    return {};
  },
});
