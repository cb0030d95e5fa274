// The resources tags attach to: unqualified state machines and activities.
import { type WorkflowResource } from '../../../storage/partitions/meta-workflow-codec.js';
import { AwsError } from '../errors.js';
import { parseSfnArn } from './arns.js';
import { type SfnBackend } from './backend.js';
import { resourceNotFound } from './checks.js';

export interface Taggable {
  resource: WorkflowResource;
  name: string;
  tags: Record<string, string>;
}

/** The tagged resource an ARN names; InvalidArn for other ARNs, ResourceNotFound for missing ones. */
export async function taggable(sfn: SfnBackend, arn: string): Promise<Taggable> {
  const parsed = parseSfnArn(arn);
  if (!parsed) throw new AwsError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  if (parsed.kind === 'execution' || (parsed.kind === 'stateMachine' && (parsed.version !== undefined || parsed.alias !== undefined || parsed.label !== undefined))) {
    throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${parsed.kind === 'execution' ? 'execution' : 'stateMachine version or alias'}'`);
  }
  const ours = parsed.region === sfn.opts.region && parsed.account === sfn.opts.accountId;
  const found = !ours ? undefined : parsed.kind === 'activity' ? await sfn.findActivity(parsed.name) : await sfn.findStateMachine(parsed.name);
  if (!found) throw resourceNotFound(`Resource not found: '${arn}'`, arn);
  return { resource: parsed.kind, name: parsed.name, tags: found.tags };
}
