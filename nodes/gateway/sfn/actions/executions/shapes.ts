// Shapes the execution actions share (member names and constraints from the SFN model).
import { t } from '../../../shapes.js';
import { requiredArn } from '../../shapes.js';

export const startInput = t.struct({
  stateMachineArn: requiredArn,
  name: t.string({ min: 1, max: 80 }),
  input: t.string({ max: 262_144 }),
  traceHeader: t.string({ max: 256 }),
});

export const includedData = t.string({ enum: ['ALL_DATA', 'METADATA_ONLY'] });
export const taskToken = t.string({ required: true, min: 1, max: 2048 });
export const errorName = t.string({ max: 256 });
export const cause = t.string({ max: 32_768 });
export const cloudWatchEventsExecutionDataDetails = t.struct({ included: t.boolean() });
export const executionStatus = t.string({ enum: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] });
