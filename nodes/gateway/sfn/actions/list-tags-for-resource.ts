import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { requiredArn, tagList, tagListOf } from '../shapes.js';
import { taggable } from '../tagging.js';

export const listTagsForResource = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ListTagsForResource',
    input: t.struct({ resourceArn: requiredArn }),
    output: t.struct({ tags: tagList }),
    async handler(input, _ctx, sfn) {
      return { tags: tagListOf((await taggable(sfn, input.resourceArn)).tags) };
    },
  }),
);
