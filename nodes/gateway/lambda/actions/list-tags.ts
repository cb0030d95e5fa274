import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { tags } from '../shapes.js';
import { functionOfResource } from '../tags.js';

export const listTags = defineAction<LambdaBackend>()({
  name: 'ListTags',
  http: { method: 'GET', uri: '/2017-03-31/tags/{Resource}' },
  input: t.struct({ Resource: t.string({ required: true, location: 'uri', locationName: 'Resource' }) }),
  output: t.struct({ Tags: tags }),
  async handler(input, ctx, lambda) {
    const name = functionOfResource(lambda, input.Resource, ctx.accountId);
    return { Tags: (await lambda.function(name)).doc.tags };
  },
});
