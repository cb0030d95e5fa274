import { type StateMachineRecord, type VersionRecord } from '../../../../storage/partitions/meta-workflow-codec.js';
import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { arn, definition, encryptionConfiguration, encryptionOut, loggingConfiguration, loggingOut, requiredArn, seconds, stateMachineType, timestamp, tracingConfiguration, tracingOut } from '../shapes.js';

/**
 * A version ARN describes the version (its definition, role, configuration, revision and
 * description); an alias ARN the version it routes most of its traffic to.
 */
export const describeStateMachine = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'DescribeStateMachine',
    input: t.struct({ stateMachineArn: requiredArn, includedData: t.string({ enum: ['ALL_DATA', 'METADATA_ONLY'] }) }),
    output: t.struct({
      stateMachineArn: arn,
      name: t.string(),
      status: t.string(),
      definition,
      roleArn: arn,
      type: stateMachineType,
      creationDate: timestamp,
      loggingConfiguration,
      tracingConfiguration,
      label: t.string(),
      revisionId: t.string(),
      description: t.string(),
      encryptionConfiguration,
      variableReferences: t.map(t.list(t.string())),
    }),
    async handler(input, _ctx, sfn) {
      const { machine, version, alias } = await sfn.resolveMachine(input.stateMachineArn, { qualified: true });
      let shown: VersionRecord | undefined = version;
      if (alias) {
        const main = [...alias.routes].sort((a, b) => b.weight - a.weight || a.version - b.version)[0]!;
        shown = machine.versions.find((v) => v.version === main.version);
      }
      const src: StateMachineRecord | VersionRecord = shown ?? machine;
      const encryption = encryptionOut(src.encryptionConfiguration);
      return {
        stateMachineArn: shown ? sfn.versionArn(machine.name, shown.version) : sfn.stateMachineArn(machine.name),
        name: machine.name,
        status: 'ACTIVE',
        ...(input.includedData === 'METADATA_ONLY' ? {} : { definition: src.definition }),
        roleArn: src.roleArn,
        type: machine.type,
        creationDate: seconds(src.creationDate),
        loggingConfiguration: loggingOut(src.loggingConfiguration),
        tracingConfiguration: tracingOut(src.tracingConfiguration),
        revisionId: src.revisionId,
        ...(src.description !== undefined ? { description: src.description } : {}),
        ...(encryption ? { encryptionConfiguration: encryption } : {}),
      };
    },
  }),
);
