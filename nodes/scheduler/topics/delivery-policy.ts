/**
 * SNS HTTP/S delivery policies: validation of the topic and subscription `DeliveryPolicy` attributes, the effective
 * policy a subscription runs under, and the delay before each retry.
 *
 * Sources:
 * - https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html (phases, limits, defaults, the
 *   backoff-phase count formula, the 3,600 s cap on total retry time)
 * - awsdocs/amazon-sns-developer-guide doc_source/DeliveryPolicies.md (minDelayTarget is the first backoff retry's
 *   delay, maxDelayTarget the last one's; linear 3 retries 20→40 s gives 20, 30, 40)
 * - AWS error texts seen in the wild: "DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be greater than or equal
 *   to 1" (awsdocs/amazon-sns-developer-guide#5), "DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be
 *   less than or equal to 100"; minDelayTarget, maxDelayTarget and numRetries are required once a retry policy is
 *   given (aws/aws-cdk#30830, triggermesh/aws-event-sources#220). The remaining texts follow the same
 *   "<path> must be …" pattern, worded as Comcast's SNS-compatible CMB worded them.
 * - AWS publishes the backoff curves only as a graph; the formulas are CMB's (Comcast/cmb, cns/util/Util.java),
 *   which meet both documented end points and order the curves as the graph does
 *   (linear < arithmetic < geometric < exponential in how long they stay near the minimum).
 *
 * Convention: a DeliveryPolicyError carries only the reason ("healthyRetryPolicy.numRetries must be …"); the caller
 * adds "Invalid parameter: DeliveryPolicy: " when it answers InvalidParameter.
 */

export const BACKOFF_FUNCTIONS = ['arithmetic', 'exponential', 'geometric', 'linear'] as const;
export type BackoffFunction = (typeof BACKOFF_FUNCTIONS)[number];

export interface HealthyRetryPolicy {
  /** seconds */
  minDelayTarget: number;
  /** seconds */
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: BackoffFunction;
}

export interface ThrottlePolicy {
  maxReceivesPerSecond: number;
}

/** A subscription DeliveryPolicy as validated; absent sections stay absent so the topic's can fill them. */
export interface SubscriptionDeliveryPolicy {
  healthyRetryPolicy?: HealthyRetryPolicy;
  throttlePolicy?: ThrottlePolicy;
  requestPolicy?: { headerContentType: string };
}

/** A topic DeliveryPolicy as validated (its "http" section, which also governs https subscriptions). */
export interface TopicDeliveryPolicy {
  defaultHealthyRetryPolicy?: HealthyRetryPolicy;
  disableSubscriptionOverrides: boolean;
  defaultThrottlePolicy?: ThrottlePolicy;
  defaultRequestPolicy?: { headerContentType: string };
}

export interface EffectiveHttpPolicy {
  healthyRetryPolicy: HealthyRetryPolicy;
  /** undefined: no throttling (AWS's default) */
  throttlePolicy?: ThrottlePolicy;
  headerContentType: string;
}

export const DEFAULT_HEALTHY_RETRY_POLICY: Readonly<HealthyRetryPolicy> = Object.freeze({
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  numMaxDelayRetries: 0,
  backoffFunction: 'linear',
});

export const DEFAULT_HEADER_CONTENT_TYPE = 'text/plain; charset=UTF-8';

const MAX_RETRIES = 100;
const MAX_DELAY_SECONDS = 3600;
const MAX_TOTAL_RETRY_SECONDS = 3600;

/** The reason a DeliveryPolicy is refused, without AWS's "Invalid parameter: DeliveryPolicy: " prefix. */
export class DeliveryPolicyError extends Error {
  override readonly name = 'DeliveryPolicyError';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseObject(json: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new DeliveryPolicyError('policy is not valid JSON');
  }
  if (!isObject(parsed)) throw new DeliveryPolicyError('policy must be a JSON object');
  return parsed;
}

/** An optional section: absent and JSON null both mean "not set" (Terraform writes `"sicklyRetryPolicy": null`). */
function section(parent: Record<string, unknown>, key: string, path: string): Record<string, unknown> | undefined {
  const v = parent[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new DeliveryPolicyError(`${path} must be a JSON object`);
  return v;
}

function integer(obj: Record<string, unknown>, key: string, path: string, required: boolean, fallback: number): number {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw new DeliveryPolicyError(`${path}.${key} must be specified`);
    return fallback;
  }
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new DeliveryPolicyError(`${path}.${key} must be an integer`);
  return v;
}

function parseRetryPolicy(obj: Record<string, unknown>, path: string): HealthyRetryPolicy {
  const minDelayTarget = integer(obj, 'minDelayTarget', path, true, 0);
  const maxDelayTarget = integer(obj, 'maxDelayTarget', path, true, 0);
  const numRetries = integer(obj, 'numRetries', path, true, 0);
  const numNoDelayRetries = integer(obj, 'numNoDelayRetries', path, false, 0);
  const numMinDelayRetries = integer(obj, 'numMinDelayRetries', path, false, 0);
  const numMaxDelayRetries = integer(obj, 'numMaxDelayRetries', path, false, 0);

  let backoffFunction: BackoffFunction = 'linear';
  const bf = obj['backoffFunction'];
  if (bf !== undefined && bf !== null) {
    const known = BACKOFF_FUNCTIONS.find((f) => f === bf);
    if (known === undefined) {
      throw new DeliveryPolicyError(`${path}.backoffFunction must be one of: ${BACKOFF_FUNCTIONS.join(', ')}`);
    }
    backoffFunction = known;
  }

  if (minDelayTarget < 1) throw new DeliveryPolicyError(`${path}.minDelayTarget must be greater than or equal to 1`);
  if (maxDelayTarget > MAX_DELAY_SECONDS) {
    throw new DeliveryPolicyError(`${path}.maxDelayTarget must be less than or equal to ${MAX_DELAY_SECONDS}`);
  }
  if (maxDelayTarget < minDelayTarget) {
    throw new DeliveryPolicyError(`${path}.maxDelayTarget must be greater than or equal to minDelayTarget`);
  }
  for (const [key, value] of [
    ['numRetries', numRetries],
    ['numNoDelayRetries', numNoDelayRetries],
    ['numMinDelayRetries', numMinDelayRetries],
    ['numMaxDelayRetries', numMaxDelayRetries],
  ] as const) {
    if (value < 0) throw new DeliveryPolicyError(`${path}.${key} must be greater than or equal to 0`);
  }
  if (numRetries > MAX_RETRIES) {
    throw new DeliveryPolicyError(`${path}.numRetries must be less than or equal to ${MAX_RETRIES}`);
  }
  if (numNoDelayRetries + numMinDelayRetries + numMaxDelayRetries > numRetries) {
    throw new DeliveryPolicyError(
      `${path}.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries`,
    );
  }

  const policy: HealthyRetryPolicy = {
    minDelayTarget,
    maxDelayTarget,
    numRetries,
    numNoDelayRetries,
    numMinDelayRetries,
    numMaxDelayRetries,
    backoffFunction,
  };
  const totalMs = retryDelaysMs(policy).reduce((a, b) => a + b, 0);
  if (totalMs > MAX_TOTAL_RETRY_SECONDS * 1000) {
    throw new DeliveryPolicyError(
      `${path} total retry time must be less than or equal to ${MAX_TOTAL_RETRY_SECONDS} seconds (is ${Math.ceil(totalMs / 1000)})`,
    );
  }
  return policy;
}

function parseThrottlePolicy(obj: Record<string, unknown>, path: string): ThrottlePolicy {
  const maxReceivesPerSecond = integer(obj, 'maxReceivesPerSecond', path, true, 0);
  if (maxReceivesPerSecond < 1) {
    throw new DeliveryPolicyError(`${path}.maxReceivesPerSecond must be greater than or equal to 1`);
  }
  return { maxReceivesPerSecond };
}

function parseRequestPolicy(obj: Record<string, unknown>, path: string): { headerContentType: string } | undefined {
  const v = obj['headerContentType'];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    throw new DeliveryPolicyError(`${path}.headerContentType must be a non-empty string`);
  }
  return { headerContentType: v };
}

/**
 * Validates a subscription DeliveryPolicy (`{"healthyRetryPolicy":…,"throttlePolicy":…,"requestPolicy":…}`).
 * Keys AWS has retired or never checks (sicklyRetryPolicy, guaranteed) are ignored, since tools still send them.
 */
export function parseSubscriptionDeliveryPolicy(json: string): SubscriptionDeliveryPolicy {
  const root = parseObject(json);
  const out: SubscriptionDeliveryPolicy = {};
  const retry = section(root, 'healthyRetryPolicy', 'healthyRetryPolicy');
  if (retry) out.healthyRetryPolicy = parseRetryPolicy(retry, 'healthyRetryPolicy');
  const throttle = section(root, 'throttlePolicy', 'throttlePolicy');
  if (throttle) out.throttlePolicy = parseThrottlePolicy(throttle, 'throttlePolicy');
  const request = section(root, 'requestPolicy', 'requestPolicy');
  if (request) {
    const parsed = parseRequestPolicy(request, 'requestPolicy');
    if (parsed) out.requestPolicy = parsed;
  }
  return out;
}

/** Validates a topic DeliveryPolicy (`{"http":{"defaultHealthyRetryPolicy":…,…}}`); other protocol keys are ignored. */
export function parseTopicDeliveryPolicy(json: string): TopicDeliveryPolicy {
  const root = parseObject(json);
  const out: TopicDeliveryPolicy = { disableSubscriptionOverrides: false };
  const http = section(root, 'http', 'http');
  if (!http) return out;
  const retry = section(http, 'defaultHealthyRetryPolicy', 'http.defaultHealthyRetryPolicy');
  if (retry) out.defaultHealthyRetryPolicy = parseRetryPolicy(retry, 'http.defaultHealthyRetryPolicy');
  const dso = http['disableSubscriptionOverrides'];
  if (dso !== undefined && dso !== null) {
    if (typeof dso !== 'boolean') throw new DeliveryPolicyError('http.disableSubscriptionOverrides must be a boolean');
    out.disableSubscriptionOverrides = dso;
  }
  const throttle = section(http, 'defaultThrottlePolicy', 'http.defaultThrottlePolicy');
  if (throttle) out.defaultThrottlePolicy = parseThrottlePolicy(throttle, 'http.defaultThrottlePolicy');
  const request = section(http, 'defaultRequestPolicy', 'http.defaultRequestPolicy');
  if (request) {
    const parsed = parseRequestPolicy(request, 'http.defaultRequestPolicy');
    if (parsed) out.defaultRequestPolicy = parsed;
  }
  return out;
}

/**
 * The policy an HTTP/S subscription delivers under. Each section (retry, throttle, request) comes from the
 * subscription when it sets one, else from the topic's default, else from AWS's built-in default; with
 * disableSubscriptionOverrides the subscription's sections are ignored. Both inputs are re-validated, so stored
 * attributes written by an older, laxer version fail loudly here rather than deliver under a wrong policy.
 */
export function effectivePolicy(topicPolicyJson: string | undefined, subscriptionPolicyJson: string | undefined): EffectiveHttpPolicy {
  const topic = topicPolicyJson ? parseTopicDeliveryPolicy(topicPolicyJson) : undefined;
  const sub = subscriptionPolicyJson && !topic?.disableSubscriptionOverrides ? parseSubscriptionDeliveryPolicy(subscriptionPolicyJson) : undefined;
  const out: EffectiveHttpPolicy = {
    healthyRetryPolicy: { ...(sub?.healthyRetryPolicy ?? topic?.defaultHealthyRetryPolicy ?? DEFAULT_HEALTHY_RETRY_POLICY) },
    headerContentType:
      sub?.requestPolicy?.headerContentType ?? topic?.defaultRequestPolicy?.headerContentType ?? DEFAULT_HEADER_CONTENT_TYPE,
  };
  const throttle = sub?.throttlePolicy ?? topic?.defaultThrottlePolicy;
  if (throttle) out.throttlePolicy = { ...throttle };
  return out;
}

/**
 * Delay in seconds of retry `i` (1-based) of `n` in the backoff phase: `min` at the first, `max` at the last, the
 * function shaping the retries between.
 */
function backoffSeconds(fn: BackoffFunction, i: number, n: number, min: number, max: number): number {
  if (n <= 1 || max === min) return min;
  const span = max - min;
  const last = n - 1;
  switch (fn) {
    case 'linear':
      return min + (span * (i - 1)) / last;
    case 'arithmetic':
      // Quadratic: the step between retries grows by a constant amount.
      return min + (span * (i - 1) ** 2) / last ** 2;
    case 'geometric': {
      // x^(i-1) runs from 1 to span+1, so shifting by min-1 pins both ends.
      const x = (span + 1) ** (1 / last);
      return x ** (i - 1) + min - 1;
    }
    case 'exponential': {
      const a = span / (Math.exp(last) - 1);
      return a * Math.exp(i - 1) + min - a;
    }
  }
}

/**
 * The wait before each retry, in order, through AWS's four phases: numNoDelayRetries at 0, numMinDelayRetries at
 * minDelayTarget, the backoff phase (numRetries minus the other three) from minDelayTarget to maxDelayTarget, then
 * numMaxDelayRetries at maxDelayTarget. One entry per retry, so attempts = length + 1. AWS adds jitter on top; this
 * is the deterministic schedule.
 */
export function retryDelaysMs(policy: HealthyRetryPolicy | EffectiveHttpPolicy): number[] {
  const p = 'healthyRetryPolicy' in policy ? policy.healthyRetryPolicy : policy;
  const backoffCount = Math.max(0, p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries);
  const out: number[] = [];
  for (let i = 0; i < p.numNoDelayRetries; i++) out.push(0);
  for (let i = 0; i < p.numMinDelayRetries; i++) out.push(p.minDelayTarget * 1000);
  for (let i = 1; i <= backoffCount; i++) {
    out.push(Math.round(backoffSeconds(p.backoffFunction, i, backoffCount, p.minDelayTarget, p.maxDelayTarget) * 1000));
  }
  for (let i = 0; i < p.numMaxDelayRetries; i++) out.push(p.maxDelayTarget * 1000);
  return out;
}
