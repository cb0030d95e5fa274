// Distributed Map runs: a Map state here runs its items inline (ProcessorConfig Mode DISTRIBUTED
// included), so an execution has no map runs and no run ARN names one.
import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type SfnBackend } from '../../backend.js';
import { arn, maxResults, nextToken, requiredArn, timestamp } from '../../shapes.js';

const noSuchRun = (mapRunArn: string): AwsError => new AwsError('SfnResourceNotFound', `Resource not found: '${mapRunArn}'`, { fields: { resourceName: mapRunArn } });

export const listMapRuns = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListMapRuns',
    input: t.struct({ executionArn: requiredArn, maxResults, nextToken }),
    output: t.struct({ mapRuns: t.list(t.struct({ executionArn: arn, mapRunArn: arn, stateMachineArn: arn, startDate: timestamp, stopDate: timestamp })), nextToken }),
    async handler(input, _ctx, sfn) {
      await sfn.executions.describe(input.executionArn);
      return { mapRuns: [] };
    },
  }),
);

export const describeMapRun = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DescribeMapRun',
    input: t.struct({ mapRunArn: requiredArn }),
    output: t.struct({ mapRunArn: arn }),
    async handler(input) {
      throw noSuchRun(input.mapRunArn);
    },
  }),
);

export const updateMapRun = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'UpdateMapRun',
    input: t.struct({ mapRunArn: requiredArn, maxConcurrency: t.integer({ min: 0 }), toleratedFailurePercentage: t.double({ min: 0, max: 100 }), toleratedFailureCount: t.integer({ min: 0 }) }),
    output: t.struct({}),
    async handler(input) {
      throw noSuchRun(input.mapRunArn);
    },
  }),
);
