import { randomUUID } from 'node:crypto';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { aliasView, checkAliasName, checkTargetVersion, checkWeights } from '../aliases.js';
import { type LambdaBackend } from '../backend.js';
import { updateFunction } from '../functions.js';
import { aliasConfiguration, functionNameLabel } from '../shapes.js';

export const createAlias = defineAction<LambdaBackend>()({
  name: 'CreateAlias',
  http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/aliases', code: 201 },
  input: t.struct({
    FunctionName: functionNameLabel,
    Name: t.string({ required: true }),
    FunctionVersion: t.string({ required: true }),
    Description: t.string({ max: 256 }),
    RoutingConfig: t.struct({ AdditionalVersionWeights: t.map(t.double()) }),
  }),
  output: aliasConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    checkAliasName(input.Name);
    let created: Parameters<typeof aliasView>[2] | undefined;
    await updateFunction(lambda, id.name, (d) => {
      if (d.aliases.some((a) => a.name === input.Name)) throw new AwsError('ResourceConflictException', `Alias already exists: ${lambda.arn(id.name, input.Name)}`);
      checkTargetVersion(lambda, d, input.FunctionVersion);
      const weights = checkWeights(lambda, d, input.FunctionVersion, input.RoutingConfig?.AdditionalVersionWeights ?? {});
      created = { name: input.Name, functionVersion: input.FunctionVersion, description: input.Description ?? '', weights, revisionId: randomUUID() };
      d.aliases.push(created);
      return d;
    });
    return aliasView(lambda, id.name, created!);
  },
});
