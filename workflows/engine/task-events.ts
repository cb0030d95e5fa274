// Which family of history events a Task state writes depends on its Resource: a Lambda function
// ARN writes LambdaFunction*, an activity ARN Activity*, a service integration Task*.
import { type Json } from '../language/json.js';

export type ResourceKind =
  | { fam: 'lambda' }
  | { fam: 'activity' }
  | { fam: 'service'; resourceType: string; resource: string; pattern: 'request' | 'sync' | 'callback' };

const LAMBDA = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:/;
const ACTIVITY = /^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:/;
const SERVICE = /^arn:aws[a-z-]*:states:::(.*?):([^:]+(?::2)?)$/;

export function classifyResource(arn: string): ResourceKind {
  if (LAMBDA.test(arn)) return { fam: 'lambda' };
  if (ACTIVITY.test(arn)) return { fam: 'activity' };
  const m = SERVICE.exec(arn);
  if (m) {
    const resource = m[2] as string;
    const pattern = resource.endsWith('.waitForTaskToken') ? 'callback' : /\.sync(:2)?$/.test(resource) ? 'sync' : 'request';
    return { fam: 'service', resourceType: m[1] as string, resource, pattern };
  }
  // Anything else (a validator would have refused it) is treated as a plain request-response call.
  return { fam: 'service', resourceType: 'unknown', resource: arn, pattern: 'request' };
}

/** Whether the host hands the task a token (callbacks and activities). */
export function usesToken(k: ResourceKind): boolean {
  return k.fam === 'activity' || (k.fam === 'service' && k.pattern === 'callback');
}

/** Whether heartbeats can arrive (HeartbeatSeconds only applies to these). */
export function heartbeats(k: ResourceKind): boolean {
  return k.fam === 'activity' || (k.fam === 'service' && k.pattern !== 'request');
}

const DATA = { truncated: false } as const;

type Details = Record<string, Json>;
export interface EventSpec {
  type: string;
  key?: string;
  value?: Details;
}

function svc(k: ResourceKind): Details {
  return k.fam === 'service' ? { resourceType: k.resourceType, resource: k.resource } : {};
}

export function scheduledEvents(
  k: ResourceKind,
  arn: string,
  region: string,
  inputText: string,
  timeout: number | undefined,
  heartbeat: number | undefined,
): EventSpec[] {
  const limits: Details = {};
  if (timeout !== undefined) limits.timeoutInSeconds = timeout;
  if (k.fam === 'lambda') {
    return [
      { type: 'LambdaFunctionScheduled', key: 'lambdaFunctionScheduledEventDetails', value: { resource: arn, input: inputText, inputDetails: DATA, ...limits } },
      { type: 'LambdaFunctionStarted' },
    ];
  }
  if (heartbeat !== undefined) limits.heartbeatInSeconds = heartbeat;
  if (k.fam === 'activity') {
    return [{ type: 'ActivityScheduled', key: 'activityScheduledEventDetails', value: { resource: arn, input: inputText, inputDetails: DATA, ...limits } }];
  }
  return [
    { type: 'TaskScheduled', key: 'taskScheduledEventDetails', value: { ...svc(k), region, parameters: inputText, ...limits } },
    { type: 'TaskStarted', key: 'taskStartedEventDetails', value: svc(k) },
  ];
}

/** taskStarted from the host: the activity worker took it, or the callback request was sent. */
export function startedEvent(k: ResourceKind, workerName: string | undefined, outputText: string): EventSpec | undefined {
  if (k.fam === 'activity') return { type: 'ActivityStarted', key: 'activityStartedEventDetails', value: workerName === undefined ? {} : { workerName } };
  if (k.fam === 'service' && k.pattern !== 'request') {
    return { type: 'TaskSubmitted', key: 'taskSubmittedEventDetails', value: { ...svc(k), output: outputText, outputDetails: DATA } };
  }
  return undefined;
}

export function succeededEvent(k: ResourceKind, outputText: string): EventSpec {
  const v = { output: outputText, outputDetails: DATA };
  if (k.fam === 'lambda') return { type: 'LambdaFunctionSucceeded', key: 'lambdaFunctionSucceededEventDetails', value: v };
  if (k.fam === 'activity') return { type: 'ActivitySucceeded', key: 'activitySucceededEventDetails', value: v };
  return { type: 'TaskSucceeded', key: 'taskSucceededEventDetails', value: { ...svc(k), ...v } };
}

function errorDetails(error: string, cause: string): Details {
  const d: Details = {};
  if (error !== '') d.error = error;
  if (cause !== '') d.cause = cause;
  return d;
}

export function failedEvent(k: ResourceKind, error: string, cause: string): EventSpec {
  const v = errorDetails(error, cause);
  if (k.fam === 'lambda') return { type: 'LambdaFunctionFailed', key: 'lambdaFunctionFailedEventDetails', value: v };
  if (k.fam === 'activity') return { type: 'ActivityFailed', key: 'activityFailedEventDetails', value: v };
  return { type: 'TaskFailed', key: 'taskFailedEventDetails', value: { ...svc(k), ...v } };
}

export function timedOutEvent(k: ResourceKind, error: string, cause: string): EventSpec {
  const v = errorDetails(error, cause);
  if (k.fam === 'lambda') return { type: 'LambdaFunctionTimedOut', key: 'lambdaFunctionTimedOutEventDetails', value: v };
  if (k.fam === 'activity') return { type: 'ActivityTimedOut', key: 'activityTimedOutEventDetails', value: v };
  return { type: 'TaskTimedOut', key: 'taskTimedOutEventDetails', value: { ...svc(k), ...v } };
}

export { errorDetails };
