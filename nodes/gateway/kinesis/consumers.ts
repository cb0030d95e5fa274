// Enhanced fan-out consumers: records in the stream's catalog entry, named by ARN
// `<stream ARN>/consumer/<name>:<creation epoch seconds>`.
import { type ConsumerRecord, type StreamRecord } from '../../../storage/partitions/meta-codec.js';
import { AwsError } from '../errors.js';
import { type KinesisBackend } from './backend.js';

export interface ConsumerRef {
  StreamARN?: string | undefined;
  ConsumerName?: string | undefined;
  ConsumerARN?: string | undefined;
}

/** The stream and consumer a request names by ConsumerARN, or by StreamARN and ConsumerName. */
export async function resolveConsumer(k: KinesisBackend, ref: ConsumerRef): Promise<{ stream: StreamRecord; consumer: ConsumerRecord }> {
  let streamArn = ref.StreamARN;
  let name = ref.ConsumerName;
  let created: number | undefined;
  if (ref.ConsumerARN !== undefined) {
    const m = /^(arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+)\/consumer\/([a-zA-Z0-9_.-]+):(\d+)$/.exec(ref.ConsumerARN);
    if (!m) throw new AwsError('InvalidArgumentException', `ConsumerARN ${ref.ConsumerARN} is not a valid consumer ARN.`);
    streamArn = m[1];
    name = m[2];
    created = Number(m[3]);
  } else if (streamArn === undefined || name === undefined) {
    throw new AwsError('InvalidArgumentException', 'Either ConsumerARN or both StreamARN and ConsumerName must be provided.');
  }
  const stream = await k.resolve({ StreamARN: streamArn });
  const consumer = stream.consumers.find((c) => c.name === name && (created === undefined || Math.floor(c.createdAtMs / 1000) === created));
  if (!consumer) throw new AwsError('ResourceNotFoundException', `Consumer ${name!} under stream ${stream.name} under account ${k.opts.accountId} not found.`);
  return { stream, consumer };
}

export function consumerView(k: KinesisBackend, s: StreamRecord, c: ConsumerRecord, status = 'ACTIVE') {
  return { ConsumerName: c.name, ConsumerARN: k.consumerArn(s, c), ConsumerStatus: status, ConsumerCreationTimestamp: c.createdAtMs / 1000 };
}
