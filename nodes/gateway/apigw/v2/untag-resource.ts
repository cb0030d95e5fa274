import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { resourceArnLabel } from './tag-resource.js';
import { editTags, taggable } from './tags.js';

export const untagResource = defineAction<ApigwBackend>()({
  name: 'UntagResource',
  http: { method: 'DELETE', uri: '/v2/tags/{resourceArn}', code: 204 },
  input: t.struct({ resourceArn: resourceArnLabel, tagKeys: t.list(t.string(), { required: true, location: 'querystring', locationName: 'tagKeys' }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editTags(backend, taggable(input.resourceArn), (tags) => Object.fromEntries(Object.entries(tags).filter(([k]) => !input.tagKeys.includes(k))));
    return {};
  },
});
