// Where an async invocation's outcome goes: OnSuccess / OnFailure destinations get Lambda's
// invocation record; the dead-letter queue gets the original event with Lambda's attributes.
// Targets are Stratus queues (SQS ARNs), topics (SNS ARNs: published like any message, so their
// subscribers get it) and functions (Lambda ARNs, invoked asynchronously).
import { randomUUID } from 'node:crypto';
import { type LambdaBackend } from '../gateway/lambda/backend.js';
import { type SnsBackend } from '../gateway/sns/backend.js';
import { preparePublish } from '../gateway/sns/message.js';
import { type InvokeConfigDoc } from '../gateway/lambda/model.js';
import { type AttributeMap } from '../gateway/sqs/messages.js';
import { send } from '../gateway/sqs/partitions.js';
import { prepareSend } from '../gateway/sqs/send.js';
import { type AsyncEvent, type AsyncQueue } from './async-events.js';
import { type InvokeResult, type InvokeTarget } from './types.js';

export type FailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export class Destinations {
  constructor(
    private readonly lambda: LambdaBackend,
    private readonly queue: AsyncQueue,
    private readonly log: (line: string) => void,
    private readonly sns?: SnsBackend,
  ) {}

  /** Lambda's invocation record, as destinations receive it. */
  record(target: InvokeTarget, e: AsyncEvent, condition: 'Success' | FailureCondition, result: InvokeResult | undefined): Record<string, unknown> {
    return {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: e.requestId,
        functionArn: this.lambda.arn(target.functionName, target.version),
        condition,
        approximateInvokeCount: Math.max(1, e.attempts + (condition === 'Success' ? 1 : 0)),
      },
      requestPayload: parsed(e.payload),
      ...(result
        ? {
            responseContext: { statusCode: 200, executedVersion: target.version, ...(result.functionError ? { functionError: result.functionError } : {}) },
            responsePayload: parsed(result.payload),
          }
        : {}),
    };
  }

  async success(target: InvokeTarget, e: AsyncEvent, cfg: InvokeConfigDoc | undefined, result: InvokeResult): Promise<void> {
    if (cfg?.onSuccess) await this.deliver(cfg.onSuccess, JSON.stringify(this.record(target, e, 'Success', result)));
  }

  async failure(target: InvokeTarget, e: AsyncEvent, cfg: InvokeConfigDoc | undefined, why: { condition: FailureCondition; result?: InvokeResult }): Promise<void> {
    if (cfg?.onFailure) await this.deliver(cfg.onFailure, JSON.stringify(this.record(target, e, why.condition, why.result)));
    const dlq = target.config.deadLetterTarget;
    if (dlq) {
      const message = why.result ? errorMessageOf(why.result.payload) : 'Event age exceeded';
      await this.deliver(dlq, e.payload, {
        RequestID: { DataType: 'String', StringValue: e.requestId },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: message },
      });
    }
    if (!cfg?.onFailure && !dlq) this.log(`scheduler: async event ${e.requestId} of ${target.functionName} discarded (${why.condition})`);
  }

  /** Sends a record to a destination: a Stratus queue, or a function (invoked asynchronously). */
  async deliver(arn: string, body: string, attributes?: AttributeMap): Promise<void> {
    if (/^arn:aws[a-z-]*:sqs:/.test(arn)) {
      const q = await this.lambda.sqs.byArn(arn);
      if (!q) {
        this.log(`scheduler: destination ${arn} does not exist; record dropped`);
        return;
      }
      const p = prepareSend(q, { MessageBody: body, ...(attributes ? { MessageAttributes: attributes } : {}) }, { accessKeyId: undefined, accountId: this.lambda.opts.accountId });
      await send(this.lambda.sqs, q, p.partition, [p.item]);
      return;
    }
    if (/^arn:aws[a-z-]*:sns:/.test(arn) && this.sns) {
      const topic = await this.sns.find(this.sns.topicName(arn));
      if (!topic) {
        this.log(`scheduler: destination ${arn} does not exist; record dropped`);
        return;
      }
      const attrs: Record<string, { DataType: string; StringValue?: string }> = {};
      for (const [k, v] of Object.entries(attributes ?? {})) if (v.StringValue !== undefined) attrs[k] = { DataType: v.DataType, StringValue: v.StringValue };
      const { entry } = preparePublish(topic, { Message: body, MessageAttributes: attrs }, randomUUID());
      await this.sns.publish(topic, [entry]);
      return;
    }
    const fn = /^arn:aws[a-z-]*:lambda:[^:]+:\d{12}:function:([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9$_-]+))?$/.exec(arn);
    if (fn) {
      await this.queue.put({ functionName: fn[1]!, qualifier: fn[2], requestId: randomUUID(), enqueuedMs: Date.now(), attempts: 0, payload: body });
      return;
    }
    this.log(`scheduler: destination ${arn} is not supported yet; record dropped`);
  }
}

function errorMessageOf(payload: string): string {
  const v = parsed(payload);
  if (typeof v === 'object' && v !== null && 'errorMessage' in v && typeof v.errorMessage === 'string') return v.errorMessage;
  return 'Unhandled';
}
