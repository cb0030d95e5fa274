// The same suite (its core subset) against a 3-node cluster through the separate gateway.
import { sqsSuite } from './sqs-suite.js';
import { startCluster } from './targets.js';

sqsSuite('SQS on a 3-node cluster', () => startCluster(3), false);
