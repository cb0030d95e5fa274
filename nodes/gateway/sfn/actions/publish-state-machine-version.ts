import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { arn, requiredArn, seconds, timestamp, versionDescription } from '../shapes.js';

/**
 * AWS: publishing the revision a version already froze answers that version; a `revisionId`
 * that is not the current revision is a ConflictException.
 */
export const publishStateMachineVersion = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'PublishStateMachineVersion',
    input: t.struct({ stateMachineArn: requiredArn, revisionId: t.string({ max: 2048 }), description: versionDescription }),
    output: t.struct({ creationDate: timestamp, stateMachineVersionArn: arn }),
    async handler(input, _ctx, sfn) {
      const { machine } = await sfn.resolveMachine(input.stateMachineArn);
      const r = await sfn.change({
        type: 'publishVersion',
        name: machine.name,
        account: sfn.opts.accountId,
        ...(input.revisionId !== undefined ? { expectedRevisionId: input.revisionId } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        versionLimit: sfn.opts.versionLimit,
      });
      const m = r.stateMachine!;
      const v = m.versions.find((x) => x.version === r.version)!;
      return { creationDate: seconds(v.creationDate), stateMachineVersionArn: sfn.versionArn(m.name, v.version) };
    },
  }),
);
