// The one table of metric names: the query API's name (CloudWatch's where one exists), the
// Prometheus family name, help, labels and unit. Only add; dashboards and tests match on them.
// Durations are recorded in milliseconds (as CloudWatch reports them) and exposed to Prometheus
// in seconds (`promScale`).
import { type MetricDef } from './metrics.js';

/** Bucket bounds (ms) for function durations and event ages. */
export const DURATION_BUCKETS_MS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000, 900_000] as const;
/** Bucket bounds (ms) for storage latencies (fsync, commit). */
export const LATENCY_BUCKETS_MS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000] as const;
/** Bucket bounds (ms) for ages that run to days (event source iterators). */
export const AGE_BUCKETS_MS = [100, 1000, 10_000, 60_000, 300_000, 3_600_000, 21_600_000, 86_400_000] as const;

const LAMBDA = 'AWS/Lambda';
const SQS = 'AWS/SQS';
const SNS = 'AWS/SNS';
const STORAGE = 'Stratus/Storage';
const APIGW = 'AWS/ApiGateway';

export const Metric = {
  // ---- Functions (nodes/scheduler/) ----
  /** Invocations that ran the function's code (successful or with a function error; not throttled ones). */
  Invocations: { name: 'Invocations', namespace: LAMBDA, prom: 'stratus_lambda_invocations_total', kind: 'counter', unit: 'Count', labels: ['function', 'version'], help: 'Invocations that ran the function code (success or function error).' },
  Errors: { name: 'Errors', namespace: LAMBDA, prom: 'stratus_lambda_errors_total', kind: 'counter', unit: 'Count', labels: ['function', 'version'], help: 'Invocations that ended in a function error (thrown, timed out, out of memory, exited).' },
  Throttles: { name: 'Throttles', namespace: LAMBDA, prom: 'stratus_lambda_throttles_total', kind: 'counter', unit: 'Count', labels: ['function', 'version'], help: 'Invocation attempts refused by concurrency limits (synchronous and asynchronous).' },
  Duration: { name: 'Duration', namespace: LAMBDA, prom: 'stratus_lambda_duration_seconds', kind: 'histogram', unit: 'Milliseconds', labels: ['function', 'version'], buckets: DURATION_BUCKETS_MS, promScale: 0.001, help: 'Time the function code ran per invocation.' },
  ConcurrentExecutions: { name: 'ConcurrentExecutions', namespace: LAMBDA, prom: 'stratus_lambda_concurrent_executions', kind: 'gauge', unit: 'Count', labels: ['function'], help: 'Invocations of the function running now in this scheduler.' },
  AccountConcurrentExecutions: { name: 'AccountConcurrentExecutions', namespace: LAMBDA, prom: 'stratus_lambda_account_concurrent_executions', kind: 'gauge', unit: 'Count', labels: [], help: 'Invocations of all functions running now in this scheduler.' },
  UnreservedConcurrentExecutions: { name: 'UnreservedConcurrentExecutions', namespace: LAMBDA, prom: 'stratus_lambda_unreserved_concurrent_executions', kind: 'gauge', unit: 'Count', labels: [], help: 'Invocations running now of functions without reserved concurrency.' },
  ProvisionedConcurrentExecutions: { name: 'ProvisionedConcurrentExecutions', namespace: LAMBDA, prom: 'stratus_lambda_provisioned_concurrent_executions', kind: 'gauge', unit: 'Count', labels: ['function', 'version'], help: 'Invocations running now on provisioned environments.' },
  ProvisionedConcurrencyUtilization: { name: 'ProvisionedConcurrencyUtilization', namespace: LAMBDA, prom: 'stratus_lambda_provisioned_concurrency_utilization_ratio', kind: 'gauge', unit: 'Ratio', labels: ['function', 'version'], help: 'Provisioned environments in use divided by provisioned environments (0 to 1).' },
  /**
   * Age of the last record an event source mapping handed to the function (stream and queue
   * sources). Declared for the event source mappings, which do not exist yet: they record it with
   * `registry.histogram(Metric.IteratorAge).observe({ function }, nowMs - recordTimestampMs)`.
   * Until then the metric is absent from the exposition and the query API.
   */
  IteratorAge: { name: 'IteratorAge', namespace: LAMBDA, prom: 'stratus_lambda_iterator_age_seconds', kind: 'histogram', unit: 'Milliseconds', labels: ['function'], buckets: AGE_BUCKETS_MS, promScale: 0.001, help: 'Age of the last record an event source mapping handed to the function.' },
  AsyncEventsReceived: { name: 'AsyncEventsReceived', namespace: LAMBDA, prom: 'stratus_lambda_async_events_received_total', kind: 'counter', unit: 'Count', labels: ['function'], help: 'Asynchronous events taken from the async-invoke queue (every attempt).' },
  AsyncEventAge: { name: 'AsyncEventAge', namespace: LAMBDA, prom: 'stratus_lambda_async_event_age_seconds', kind: 'histogram', unit: 'Milliseconds', labels: ['function'], buckets: AGE_BUCKETS_MS, promScale: 0.001, help: 'Time from an asynchronous event being queued to an attempt to run it.' },
  AsyncEventsDropped: { name: 'AsyncEventsDropped', namespace: LAMBDA, prom: 'stratus_lambda_async_events_dropped_total', kind: 'counter', unit: 'Count', labels: ['function', 'reason'], help: 'Asynchronous events given up on (too old, retries exhausted), whether or not a destination took them.' },

  // ---- Queues (nodes/gateway/sqs/); internal `stratus.` queues are left out ----
  // ---- Topics (nodes/gateway/sns/, nodes/scheduler/topics/) ----
  NumberOfMessagesPublished: { name: 'NumberOfMessagesPublished', namespace: SNS, prom: 'stratus_sns_messages_published_total', kind: 'counter', unit: 'Count', labels: ['topic'], help: 'Messages accepted by Publish and PublishBatch (FIFO duplicates excluded).' },
  NumberOfNotificationsDelivered: { name: 'NumberOfNotificationsDelivered', namespace: SNS, prom: 'stratus_sns_notifications_delivered_total', kind: 'counter', unit: 'Count', labels: ['topic', 'protocol'], help: 'Messages delivered to subscriptions.' },
  NumberOfNotificationsFailed: { name: 'NumberOfNotificationsFailed', namespace: SNS, prom: 'stratus_sns_notifications_failed_total', kind: 'counter', unit: 'Count', labels: ['topic', 'protocol'], help: 'Messages an endpoint never took (dead-lettered or dropped).' },
  ApproximateNumberOfMessagesVisible: { name: 'ApproximateNumberOfMessagesVisible', namespace: SQS, prom: 'stratus_sqs_messages_visible', kind: 'gauge', unit: 'Count', labels: ['queue'], help: 'Messages available for retrieval.' },
  ApproximateNumberOfMessagesNotVisible: { name: 'ApproximateNumberOfMessagesNotVisible', namespace: SQS, prom: 'stratus_sqs_messages_not_visible', kind: 'gauge', unit: 'Count', labels: ['queue'], help: 'Messages in flight (received, not yet deleted nor visible again).' },
  ApproximateNumberOfMessagesDelayed: { name: 'ApproximateNumberOfMessagesDelayed', namespace: SQS, prom: 'stratus_sqs_messages_delayed', kind: 'gauge', unit: 'Count', labels: ['queue'], help: 'Messages delayed and not yet available.' },
  ApproximateAgeOfOldestMessage: { name: 'ApproximateAgeOfOldestMessage', namespace: SQS, prom: 'stratus_sqs_oldest_message_age_seconds', kind: 'gauge', unit: 'Seconds', labels: ['queue'], help: 'Age of the oldest message not yet deleted (0 when the queue is empty).' },
  NumberOfMessagesSent: { name: 'NumberOfMessagesSent', namespace: SQS, prom: 'stratus_sqs_messages_sent_total', kind: 'counter', unit: 'Count', labels: ['queue'], help: 'Messages added to the queue.' },
  NumberOfMessagesReceived: { name: 'NumberOfMessagesReceived', namespace: SQS, prom: 'stratus_sqs_messages_received_total', kind: 'counter', unit: 'Count', labels: ['queue'], help: 'Messages returned by receives.' },
  NumberOfMessagesDeleted: { name: 'NumberOfMessagesDeleted', namespace: SQS, prom: 'stratus_sqs_messages_deleted_total', kind: 'counter', unit: 'Count', labels: ['queue'], help: 'Messages deleted by a valid, current receipt handle.' },

  // ---- API Gateway data plane (nodes/gateway/apigw/data/) ----
  // Labels: `api` (REST: the API's name, as CloudWatch's ApiName; HTTP/WebSocket: its id, as ApiId),
  // `stage`, `resource` and `method` (REST: detailed per-method metrics; HTTP: `route`), empty when not set.
  ApiCount: { name: 'Count', namespace: APIGW, prom: 'stratus_apigw_requests_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage', 'resource', 'method'], help: 'Requests to user-defined APIs.' },
  Api4XXError: { name: '4XXError', namespace: APIGW, prom: 'stratus_apigw_4xx_errors_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage', 'resource', 'method'], help: 'API requests answered with a 4XX status.' },
  Api5XXError: { name: '5XXError', namespace: APIGW, prom: 'stratus_apigw_5xx_errors_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage', 'resource', 'method'], help: 'API requests answered with a 5XX status.' },
  ApiLatency: { name: 'Latency', namespace: APIGW, prom: 'stratus_apigw_latency_seconds', kind: 'histogram', unit: 'Milliseconds', labels: ['api', 'stage', 'resource', 'method'], buckets: DURATION_BUCKETS_MS, promScale: 0.001, help: 'Time from receiving an API request to answering it.' },
  ApiIntegrationLatency: { name: 'IntegrationLatency', namespace: APIGW, prom: 'stratus_apigw_integration_latency_seconds', kind: 'histogram', unit: 'Milliseconds', labels: ['api', 'stage', 'resource', 'method'], buckets: DURATION_BUCKETS_MS, promScale: 0.001, help: 'Time from calling an API integration to its answer.' },
  ApiCacheHitCount: { name: 'CacheHitCount', namespace: APIGW, prom: 'stratus_apigw_cache_hits_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage', 'resource', 'method'], help: 'API requests answered from the stage cache.' },
  ApiCacheMissCount: { name: 'CacheMissCount', namespace: APIGW, prom: 'stratus_apigw_cache_misses_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage', 'resource', 'method'], help: 'Cacheable API requests the stage cache could not answer.' },
  ApiConnectCount: { name: 'ConnectCount', namespace: APIGW, prom: 'stratus_apigw_ws_connects_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage'], help: 'WebSocket $connect requests.' },
  ApiMessageCount: { name: 'MessageCount', namespace: APIGW, prom: 'stratus_apigw_ws_messages_total', kind: 'counter', unit: 'Count', labels: ['api', 'stage'], help: 'WebSocket messages sent to and from clients.' },

  // ---- Storage node (nodes/storage/) ----
  RaftLeaderChanges: { name: 'RaftLeaderChanges', namespace: STORAGE, prom: 'stratus_raft_leader_changes_total', kind: 'counter', unit: 'Count', labels: [], help: 'Times a group hosted here learned of a new leader (first elections included).' },
  RaftCommitLatency: { name: 'RaftCommitLatency', namespace: STORAGE, prom: 'stratus_raft_commit_latency_seconds', kind: 'histogram', unit: 'Milliseconds', labels: [], buckets: LATENCY_BUCKETS_MS, promScale: 0.001, help: 'Time from a proposal on the leader to its entry being committed and applied there.' },
  FsyncLatency: { name: 'FsyncLatency', namespace: STORAGE, prom: 'stratus_storage_fsync_latency_seconds', kind: 'histogram', unit: 'Milliseconds', labels: [], buckets: LATENCY_BUCKETS_MS, promScale: 0.001, help: 'Time of one synced group-commit write (the fsync included).' },
  RaftApplyLagMax: { name: 'RaftApplyLagMax', namespace: STORAGE, prom: 'stratus_raft_apply_lag_max_entries', kind: 'gauge', unit: 'Count', labels: [], help: 'Committed but not yet applied entries, in the group that lags most.' },
  RaftApplyLag: { name: 'RaftApplyLag', namespace: STORAGE, prom: 'stratus_raft_apply_lag_entries', kind: 'gauge', unit: 'Count', labels: [], help: 'Committed but not yet applied entries, summed over the groups hosted here.' },
  RaftGroups: { name: 'RaftGroups', namespace: STORAGE, prom: 'stratus_raft_groups', kind: 'gauge', unit: 'Count', labels: [], help: 'Raft groups with a replica on this node.' },
  RaftLeaders: { name: 'RaftLeaders', namespace: STORAGE, prom: 'stratus_raft_leaders', kind: 'gauge', unit: 'Count', labels: [], help: 'Raft groups this node leads.' },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof Metric;
