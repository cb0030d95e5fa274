// Provisioned concurrency configs: the catalog holds what was asked for; the scheduler's
// Provisioner reports how far it got (IN_PROGRESS, then READY).
import { type Infer, t } from '../shapes.js';
import { type LambdaBackend } from './backend.js';
import { type ProvisionedDoc } from './model.js';

export const provisionedShape = t.struct({
  FunctionArn: t.string(),
  RequestedProvisionedConcurrentExecutions: t.integer(),
  AvailableProvisionedConcurrentExecutions: t.integer(),
  AllocatedProvisionedConcurrentExecutions: t.integer(),
  Status: t.string(),
  StatusReason: t.string(),
  LastModified: t.string(),
});

export function provisionedView(lambda: LambdaBackend, fn: string, p: ProvisionedDoc, withArn: boolean): Infer<typeof provisionedShape> {
  const s = lambda.provisioner.status(fn, p.qualifier);
  return {
    ...(withArn ? { FunctionArn: lambda.arn(fn, p.qualifier) } : {}),
    RequestedProvisionedConcurrentExecutions: p.requested,
    AvailableProvisionedConcurrentExecutions: s.available,
    AllocatedProvisionedConcurrentExecutions: s.available,
    Status: s.status,
    ...(s.reason ? { StatusReason: s.reason } : {}),
    LastModified: p.lastModified,
  };
}
