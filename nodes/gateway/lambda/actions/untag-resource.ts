import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { functionOfResource } from '../tags.js';

export const untagResource = defineAction<LambdaBackend>()({
  name: 'UntagResource',
  http: { method: 'DELETE', uri: '/2017-03-31/tags/{Resource}', code: 204 },
  input: t.struct({
    Resource: t.string({ required: true, location: 'uri', locationName: 'Resource' }),
    TagKeys: t.list(t.string(), { required: true, location: 'querystring', locationName: 'tagKeys' }),
  }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const name = functionOfResource(lambda, input.Resource, ctx.accountId);
    await updateFunction(lambda, name, (d) => ({ ...d, tags: Object.fromEntries(Object.entries(d.tags).filter(([k]) => !input.TagKeys.includes(k))) }));
    return {};
  },
});
