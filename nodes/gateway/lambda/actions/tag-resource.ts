import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { tags } from '../shapes.js';
import { functionOfResource, mergeTags } from '../tags.js';

export const tagResource = defineAction<LambdaBackend>()({
  name: 'TagResource',
  http: { method: 'POST', uri: '/2017-03-31/tags/{Resource}', code: 204 },
  input: t.struct({ Resource: t.string({ required: true, location: 'uri', locationName: 'Resource' }), Tags: { ...tags, required: true } }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const name = functionOfResource(lambda, input.Resource, ctx.accountId);
    await updateFunction(lambda, name, (d) => ({ ...d, tags: mergeTags(d.tags, input.Tags) }));
    return {};
  },
});
