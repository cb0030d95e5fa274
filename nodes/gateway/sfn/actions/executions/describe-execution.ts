import { defineAction } from '../../../action.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type SfnBackend } from '../../backend.js';
import { arn, requiredArn, seconds, timestamp } from '../../shapes.js';
import { redriveStatusOf } from './redrive-status.js';
import { cause, cloudWatchEventsExecutionDataDetails, errorName, executionStatus, includedData } from './shapes.js';

export const describeExecution = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DescribeExecution',
    input: t.struct({ executionArn: requiredArn, includedData }),
    output: t.struct({
      executionArn: arn,
      stateMachineArn: arn,
      name: t.string(),
      status: executionStatus,
      startDate: timestamp,
      stopDate: timestamp,
      input: t.string(),
      inputDetails: cloudWatchEventsExecutionDataDetails,
      output: t.string(),
      outputDetails: cloudWatchEventsExecutionDataDetails,
      traceHeader: t.string(),
      mapRunArn: arn,
      error: errorName,
      cause,
      stateMachineVersionArn: arn,
      stateMachineAliasArn: arn,
      redriveCount: t.integer(),
      redriveDate: timestamp,
      redriveStatus: t.string(),
      redriveStatusReason: t.string(),
    }),
    async handler(input, _ctx, sfn) {
      const { d } = await sfn.executions.describe(input.executionArn);
      const data = input.includedData !== 'METADATA_ONLY';
      const redrive = redriveStatusOf(d, Date.now());
      return {
        executionArn: d.executionArn,
        stateMachineArn: d.stateMachineArn,
        name: d.name,
        status: d.status,
        startDate: seconds(d.startDate),
        ...(d.stopDate !== undefined ? { stopDate: seconds(d.stopDate) } : {}),
        ...(data ? { input: d.input } : {}),
        inputDetails: { included: data },
        ...(d.output !== undefined && data ? { output: d.output } : {}),
        ...(d.output !== undefined ? { outputDetails: { included: data } } : {}),
        ...(d.traceHeader !== undefined ? { traceHeader: d.traceHeader } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(d.cause !== undefined ? { cause: d.cause } : {}),
        ...(d.versionArn !== undefined ? { stateMachineVersionArn: d.versionArn } : {}),
        ...(d.aliasArn !== undefined ? { stateMachineAliasArn: d.aliasArn } : {}),
        redriveCount: d.redriveCount,
        ...(d.redriveDate !== undefined ? { redriveDate: seconds(d.redriveDate) } : {}),
        redriveStatus: redrive.status,
        ...(redrive.reason !== undefined ? { redriveStatusReason: redrive.reason } : {}),
      };
    },
  }),
);
