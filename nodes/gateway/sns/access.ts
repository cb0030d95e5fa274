// Topic access policies, enforced with the resource-policy evaluator the gateway shares. Every
// caller here is an identity of the cluster's one account: its own IAM permissions allow what
// the topic's policy does not forbid, so only an explicit Deny refuses it (AWS's evaluation for
// same-account principals). Cross-service checks (SNS sending to a queue, invoking a function)
// need an explicit Allow instead; see the scheduler's delivery.
import { type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { type RequestContext } from '../action.js';
import { AwsError } from '../errors.js';
import { parseResourcePolicy } from '../resource-policy.js';
import { type SnsBackend } from './backend.js';

export function authorize(sns: SnsBackend, topic: TopicRecord, ctx: RequestContext, action: string, context: Record<string, string> = {}): void {
  const doc = topic.attributes.Policy;
  if (doc === undefined) return;
  const arn = sns.topicArn(topic.name);
  const principal = `arn:aws:iam::${ctx.accountId}:root`;
  const decision = parseResourcePolicy(doc).evaluate({
    principal: { kind: 'aws', account: ctx.accountId, arn: principal },
    action,
    resource: arn,
    context: { 'aws:SourceOwner': ctx.accountId, 'aws:SourceAccount': ctx.accountId, 'aws:PrincipalAccount': ctx.accountId, ...context },
  });
  if (decision === 'deny') throw new AwsError('AuthorizationError', `User: ${principal} is not authorized to perform: ${action} on resource: ${arn} with an explicit deny`);
}
