// The AWS SDK v3 Lambda client against the embedded server.
import { lambdaSuite } from './lambda-suite.js';
import { startEmbedded } from './targets.js';

lambdaSuite('Lambda on the embedded server', async () => {
  const t = await startEmbedded(['--lambda-retry-delay', '1']);
  return { endpoint: t.endpoint, sqs: t.client(), stop: () => t.stop() };
});
