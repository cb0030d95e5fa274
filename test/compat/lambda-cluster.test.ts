// The AWS SDK v3 Lambda client against a 3-node cluster of separate processes: the catalog in
// the replicated meta group, code in replicated blob partitions, the scheduler in the gateway.
import { lambdaSuite } from './lambda-suite.js';
import { startCluster } from './targets.js';

lambdaSuite('Lambda on a 3-node cluster', async () => {
  const t = await startCluster(3, ['--lambda-retry-delay', '1']);
  return { endpoint: t.endpoint, sqs: t.client(), stop: () => t.stop() };
});
