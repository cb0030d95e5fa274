import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { checkRoleArn } from '../arns.js';
import { type SfnBackend } from '../backend.js';
import { checkDefinition, encryptionOf, loggingOf, tracingOf, validation } from '../checks.js';
import { arn, definition, encryptionConfiguration, loggingConfiguration, requiredArn, seconds, timestamp, tracingConfiguration, versionDescription } from '../shapes.js';

export const updateStateMachine = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'UpdateStateMachine',
    input: t.struct({
      stateMachineArn: requiredArn,
      definition,
      roleArn: arn,
      loggingConfiguration,
      tracingConfiguration,
      publish: t.boolean(),
      versionDescription,
      encryptionConfiguration,
    }),
    output: t.struct({ updateDate: timestamp, revisionId: t.string(), stateMachineVersionArn: arn }),
    async handler(input, _ctx, sfn) {
      const { machine } = await sfn.resolveMachine(input.stateMachineArn);
      if (
        input.definition === undefined &&
        input.roleArn === undefined &&
        input.loggingConfiguration === undefined &&
        input.tracingConfiguration === undefined &&
        input.encryptionConfiguration === undefined
      ) {
        throw new AwsError(
          'SfnMissingRequiredParameter',
          'Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified',
        );
      }
      if (input.versionDescription !== undefined && input.publish !== true) throw validation('Version description can only be set when publish is true');
      if (input.roleArn !== undefined) checkRoleArn(input.roleArn);
      if (input.definition !== undefined) checkDefinition(input.definition, machine.type);
      const logging = input.loggingConfiguration ? loggingOf(input.loggingConfiguration) : undefined;
      const tracing = input.tracingConfiguration ? tracingOf(input.tracingConfiguration) : undefined;
      const encryption = input.encryptionConfiguration ? encryptionOf(input.encryptionConfiguration) : undefined;
      const r = await sfn.change({
        type: 'updateStateMachine',
        name: machine.name,
        account: sfn.opts.accountId,
        ...(input.definition !== undefined ? { definition: input.definition } : {}),
        ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}),
        ...(logging ? { loggingConfiguration: logging } : {}),
        ...(tracing ? { tracingConfiguration: tracing } : {}),
        ...(encryption ? { encryptionConfiguration: encryption } : {}),
        revisionId: sfn.newRevisionId(),
        publish: input.publish === true,
        ...(input.versionDescription !== undefined ? { versionDescription: input.versionDescription } : {}),
        versionLimit: sfn.opts.versionLimit,
      });
      const m = r.stateMachine!;
      return {
        updateDate: seconds(m.updateDate ?? m.creationDate),
        revisionId: m.revisionId,
        ...(r.version !== undefined ? { stateMachineVersionArn: sfn.versionArn(m.name, r.version) } : {}),
      };
    },
  }),
);
