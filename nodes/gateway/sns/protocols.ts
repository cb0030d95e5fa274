// Which endpoints a subscription may have. Stratus delivers to its own queues and functions and
// to HTTP/S URLs; the protocols that need the outside world (email, SMS, mobile push, Firehose)
// are refused clearly rather than accepted and never delivered.
import { type TopicRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';

const UNAVAILABLE = new Set(['email', 'email-json', 'sms', 'application', 'firehose']);
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,80}(\.fifo)?)$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/;

const invalid = (reason: string): AwsError => new AwsError('InvalidParameter', `Invalid parameter: ${reason}`);

/** Checks the endpoint for the protocol (lower-cased) and the topic; returns it as stored. */
export function checkEndpoint(protocol: string, endpoint: string | undefined, topic: TopicRecord): string {
  if (UNAVAILABLE.has(protocol)) throw invalid(`Protocol Reason: Stratus does not deliver to ${protocol} endpoints; use sqs, lambda, http or https`);
  if (!['sqs', 'lambda', 'http', 'https'].includes(protocol)) throw invalid(`Amazon SNS does not support this protocol string: ${protocol}`);
  if (endpoint === undefined || endpoint === '') throw invalid('Endpoint');
  if (topic.fifo && protocol !== 'sqs') throw invalid('Invalid protocol type: FIFO topics support only Amazon SQS FIFO queue subscriptions');
  switch (protocol) {
    case 'sqs': {
      const m = SQS_ARN.exec(endpoint);
      if (!m) throw invalid('SQS endpoint ARN');
      const fifoQueue = m[2] !== undefined;
      if (topic.fifo && !fifoQueue) throw invalid('Invalid parameter: Endpoint Reason: FIFO SNS Topics currently only support FIFO SQS queues as endpoints');
      if (!topic.fifo && fifoQueue) throw invalid('Invalid parameter: Endpoint Reason: Please use FIFO SNS topic');
      return endpoint;
    }
    case 'lambda':
      if (!LAMBDA_ARN.test(endpoint)) throw invalid('Lambda endpoint ARN');
      return endpoint;
    default: {
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        throw invalid('Endpoint must match the specified protocol');
      }
      if (url.protocol !== `${protocol}:`) throw invalid('Endpoint must match the specified protocol');
      return endpoint;
    }
  }
}
