// Shared by the Step Functions execution tests: an SDK client for the embedded server, state
// machines and functions made in one call, AWS's error as a comparable value, and waiting for an
// execution by polling DescribeExecution (never a fixed sleep standing in for a condition).
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateStateMachineCommand,
  type CreateStateMachineCommandInput,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { ROOT } from './targets.js';

export const ACCOUNT = '000000000000';
export const PREFIX = `arn:aws:states:us-east-1:${ACCOUNT}`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/sfn-role`;
export const LAMBDA_ROLE = `arn:aws:iam::${ACCOUNT}:role/lambda-role`;
export const machineArn = (name: string): string => `${PREFIX}:stateMachine:${name}`;
export const executionArn = (machine: string, name: string): string => `${PREFIX}:execution:${machine}:${name}`;

/** How long an execution may take to close before a test gives up, and how often it looks. */
const DEADLINE_MS = 20_000;
const POLL_MS = 50;

export function sfnClient(endpoint: string): SFNClient {
  // The SDK's model gives StartSyncExecution and TestState the host prefix `sync-`, so it would
  // send them to `sync-127.0.0.1:<port>`, a name no resolver knows; Stratus answers any host.
  return new SFNClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, disableHostPrefix: true });
}

export interface Failure {
  name: string;
  message: string;
  status: number | undefined;
}

/** The error a call fails with, as name, message and HTTP status. */
export async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** A state machine from a definition object; its ARN. */
export async function machine(sfn: SFNClient, name: string, definition: object, more: Partial<CreateStateMachineCommandInput> = {}): Promise<string> {
  const r = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, ...more }));
  return r.stateMachineArn!;
}

/** Polls until `check` answers something other than undefined; fails after the deadline. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = DEADLINE_MS): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** DescribeExecution once the execution is in one of `statuses` (by default: any but RUNNING). */
export function settled(sfn: SFNClient, arn: string, statuses?: string[]): Promise<DescribeExecutionCommandOutput> {
  return until(`${arn} to ${statuses ? statuses.join('/') : 'close'}`, async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const done = statuses ? statuses.includes(d.status!) : d.status !== 'RUNNING';
    return done ? d : undefined;
  });
}

/** The whole history, page by page. */
export async function history(sfn: SFNClient, arn: string): Promise<HistoryEvent[]> {
  const out: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const r = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, nextToken }));
    out.push(...(r.events ?? []));
    nextToken = r.nextToken;
  } while (nextToken);
  return out;
}

/** Waits until the execution's history holds an event of this type; the history then. */
export function historyWith(sfn: SFNClient, arn: string, type: string): Promise<HistoryEvent[]> {
  return until(`a ${type} event in ${arn}`, async () => {
    const h = await history(sfn, arn);
    return h.some((e) => e.type === type) ? h : undefined;
  });
}

/** [type, id, previousEventId] of each event: the shape of a history at a glance. */
export const shape = (events: HistoryEvent[]): [string, number, number][] => events.map((e) => [e.type!, e.id!, e.previousEventId!]);

/** A Node.js function from a zip; its ARN. */
export async function fn(lambda: LambdaClient, name: string, zipFile: Uint8Array, env: Record<string, string> = {}): Promise<string> {
  const r = await lambda.send(
    new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: LAMBDA_ROLE, Handler: 'index.handler', Code: { ZipFile: zipFile }, Timeout: 5, Environment: { Variables: env } }),
  );
  return r.FunctionArn!;
}
