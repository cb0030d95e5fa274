// The AWS SDK v3 SQS client against the embedded server: every operation, with error cases.
import { sqsSuite } from './sqs-suite.js';
import { startEmbedded } from './targets.js';

sqsSuite('SQS on the embedded server', () => startEmbedded(), true);
