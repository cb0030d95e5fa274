import { randomUUID } from 'node:crypto';
import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { aliasView, checkTargetVersion, checkWeights } from '../aliases.js';
import { type LambdaBackend } from '../backend.js';
import { checkRevision, updateFunction } from '../functions.js';
import { type AliasDoc } from '../model.js';
import { aliasConfiguration, functionNameLabel } from '../shapes.js';

export const updateAlias = defineAction<LambdaBackend>()({
  name: 'UpdateAlias',
  http: { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/aliases/{Name}' },
  input: t.struct({
    FunctionName: functionNameLabel,
    Name: t.string({ required: true, location: 'uri', locationName: 'Name' }),
    FunctionVersion: t.string(),
    Description: t.string({ max: 256 }),
    RoutingConfig: t.struct({ AdditionalVersionWeights: t.map(t.double()) }),
    RevisionId: t.string(),
  }),
  output: aliasConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    let updated: AliasDoc | undefined;
    await updateFunction(lambda, id.name, (d) => {
      const i = d.aliases.findIndex((a) => a.name === input.Name);
      const a = d.aliases[i];
      if (!a) throw new AwsError('ResourceNotFoundException', `Alias not found: ${lambda.arn(id.name, input.Name)}`);
      checkRevision(a.revisionId, input.RevisionId);
      const version = input.FunctionVersion ?? a.functionVersion;
      checkTargetVersion(lambda, d, version);
      const weights = input.RoutingConfig !== undefined ? checkWeights(lambda, d, version, input.RoutingConfig.AdditionalVersionWeights ?? {}) : checkWeights(lambda, d, version, a.weights);
      updated = { ...a, functionVersion: version, description: input.Description ?? a.description, weights, revisionId: randomUUID() };
      d.aliases[i] = updated;
      return d;
    });
    return aliasView(lambda, id.name, updated!);
  },
});
