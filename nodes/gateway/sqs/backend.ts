// What every SQS action needs: the queue catalog (through the placement cache and meta
// proposals), queue URLs and ARNs, and the gateway's client session for exactly-once proposals
// to partitions. Stateless apart from caches: several gateways can serve the same queues.
import { randomUUID } from 'node:crypto';
import { type CommandPayload, type ErrorResult } from '../../../storage/partitions/envelope.js';
import { type QueueCatalogCommand, type QueueRecord, decodeQueueResult, encodeMetaCommand, parseJson } from '../../../storage/partitions/meta-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { META_GROUP, type Placement } from '../../cluster/placement.js';
import { Sequencer } from '../../cluster/sequencer.js';
import { type RequestContext } from '../action.js';
import { INTERNAL_QUEUE_NAME_PATTERN } from '../../../storage/partitions/meta-queues.js';
import { AwsError } from '../errors.js';
import { type MetricsRegistry } from '../../telemetry/metrics.js';
import { SqsMetrics } from './sqs-metrics.js';

export const NON_EXISTENT = 'The specified queue does not exist.';

export interface SqsOptions {
  accountId: string;
  region: string;
  /** Queue metrics (sent/received/deleted counters, depth gauges read at scrape time); none: not recorded. */
  metrics?: MetricsRegistry;
}

export class SqsBackend {
  readonly sequencer = new Sequencer(`sqs-gw-${randomUUID()}`);
  readonly metrics: SqsMetrics | undefined;

  constructor(
    readonly client: ClusterClient,
    readonly placement: Placement,
    readonly opts: SqsOptions,
  ) {
    this.metrics = opts.metrics ? new SqsMetrics(opts.metrics, this) : undefined;
  }

  /** Proposes through this gateway's session, so a retried proposal applies once. */
  propose(group: number, p: CommandPayload): Promise<Uint8Array> {
    return this.sequencer.propose(p, (bytes) => this.client.propose(group, bytes));
  }

  async meta(cmd: QueueCatalogCommand): Promise<QueueRecord | ErrorResult> {
    const r = decodeQueueResult(await this.propose(META_GROUP, encodeMetaCommand(cmd)), parseJson);
    // This gateway's own later requests must see the change at once.
    await this.placement.refresh();
    return r.ok ? r.value : r;
  }

  arn(region: string, name: string): string {
    return `arn:aws:sqs:${region}:${this.opts.accountId}:${name}`;
  }

  url(ctx: RequestContext, name: string): string {
    return `${ctx.baseUrl}/${this.opts.accountId}/${name}`;
  }

  /** The queue a QueueUrl names: `<scheme>://<any host>/<account>/<name>`, or a bare name. */
  async byUrl(queueUrl: string): Promise<QueueRecord> {
    const name = nameFromUrl(queueUrl, this.opts.accountId);
    const q = name === undefined || INTERNAL_QUEUE_NAME_PATTERN.test(name) ? undefined : await this.placement.queue(name);
    if (!q) throw new AwsError('QueueDoesNotExist', NON_EXISTENT);
    return q;
  }

  async byName(name: string): Promise<QueueRecord | undefined> {
    return INTERNAL_QUEUE_NAME_PATTERN.test(name) ? undefined : this.placement.queue(name);
  }

  /** Stratus's own queues (hidden from SQS users), by name. */
  async internal(name: string): Promise<QueueRecord | undefined> {
    return this.placement.queue(name);
  }

  async byArn(arn: string): Promise<QueueRecord | undefined> {
    const m = /^arn:aws[a-z-]*:sqs:[^:]+:(\d{12}):(.+)$/.exec(arn);
    if (!m || m[1] !== this.opts.accountId || INTERNAL_QUEUE_NAME_PATTERN.test(m[2]!)) return undefined;
    return this.placement.queue(m[2]!);
  }

  async all(): Promise<QueueRecord[]> {
    return (await this.placement.current(1000)).queues.filter((q) => !INTERNAL_QUEUE_NAME_PATTERN.test(q.name));
  }
}

export function nameFromUrl(queueUrl: string, accountId: string): string | undefined {
  let path = queueUrl;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/.exec(queueUrl);
  if (scheme) path = queueUrl.slice(scheme[0].length);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 1 && !scheme) return parts[0];
  if (parts.length !== 2 || parts[0] !== accountId) return undefined;
  return parts[1];
}
