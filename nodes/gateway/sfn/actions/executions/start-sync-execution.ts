import { randomUUID } from 'node:crypto';
import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type SfnBackend } from '../../backend.js';
import { arn, seconds, timestamp } from '../../shapes.js';
import { cause, cloudWatchEventsExecutionDataDetails, errorName, includedData, startInput } from './shapes.js';

/** AWS bills Express executions in 100 ms steps and at least 64 MB. */
const BILLING_STEP_MS = 100;
const BILLED_MEMORY_MB = 64;

export const startSyncExecution = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'StartSyncExecution',
    input: t.struct({ ...startInput.members, includedData }),
    output: t.struct({
      executionArn: arn,
      stateMachineArn: arn,
      name: t.string(),
      startDate: timestamp,
      stopDate: timestamp,
      status: t.string(),
      error: errorName,
      cause,
      input: t.string(),
      inputDetails: cloudWatchEventsExecutionDataDetails,
      output: t.string(),
      outputDetails: cloudWatchEventsExecutionDataDetails,
      traceHeader: t.string(),
      billingDetails: t.struct({ billedMemoryUsedInMB: t.integer(), billedDurationInMilliseconds: t.integer() }),
    }),
    async handler(input, _ctx, sfn) {
      const ex = sfn.executions;
      const resolved = await sfn.resolveMachine(input.stateMachineArn, { qualified: true });
      if (resolved.machine.type !== 'EXPRESS') throw new AwsError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
      const target = ex.target(resolved);
      const name = input.name ?? randomUUID();
      const inputText = input.input ?? '{}';
      const run = ex.startExpress(target, name, ex.checkStart(name, inputText), inputText, input.traceHeader);
      const r = await run.done;
      const st = r.state;
      const metadataOnly = input.includedData === 'METADATA_ONLY';
      const status = st.status === 'ABORTED' ? 'FAILED' : st.status;
      return {
        executionArn: run.arn,
        stateMachineArn: input.stateMachineArn,
        name,
        startDate: seconds(r.startMs),
        stopDate: seconds(r.stopMs),
        status,
        ...(st.error !== undefined ? { error: st.error } : {}),
        ...(st.cause !== undefined ? { cause: st.cause } : {}),
        ...(metadataOnly ? {} : { input: inputText }),
        inputDetails: { included: !metadataOnly },
        ...(st.status === 'SUCCEEDED' && !metadataOnly ? { output: JSON.stringify(st.output ?? null) } : {}),
        ...(st.status === 'SUCCEEDED' ? { outputDetails: { included: !metadataOnly } } : {}),
        ...(input.traceHeader !== undefined ? { traceHeader: input.traceHeader } : {}),
        billingDetails: { billedMemoryUsedInMB: BILLED_MEMORY_MB, billedDurationInMilliseconds: Math.max(BILLING_STEP_MS, Math.ceil((r.stopMs - r.startMs) / BILLING_STEP_MS) * BILLING_STEP_MS) },
      };
    },
  }),
);
