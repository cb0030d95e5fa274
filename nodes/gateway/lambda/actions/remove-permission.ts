import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { changeFunction } from '../doc-write.js';
import { checkRevision } from '../functions.js';
import { bumpRevision, resolvePolicyQualifier, revisionOf, statementsOf } from '../policy.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';

export const removePermission = defineAction<LambdaBackend>()({
  name: 'RemovePermission',
  http: { method: 'DELETE', uri: '/2015-03-31/functions/{FunctionName}/policy/{StatementId}', code: 204 },
  input: t.struct({
    FunctionName: functionNameLabel,
    StatementId: t.string({ required: true, location: 'uri', locationName: 'StatementId' }),
    Qualifier: qualifierQuery,
    RevisionId: t.string({ location: 'querystring', locationName: 'RevisionId' }),
  }),
  output: t.struct({}),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    // Lambda answers a missing function here in terms of its policy, not of the function.
    const notFound = (): AwsError => new AwsError('ResourceNotFoundException', `No policy found for: ${lambda.arn(id.name)}`);
    await changeFunction(lambda, id.name, notFound, (d) => {
      const key = resolvePolicyQualifier(lambda, d, id.qualifier);
      const statements = statementsOf(d, key);
      if (statements.length === 0) throw new AwsError('ResourceNotFoundException', 'No policy is associated with the given resource.');
      if (!statements.some((s) => s.sid === input.StatementId)) throw new AwsError('ResourceNotFoundException', `Statement ${input.StatementId} is not found in resource policy.`);
      checkRevision(revisionOf(d, key) ?? '', input.RevisionId);
      d.policy = d.policy.filter((s) => !(s.qualifier === key && s.sid === input.StatementId));
      bumpRevision(d, key);
      return d;
    });
    return {};
  },
});
