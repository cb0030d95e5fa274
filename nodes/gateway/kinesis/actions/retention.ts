import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, streamRef } from '../shapes.js';

const input = t.struct({ ...streamRef, RetentionPeriodHours: t.integer({ required: true }) });

function retentionAction(name: string, direction: 'increase' | 'decrease') {
  return defineAction<KinesisBackend>()({
    name,
    input,
    output: empty,
    async handler(i, ctx, k) {
      const s = await k.resolve(i);
      await k.meta({ type: 'setRetention', name: s.name, account: ctx.accountId, hours: i.RetentionPeriodHours, direction });
      return {};
    },
  });
}

export const increaseStreamRetentionPeriod = retentionAction('IncreaseStreamRetentionPeriod', 'increase');
export const decreaseStreamRetentionPeriod = retentionAction('DecreaseStreamRetentionPeriod', 'decrease');
