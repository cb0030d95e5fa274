import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { resourceArnLabel } from './tag-resource.js';
import { readTags, taggable } from './tags.js';

export const getTags = defineAction<ApigwBackend>()({
  name: 'GetTags',
  http: { method: 'GET', uri: '/v2/tags/{resourceArn}' },
  input: t.struct({ resourceArn: resourceArnLabel }),
  output: t.struct({ tags: t.map(t.string()) }),
  async handler(input, _ctx, backend) {
    return { tags: await readTags(backend, taggable(input.resourceArn)) };
  },
});
