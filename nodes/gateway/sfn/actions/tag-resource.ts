import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { MAX_TAGS, checkTags } from '../checks.js';
import { requiredArn, tagList, tagMap } from '../shapes.js';
import { taggable } from '../tagging.js';

export const tagResource = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'TagResource',
    input: t.struct({ resourceArn: requiredArn, tags: { ...tagList, required: true } }),
    output: t.struct({}),
    async handler(input, _ctx, sfn) {
      const r = await taggable(sfn, input.resourceArn);
      checkTags(input.resourceArn, input.tags, r.tags);
      await sfn.change({ type: 'tagResource', resource: r.resource, name: r.name, account: sfn.opts.accountId, tags: tagMap(input.tags), tagLimit: MAX_TAGS });
      return {};
    },
  }),
);
