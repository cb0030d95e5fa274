// What API Gateway's management actions and its data plane share: the catalog, the account's
// options, and the other services an API can put in front of (functions, queues, topics,
// state machines: their own gateway actions, so validation and errors are each service's).
import { type ClusterClient } from '../../cluster/client.js';
import { type Placement } from '../../cluster/placement.js';
import { type MetricsRegistry } from '../../telemetry/metrics.js';
import { type ServicePort } from '../../scheduler/workflows/tasks.js';
import { type LambdaBackend } from '../lambda/backend.js';
import { AwsError } from '../errors.js';
import { type ApiDoc, type ApiV2Doc, type RestApiDoc, asApiDoc } from './model.js';
import { ApiStore } from './store.js';

export interface ApigwOptions {
  accountId: string;
  region: string;
  /** AWS: account-level throttle of 10,000 requests/s, burst 5,000 (per region). */
  accountRateLimit: number;
  accountBurstLimit: number;
}

export const DEFAULT_APIGW_LIMITS = { accountRateLimit: 10_000, accountBurstLimit: 5_000 } as const;

export interface ApigwDeps {
  client: ClusterClient;
  placement: Placement;
  /** Present on gateways that serve Lambda (AWS_PROXY integrations, Lambda authorizers, origin hooks). */
  lambda?: LambdaBackend;
  /** The gateway's own service actions by signing name: `sqs`, `sns`, `states`, `lambda`, `kinesis`. */
  services: (name: string) => ServicePort | undefined;
  /** How clients reach this gateway, e.g. http://127.0.0.1:4566 (invoke URLs, export servers). */
  baseUrl: () => string;
  metrics: MetricsRegistry;
  log: (line: string) => void;
}

export class ApigwBackend {
  readonly store: ApiStore;

  constructor(
    readonly opts: ApigwOptions,
    readonly deps: ApigwDeps,
  ) {
    this.store = new ApiStore(deps.client, deps.placement);
  }

  /** A REST API (v1), or v1's NotFoundException. */
  async restApi(id: string): Promise<RestApiDoc> {
    const doc = await this.store.get('api', id, asApiDoc, 0);
    if (!doc || doc.kind !== 'rest') throw new AwsError('ApigwNotFoundException', 'Invalid API identifier specified');
    return doc;
  }

  /** An HTTP or WebSocket API (v2), or v2's NotFoundException. */
  async apiV2(id: string): Promise<ApiV2Doc> {
    const doc = await this.store.get('api', id, asApiDoc, 0);
    if (!doc || doc.kind !== 'v2') throw new AwsError('ApigwNotFoundException', `Invalid API identifier specified ${id}`);
    return doc;
  }

  /** Either kind, for the data plane (cached up to maxAgeMs behind other gateways' writes). */
  async anyApi(id: string, maxAgeMs = 1000): Promise<ApiDoc | undefined> {
    return this.store.get('api', id, asApiDoc, maxAgeMs);
  }
}
