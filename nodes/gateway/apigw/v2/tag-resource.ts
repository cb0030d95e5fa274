import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { checkTags, editTags, taggable } from './tags.js';

export const resourceArnLabel = t.string({ required: true, location: 'uri' });

export const tagResource = defineAction<ApigwBackend>()({
  name: 'TagResource',
  http: { method: 'POST', uri: '/v2/tags/{resourceArn}', code: 201 },
  input: t.struct({ resourceArn: resourceArnLabel, tags: t.map(t.string()) }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    const tags = input.tags ?? {};
    checkTags(tags);
    await editTags(backend, taggable(input.resourceArn), (cur) => ({ ...cur, ...tags }));
    return {};
  },
});
