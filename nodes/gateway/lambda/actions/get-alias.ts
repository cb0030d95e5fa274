import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { aliasView } from '../aliases.js';
import { type LambdaBackend } from '../backend.js';
import { aliasConfiguration, functionNameLabel } from '../shapes.js';

export const getAlias = defineAction<LambdaBackend>()({
  name: 'GetAlias',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}' },
  input: t.struct({ FunctionName: functionNameLabel, Name: t.string({ required: true, location: 'uri', locationName: 'Name' }) }),
  output: aliasConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    const f = await lambda.function(id.name);
    const a = f.doc.aliases.find((x) => x.name === input.Name);
    if (!a) throw new AwsError('ResourceNotFoundException', `Cannot find alias arn: ${lambda.arn(id.name, input.Name)}`);
    return aliasView(lambda, id.name, a);
  },
});
