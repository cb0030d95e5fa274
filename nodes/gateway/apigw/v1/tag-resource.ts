import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { tagsShape } from './shapes.js';
import { checkTags, editTags, taggable } from './tags.js';

export const resourceArnLabel = t.string({ required: true, location: 'uri' });

export const tagResource = defineAction<ApigwBackend>()({
  name: 'TagResource',
  http: { method: 'PUT', uri: '/tags/{resourceArn}', code: 204 },
  input: t.struct({ resourceArn: resourceArnLabel, tags: t.map(t.string(), { required: true }) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    checkTags(input.tags);
    await editTags(backend, taggable(input.resourceArn), (tags) => ({ ...tags, ...input.tags }));
    return {};
  },
});
