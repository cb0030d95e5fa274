// Shared by the SNS compatibility tests: clients for the embedded server, queues that allow a
// topic to send to them (AWS requires the queue's policy to say so), and draining a queue.
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { ROOT } from './targets.js';

export function snsClient(endpoint: string): SNSClient {
  return new SNSClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
}

export function queuePolicy(queueArn: string, topicArns: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArns } },
      },
    ],
  });
}

/** A queue whose policy lets the given topics send to it; its URL and ARN. */
export async function topicQueue(sqs: SQSClient, name: string, topicArns: string[], attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  if (topicArns.length > 0) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: queuePolicy(arn, topicArns) } }));
  return { url, arn };
}

/** Receives (and deletes) until `count` messages arrived or `timeoutMs` passed; long polls, no fixed sleeps. */
export async function drain(sqs: SQSClient, url: string, count: number, timeoutMs = 15_000, attributes = false): Promise<Message[]> {
  const out: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const wait = Math.max(1, Math.min(5, Math.ceil((deadline - Date.now()) / 1000)));
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait, ...(attributes ? { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] } : {}) }));
    const got = r.Messages ?? [];
    if (got.length === 0) continue;
    out.push(...got);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return out;
}

/** Nothing more arrives within `ms` (a long poll that comes back empty). */
export async function nothingMore(sqs: SQSClient, url: string, seconds = 2): Promise<Message[]> {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: seconds }));
  return r.Messages ?? [];
}
