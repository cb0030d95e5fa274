import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, streamRef } from '../shapes.js';

export const deleteStream = defineAction<KinesisBackend>()({
  name: 'DeleteStream',
  input: t.struct({ ...streamRef, EnforceConsumerDeletion: t.boolean() }),
  output: empty,
  async handler(input, ctx, k) {
    const s = await k.resolve(input);
    await k.meta({ type: 'deleteStream', name: s.name, account: ctx.accountId, enforceConsumerDeletion: input.EnforceConsumerDeletion === true });
    return {};
  },
});
