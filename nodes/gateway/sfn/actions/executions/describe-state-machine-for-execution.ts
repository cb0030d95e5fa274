import { defineAction } from '../../../action.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type SfnBackend } from '../../backend.js';
import { arn, definition, encryptionConfiguration, encryptionOut, loggingConfiguration, loggingOut, requiredArn, seconds, timestamp, tracingConfiguration, tracingOut } from '../../shapes.js';
import { includedData } from './shapes.js';

/** The definition the execution runs (its revision at start), whatever the machine holds now. */
export const describeStateMachineForExecution = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DescribeStateMachineForExecution',
    input: t.struct({ executionArn: requiredArn, includedData }),
    output: t.struct({
      stateMachineArn: arn,
      name: t.string(),
      definition,
      roleArn: arn,
      updateDate: timestamp,
      loggingConfiguration,
      tracingConfiguration,
      mapRunArn: arn,
      label: t.string(),
      revisionId: t.string(),
      encryptionConfiguration,
      variableReferences: t.map(t.list(t.string())),
    }),
    async handler(input, _ctx, sfn) {
      const { machine, group, d } = await sfn.executions.describe(input.executionArn);
      const version = machine.versions.find((v) => v.revisionId === d.definitionId);
      const src = version ?? machine;
      const text = await group.definition(d.definitionId);
      const encryption = encryptionOut(src.encryptionConfiguration);
      return {
        stateMachineArn: d.versionArn ?? d.stateMachineArn,
        name: machine.name,
        ...(input.includedData === 'METADATA_ONLY' ? {} : { definition: text }),
        roleArn: d.roleArn,
        updateDate: seconds(machine.updateDate ?? machine.creationDate),
        loggingConfiguration: loggingOut(src.loggingConfiguration),
        tracingConfiguration: tracingOut(src.tracingConfiguration),
        revisionId: d.definitionId,
        ...(encryption ? { encryptionConfiguration: encryption } : {}),
      };
    },
  }),
);
