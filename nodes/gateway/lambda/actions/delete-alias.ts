import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { functionNameLabel } from '../shapes.js';

export const deleteAlias = defineAction<LambdaBackend>()({
  name: 'DeleteAlias',
  http: { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}', code: 204 },
  input: t.struct({ FunctionName: functionNameLabel, Name: t.string({ required: true, location: 'uri', locationName: 'Name' }) }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    // Deleting an alias that does not exist succeeds, as in Lambda.
    await updateFunction(lambda, id.name, (d) => {
      d.aliases = d.aliases.filter((a) => a.name !== input.Name);
      d.invokeConfigs = d.invokeConfigs.filter((c) => c.qualifier !== input.Name);
      d.provisioned = d.provisioned.filter((c) => c.qualifier !== input.Name);
      d.urls = d.urls.filter((u) => u.qualifier !== input.Name);
      d.policy = d.policy.filter((s) => s.qualifier !== input.Name);
      return d;
    });
    return {};
  },
});
