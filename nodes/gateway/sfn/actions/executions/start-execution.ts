import { randomUUID } from 'node:crypto';
import { defineAction } from '../../../action.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { DEFAULT_MAX_OPEN } from '../../../../../storage/partitions/workflow-codec.js';
import { type SfnBackend } from '../../backend.js';
import { arn, seconds, timestamp } from '../../shapes.js';
import { startInput } from './shapes.js';

export const startExecution = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'StartExecution',
    input: startInput,
    output: t.struct({ executionArn: arn, startDate: timestamp }),
    async handler(input, _ctx, sfn) {
      const ex = sfn.executions;
      const target = ex.target(await sfn.resolveMachine(input.stateMachineArn, { qualified: true }));
      const name = input.name ?? randomUUID();
      const inputText = input.input ?? '{}';
      const parsed = ex.checkStart(name, inputText);
      if (target.machine.type === 'EXPRESS') {
        // AWS: Express executions are not idempotent and return at once; the execution runs on.
        const run = ex.startExpress(target, name, parsed, inputText, input.traceHeader);
        return { executionArn: run.arn, startDate: seconds(run.startDate) };
      }
      const r = await ex.startStandard(target, name, inputText, parsed, input.traceHeader, sfn.opts.maxOpenExecutions ?? DEFAULT_MAX_OPEN);
      return { executionArn: r.executionArn, startDate: seconds(r.startDate) };
    },
  }),
);

