import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { asFunctionDoc } from '../model.js';
import { policyDocument, policyKey, revisionOf, statementsOf } from '../policy.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';

export const getPolicy = defineAction<LambdaBackend>()({
  name: 'GetPolicy',
  http: { method: 'GET', uri: '/2015-03-31/functions/{FunctionName}/policy' },
  input: t.struct({ FunctionName: functionNameLabel, Qualifier: qualifierQuery }),
  output: t.struct({ Policy: t.string(), RevisionId: t.string() }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    // One answer for every miss (function, qualifier or policy), as Lambda gives.
    const notFound = new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.');
    const f = await lambda.catalog.get('function', id.name, asFunctionDoc);
    if (!f) throw notFound;
    const key = policyKey(id.qualifier);
    const revision = revisionOf(f.doc, key);
    const statements = statementsOf(f.doc, key);
    if (revision === undefined || statements.length === 0) throw notFound;
    return { Policy: JSON.stringify(policyDocument(statements)), RevisionId: revision };
  },
});
