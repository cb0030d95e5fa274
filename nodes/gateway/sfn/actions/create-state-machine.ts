import { type StateMachineType } from '../../../../storage/partitions/meta-workflow-codec.js';
import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { checkRoleArn } from '../arns.js';
import { type SfnBackend } from '../backend.js';
import { DEFAULT_LOGGING, DEFAULT_TRACING, checkDefinition, checkName, checkTags, encryptionOf, loggingOf, tracingOf, validation } from '../checks.js';
import {
  arn,
  definition,
  encryptionConfiguration,
  loggingConfiguration,
  name,
  requiredArn,
  stateMachineType,
  tagList,
  tagMap,
  timestamp,
  tracingConfiguration,
  versionDescription,
  seconds,
} from '../shapes.js';

export const createStateMachine = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'CreateStateMachine',
    input: t.struct({
      name,
      definition: { ...definition, required: true },
      roleArn: requiredArn,
      type: stateMachineType,
      loggingConfiguration,
      tags: tagList,
      tracingConfiguration,
      publish: t.boolean(),
      versionDescription,
      encryptionConfiguration,
    }),
    output: t.struct({ stateMachineArn: arn, creationDate: timestamp, stateMachineVersionArn: arn }),
    async handler(input, _ctx, sfn) {
      checkName(input.name);
      const type = (input.type ?? 'STANDARD') as StateMachineType;
      checkRoleArn(input.roleArn);
      if (input.versionDescription !== undefined && input.publish !== true) throw validation('Version description can only be set when publish is true');
      checkDefinition(input.definition, type);
      const logging = input.loggingConfiguration ? loggingOf(input.loggingConfiguration) : DEFAULT_LOGGING;
      const tracing = input.tracingConfiguration ? tracingOf(input.tracingConfiguration) : DEFAULT_TRACING;
      const encryption = input.encryptionConfiguration ? encryptionOf(input.encryptionConfiguration) : undefined;
      const machineArn = sfn.stateMachineArn(input.name);
      checkTags(machineArn, input.tags ?? []);
      const r = await sfn.change({
        type: 'createStateMachine',
        name: input.name,
        account: sfn.opts.accountId,
        machineType: type,
        definition: input.definition,
        roleArn: input.roleArn,
        loggingConfiguration: logging,
        tracingConfiguration: tracing,
        ...(encryption ? { encryptionConfiguration: encryption } : {}),
        tags: tagMap(input.tags),
        revisionId: sfn.newRevisionId(),
        publish: input.publish === true,
        ...(input.versionDescription !== undefined ? { versionDescription: input.versionDescription } : {}),
        replicationFactor: await sfn.replicationFactor(),
        stateMachineLimit: sfn.opts.stateMachineLimit,
      });
      const m = r.stateMachine!;
      return {
        stateMachineArn: machineArn,
        creationDate: seconds(m.creationDate),
        ...(r.version !== undefined ? { stateMachineVersionArn: sfn.versionArn(m.name, r.version) } : {}),
      };
    },
  }),
);
