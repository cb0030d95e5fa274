// What a Task state's Resource names, parsed once: a function called directly, an optimized
// service integration (`arn:aws:states:::sqs:sendMessage.waitForTaskToken`), an SDK integration
// (`arn:aws:states:::aws-sdk:sqs:sendMessage`) or an activity.

export type IntegrationPattern = 'response' | 'sync' | 'sync2' | 'callback';

export type TaskTarget =
  | { kind: 'function'; arn: string }
  | { kind: 'service'; service: string; action: string; pattern: IntegrationPattern; sdk: boolean }
  | { kind: 'activity'; arn: string; name: string }
  | { kind: 'unknown'; resource: string };

const FUNCTION = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const ACTIVITY = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:([A-Za-z0-9_.-]+)$/;
const SERVICE = /^arn:aws[a-z-]*:states:::(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync:2|\.sync|\.waitForTaskToken)?$/;

export function parseResource(resource: string): TaskTarget {
  if (FUNCTION.test(resource)) return { kind: 'function', arn: resource };
  const a = ACTIVITY.exec(resource);
  if (a) return { kind: 'activity', arn: resource, name: a[1]! };
  const s = SERVICE.exec(resource);
  if (s) {
    const suffix = s[4];
    const pattern: IntegrationPattern = suffix === '.sync' ? 'sync' : suffix === '.sync:2' ? 'sync2' : suffix === '.waitForTaskToken' ? 'callback' : 'response';
    return { kind: 'service', service: s[2]!, action: s[3]!, pattern, sdk: s[1] !== undefined };
  }
  return { kind: 'unknown', resource };
}

/** The error name Step Functions gives a service's error: `SQS.QueueDoesNotExistException`, `Lambda.ResourceNotFoundException`. */
export function serviceErrorName(prefix: string, code: string): string {
  return `${prefix}.${code.endsWith('Exception') ? code : `${code}Exception`}`;
}

/** The prefix of optimized integrations' error names (AWS's spelling), by service. */
export const OPTIMIZED_PREFIX: Record<string, string> = { lambda: 'Lambda', sqs: 'SQS', sns: 'SNS', states: 'StepFunctions', kinesis: 'Kinesis' };

/** SDK integrations name errors after the service with its first letter capitalized (`Sqs.QueueDoesNotExistException`). */
export function sdkPrefix(service: string): string {
  return service.charAt(0).toUpperCase() + service.slice(1);
}

/** `sendMessage` → `SendMessage`: SDK integrations name actions in camel case. */
export function actionName(action: string): string {
  return action.charAt(0).toUpperCase() + action.slice(1);
}
