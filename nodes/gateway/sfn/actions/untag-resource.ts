import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { requiredArn } from '../shapes.js';
import { taggable } from '../tagging.js';

export const untagResource = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'UntagResource',
    input: t.struct({ resourceArn: requiredArn, tagKeys: t.list(t.string({ min: 1, max: 128 }), { required: true }) }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      const r = await taggable(sfn, input.resourceArn);
      await sfn.change({ type: 'untagResource', resource: r.resource, name: r.name, account: sfn.opts.accountId, keys: input.tagKeys });
      return {};
    },
  }),
);
