import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { changeFunction } from '../doc-write.js';
import { bumpRevision, buildStatement, checkPermissionRequest, checkPolicySize, resolvePolicyQualifier, revisionOf } from '../policy.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';

export const addPermission = defineAction<LambdaBackend>()({
  name: 'AddPermission',
  http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/policy', code: 201 },
  input: t.struct({
    FunctionName: functionNameLabel,
    StatementId: t.string({ required: true }),
    Action: t.string({ required: true }),
    Principal: t.string({ required: true }),
    SourceArn: t.string(),
    SourceAccount: t.string(),
    EventSourceToken: t.string(),
    Qualifier: qualifierQuery,
    RevisionId: t.string(),
    PrincipalOrgID: t.string(),
    FunctionUrlAuthType: t.string(),
    InvokedViaFunctionUrl: t.boolean(),
  }),
  output: t.struct({ Statement: t.string() }),
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    if (id.qualifier === '$LATEST') throw new AwsError('InvalidParameterValueException', 'We currently do not support adding policies for $LATEST.');
    checkPermissionRequest(input);
    let statement: Record<string, unknown> = {};
    const notFound = (): AwsError => new AwsError('ResourceNotFoundException', `Function not found: ${lambda.arn(id.name)}`);
    await changeFunction(lambda, id.name, notFound, (d) => {
      const key = resolvePolicyQualifier(lambda, d, id.qualifier);
      if (input.RevisionId !== undefined && input.RevisionId !== revisionOf(d, key)) {
        throw new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id');
      }
      // Statement ids are unique within one policy; the same id may recur in another qualifier's.
      if (d.policy.some((s) => s.qualifier === key && s.sid === input.StatementId)) {
        throw new AwsError('ResourceConflictException', `The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
      }
      statement = buildStatement(lambda.arn(id.name, key === '' ? undefined : key), input);
      d.policy.push({ sid: input.StatementId, qualifier: key, statement });
      checkPolicySize(d, key);
      bumpRevision(d, key);
      return d;
    });
    return { Statement: JSON.stringify(statement) };
  },
});
