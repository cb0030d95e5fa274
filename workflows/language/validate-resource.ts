// A Task's Resource: an ARN naming a Lambda function, an activity, or a service integration
// (`arn:aws:states:::service:api[.sync|.sync:2|.waitForTaskToken]`). Only shapes that can never
// run are refused; which APIs a service offers is the executor's concern.
import { type JsonObject } from './json.js';
import { at, Codes, type Collector, type StateScope } from './validate-context.js';

/** Integrations that have no .sync (run-a-job) form. */
const NO_SYNC = new Set(['lambda', 'sns', 'sqs', 'dynamodb', 'events', 'apigateway', 'aws-sdk']);
/** Integrations that have no .waitForTaskToken (callback) form. */
const NO_TOKEN = new Set(['athena', 'batch', 'codebuild', 'elasticmapreduce', 'emr-containers', 'emr-serverless', 'glue', 'databrew', 'mediaconvert', 'sagemaker', 'dynamodb']);

const PARTITION = '(aws|aws-cn|aws-us-gov)';
// Loose on purpose: a self-hosted cloud may name its regions freely.
const REGION = '[a-z0-9-]+';
const ACCOUNT = '\\d{12}';
const LAMBDA = new RegExp(`^arn:${PARTITION}:lambda:${REGION}:${ACCOUNT}:function:[A-Za-z0-9_-]{1,64}(:(\\$LATEST|[A-Za-z0-9_-]{1,128}))?$`);
const ACTIVITY = new RegExp(`^arn:${PARTITION}:states:${REGION}:${ACCOUNT}:activity:[^\\s:]{1,80}$`);
const INTEGRATION = new RegExp(`^arn:${PARTITION}:states:::([a-z0-9-]+):([A-Za-z0-9:._-]+)$`);

export type ResourceKind = 'lambda' | 'activity' | 'integration' | 'other';

export function resourceKind(arn: string): ResourceKind {
  if (LAMBDA.test(arn)) return 'lambda';
  if (ACTIVITY.test(arn)) return 'activity';
  if (INTEGRATION.test(arn)) return 'integration';
  return 'other';
}

function pattern(api: string): '.sync' | '.waitForTaskToken' | undefined {
  if (/\.sync(:2)?$/.test(api)) return '.sync';
  if (api.endsWith('.waitForTaskToken')) return '.waitForTaskToken';
  return undefined;
}

function checkIntegration(c: Collector, arn: string, loc: string): void {
  const m = INTEGRATION.exec(arn);
  const service = m?.[2] ?? '';
  const api = m?.[3] ?? '';
  const p = pattern(api);
  const unknown = (p === '.sync' && NO_SYNC.has(service)) || (p === '.waitForTaskToken' && NO_TOKEN.has(service)) || (api.endsWith('.sync:2') && service !== 'states');
  if (unknown) c.schema(`The resource provided ${arn} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`, loc);
  if (p !== undefined && c.type === 'EXPRESS') c.schema(`Express state machine does not support '${p}' service integration`, loc);
}

export function checkResource(c: Collector, state: JsonObject, scope: StateScope): void {
  const loc = at(scope.loc, 'Resource');
  const arn = state['Resource'];
  if (!c.string(arn, loc)) return;
  if (!arn.startsWith('arn:')) {
    c.schema('Value is not a valid resource ARN', loc);
    return;
  }
  const kind = resourceKind(arn);
  if (kind === 'other') {
    // Shaped like an ARN but naming nothing a Task can run: AWS's own code for this.
    c.error(Codes.InvalidResource, `Invalid resource: ${arn}`, loc);
    return;
  }
  if (kind === 'integration') checkIntegration(c, arn, loc);
  if (kind === 'activity' && c.type === 'EXPRESS') c.schema('Express state machine does not support Activity ARN', loc);
  if ('Credentials' in state) {
    const cloc = at(scope.loc, 'Credentials');
    const cred = state['Credentials'];
    if (kind === 'activity') c.schema("The field 'Credentials' is not supported for activities", cloc);
    else if (c.object(cred, cloc) && !('RoleArn' in cred) && !('RoleArn.$' in cred)) c.schema("The field 'RoleArn' is required but was missing", cloc);
  }
}
