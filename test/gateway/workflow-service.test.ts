// The native WorkflowService end to end on the embedded server: the proto as the translation of
// the Step Functions actions, a Standard execution from start to its history (details as JSON),
// an activity worker's round trip, StartSyncExecution on an Express machine, and errors as gRPC
// statuses with the Step Functions code in metadata.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoName } from '../../nodes/gateway/action-grpc.js';
import { type Shape, type StructShape } from '../../nodes/gateway/shapes.js';
import { SFN_ACTIONS } from '../../nodes/gateway/sfn/service.js';
import { WORKFLOW_ACTIONS, workflowServiceClient } from '../../nodes/gateway/workflow-service.js';
import { startEmbedded } from '../compat/targets.js';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;
type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

const ROLE = 'arn:aws:iam::000000000000:role/sfn-role';

interface HistoryEventOut {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  detailsType?: string;
  detailsJson?: string;
}
interface ExecutionOut {
  executionArn: string;
  status: string;
  startDate: number;
  stopDate?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

let target: Embedded | undefined;
let raw: grpc.Client;

beforeAll(async () => {
  target = await startEmbedded();
  const Ctor = workflowServiceClient();
  raw = new Ctor(target.node.grpcAddress, grpc.credentials.createInsecure());
}, 60_000);

afterAll(async () => {
  raw?.close();
  await target?.stop();
}, 30_000);

function call<T>(method: string, req: object, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const f = (raw as unknown as Record<string, Unary | undefined>)[method];
    if (!f) throw new Error(`WorkflowService has no method ${method}`);
    f.call(raw, req, { deadline: new Date(Date.now() + timeoutMs) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
  });
}

async function failure(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error('expected the call to fail');
}

const awsCode = (e: { metadata: grpc.Metadata }): unknown => e.metadata.get('aws-error-code')[0];
const statusOf = (e: grpc.ServiceError): [grpc.status, unknown] => [e.code, awsCode(e)];

/** Polls until `check` answers something; fails after the deadline (no fixed sleeps). */
async function until<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createMachine(name: string, definition: object, more: object = {}): Promise<string> {
  const { stateMachineArn } = await call<{ stateMachineArn: string }>('createStateMachine', { name, definition: JSON.stringify(definition), roleArn: ROLE, ...more });
  return stateMachineArn;
}

const closed = (executionArn: string): Promise<ExecutionOut> =>
  until(`${executionArn} to close`, async () => {
    const d = await call<ExecutionOut>('describeExecution', { executionArn });
    return d.status === 'RUNNING' ? undefined : d;
  });

// --- The proto against the action shapes ---

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  nestedType: (MessageDescriptor & { name?: string; options?: { mapEntry?: boolean } | null })[];
  oneofDecl: { name: string }[];
}

const PACKAGE = protoLoader.loadSync(fileURLToPath(new URL('../../proto/stratus/v1/workflows.proto', import.meta.url)), { keepCase: false, longs: Number, enums: Number, defaults: true, oneofs: true });

function message(name: string): MessageDescriptor {
  const def = PACKAGE[`stratus.v1.${name}`] as { type?: MessageDescriptor } | undefined;
  if (!def?.type) throw new Error(`stratus.v1.${name} is not defined`);
  return def.type;
}

const SCALAR: Record<string, readonly string[]> = { string: ['TYPE_STRING'], blob: ['TYPE_BYTES'], boolean: ['TYPE_BOOL'], integer: ['TYPE_INT32', 'TYPE_INT64'], double: ['TYPE_DOUBLE'] };

/**
 * Problems of a message as the translation of `shape` (workflows.proto's header states the
 * rules): the same fields, of matching types; in requests, every scalar but a required one is
 * `optional`, so that "not given" reaches the action as it does from the HTTP front.
 */
function mismatches(shape: StructShape, msg: MessageDescriptor, path: string, isInput: boolean): string[] {
  const out: string[] = [];
  const fields = new Map(msg.field.map((f) => [f.name, f]));
  const expected = Object.keys(shape.members).map(protoName).sort();
  const actual = [...fields.keys()].sort();
  if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push(`${path}: fields ${actual.join(',')}, members ${expected.join(',')}`);
  const optional = new Set(msg.oneofDecl.map((o) => o.name));
  for (const [member, s] of Object.entries(shape.members)) {
    const f = fields.get(protoName(member));
    if (!f) continue;
    const where = `${path}.${f.name}`;
    const scalar = s.kind !== 'list' && s.kind !== 'map' && s.kind !== 'struct';
    if (isInput && scalar && optional.has(`_${f.name}`) !== !s.required) out.push(`${where}: optional should be ${!s.required}`);
    out.push(...fieldMismatches(s, f, msg, where, isInput));
  }
  return out;
}

function fieldMismatches(s: Shape, f: FieldDescriptor, parent: MessageDescriptor, where: string, isInput: boolean, element = false): string[] {
  const entry = f.type === 'TYPE_MESSAGE' ? parent.nestedType.find((n) => n.name === f.typeName && n.options?.mapEntry) : undefined;
  switch (s.kind) {
    case 'list':
      if (f.label !== 'LABEL_REPEATED' || entry) return [`${where}: not a repeated field`];
      return fieldMismatches(s.member, f, parent, where, isInput, true);
    case 'map': {
      if (!entry) return [`${where}: not a map`];
      return fieldMismatches(s.value, entry.field.find((x) => x.name === 'value')!, entry, `${where}{}`, isInput);
    }
    case 'struct':
      if (f.type !== 'TYPE_MESSAGE' || (f.label === 'LABEL_REPEATED') !== element) return [`${where}: not a message field`];
      return mismatches(s, message(f.typeName), `${where}<${f.typeName}>`, isInput);
    default:
      if (!SCALAR[s.kind]!.includes(f.type)) return [`${where}: ${f.type} for a ${s.kind}`];
      if ((f.label === 'LABEL_REPEATED') !== element) return [`${where}: repeated is wrong`];
      return [];
  }
}

function typeName(method: grpc.MethodDefinition<object, object>, which: 'requestType' | 'responseType'): string {
  const t = (method as unknown as Record<string, { type?: { name?: string } } | undefined>)[which];
  return t?.type?.name ?? '';
}

/** Names other protos of the package already use get the service's name in them. */
const MESSAGE_BASE: Record<string, string> = { TagResource: 'TagWorkflowResource', UntagResource: 'UntagWorkflowResource', ListTagsForResource: 'ListTagsForWorkflowResource' };

describe('WorkflowService', () => {
  it('has one RPC per Step Functions action, its messages the action shapes', () => {
    const defs = workflowServiceClient().service;
    expect(Object.keys(defs).sort()).toEqual(SFN_ACTIONS.map((a) => a.name).sort());
    for (const [method, def] of Object.entries(defs)) {
      const action = WORKFLOW_ACTIONS.get(method)!;
      const base = MESSAGE_BASE[method] ?? method;
      expect(typeName(def, 'requestType'), method).toBe(`${base}Request`);
      expect(typeName(def, 'responseType'), method).toBe(`${base}Response`);
      expect(mismatches(action.input, message(`${base}Request`), `${base}Request`, true), method).toEqual([]);
      expect(mismatches(action.output, message(`${base}Response`), `${base}Response`, false), method).toEqual([]);
    }
  });

  it('runs a Standard execution to its end and pages its history, details as JSON', async () => {
    const definition = {
      StartAt: 'Greet',
      States: {
        Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('hello {}', $.who)" }, Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const before = Date.now() / 1000;
    const stateMachineArn = await createMachine('grpc-standard', definition, { tags: [{ key: 'team', value: 'core' }] });
    expect(stateMachineArn).toMatch(/^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:grpc-standard$/);

    const described = await call<{ name: string; type: string; definition?: string; creationDate: number; variableReferences: Record<string, unknown> }>('describeStateMachine', { stateMachineArn });
    expect(described).toMatchObject({ name: 'grpc-standard', type: 'STANDARD' });
    expect(JSON.parse(described.definition!)).toEqual(definition);
    expect(described.creationDate).toBeGreaterThanOrEqual(before - 1);
    const listed = await call<{ stateMachines: { stateMachineArn: string }[]; nextToken?: string }>('listStateMachines', {});
    expect(listed.stateMachines.map((m) => m.stateMachineArn)).toContain(stateMachineArn);
    expect(listed.nextToken).toBeUndefined();
    const { tags } = await call<{ tags: { key?: string; value?: string }[] }>('listTagsForResource', { resourceArn: stateMachineArn });
    // Read as fields: proto-loader adds `_key` / `_value` (the oneofs proto3 `optional` makes).
    expect(tags.map((x) => [x.key, x.value])).toEqual([['team', 'core']]);

    const started = await call<{ executionArn: string; startDate: number }>('startExecution', { stateMachineArn, name: 'first', input: '{"who":"grpc"}' });
    expect(started.executionArn).toMatch(/:execution:grpc-standard:first$/);
    expect(started.startDate).toBeGreaterThanOrEqual(before - 1);

    const done = await closed(started.executionArn);
    expect(done).toMatchObject({ executionArn: started.executionArn, status: 'SUCCEEDED', input: '{"who":"grpc"}' });
    expect(JSON.parse(done.output!)).toEqual({ greeting: 'hello grpc' });
    expect(done.stopDate).toBeGreaterThanOrEqual(done.startDate);
    const { executions } = await call<{ executions: ExecutionOut[] }>('listExecutions', { stateMachineArn, statusFilter: 'SUCCEEDED' });
    expect(executions.map((e) => e.executionArn)).toEqual([started.executionArn]);

    const history = await call<{ events: HistoryEventOut[]; nextToken?: string }>('getExecutionHistory', { executionArn: started.executionArn });
    expect(history.nextToken).toBeUndefined();
    expect(history.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
    // AWS's chain: the first state's entry follows event 0, as ExecutionStarted does.
    expect(history.events.map((e) => [e.id, e.previousEventId])).toEqual([[1, 0], [2, 0], [3, 2], [4, 3], [5, 4], [6, 5]]);
    expect(history.events.every((e) => e.timestamp >= before - 1)).toBe(true);
    const [first, entered] = history.events;
    expect(first!.detailsType).toBe('executionStartedEventDetails');
    expect(JSON.parse(first!.detailsJson!)).toMatchObject({ input: '{"who":"grpc"}', roleArn: ROLE });
    expect(entered!.detailsType).toBe('stateEnteredEventDetails');
    expect(JSON.parse(entered!.detailsJson!)).toMatchObject({ name: 'Greet' });
    const last = history.events[history.events.length - 1]!;
    expect(last.detailsType).toBe('executionSucceededEventDetails');
    expect(JSON.parse(JSON.parse(last.detailsJson!).output as string)).toEqual({ greeting: 'hello grpc' });

    // A page of two, newest first, then the rest through the token; without data, no input.
    const page = await call<{ events: HistoryEventOut[]; nextToken?: string }>('getExecutionHistory', { executionArn: started.executionArn, maxResults: 2, reverseOrder: true, includeExecutionData: false });
    expect(page.events.map((e) => e.id)).toEqual([6, 5]);
    expect(JSON.parse(page.events[0]!.detailsJson!)).not.toHaveProperty('output');
    const rest = await call<{ events: HistoryEventOut[] }>('getExecutionHistory', { executionArn: started.executionArn, reverseOrder: true, nextToken: page.nextToken });
    expect(rest.events.map((e) => e.id)).toEqual([4, 3, 2, 1]);
  });

  it('hands an activity task to a worker and takes its result', async () => {
    const { activityArn } = await call<{ activityArn: string }>('createActivity', { name: 'grpc-worker' });
    const stateMachineArn = await createMachine('grpc-activity', { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } });
    const { executionArn } = await call<{ executionArn: string }>('startExecution', { stateMachineArn, input: '{"n":2}' });
    const task = await call<{ taskToken?: string; input?: string }>('getActivityTask', { activityArn, workerName: 'w1' }, 90_000);
    expect(task.input).toBe('{"n":2}');
    await call('sendTaskHeartbeat', { taskToken: task.taskToken });
    await call('sendTaskSuccess', { taskToken: task.taskToken, output: '{"doubled":4}' });
    const done = await closed(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ doubled: 4 });
    // The token is spent: its task is gone.
    const spent = await failure(call('sendTaskFailure', { taskToken: task.taskToken, error: 'Late' }));
    expect(statusOf(spent)).toEqual([grpc.status.FAILED_PRECONDITION, 'TaskTimedOut']);
  });

  it('answers StartSyncExecution on an Express machine with the result', async () => {
    const definition = {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.fail', BooleanEquals: true, Next: 'F' }], Default: 'P' },
        P: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, End: true },
        F: { Type: 'Fail', Error: 'Custom.Failure', Cause: 'asked to' },
      },
    };
    const stateMachineArn = await createMachine('grpc-express', definition, { type: 'EXPRESS' });
    const ok = await call<ExecutionOut & { billingDetails: { billedMemoryUsedInMb: number; billedDurationInMilliseconds: number }; inputDetails: { included: boolean } }>('startSyncExecution', {
      stateMachineArn,
      name: 'sum',
      input: '{"a":2,"b":3,"fail":false}',
    });
    expect(ok).toMatchObject({ status: 'SUCCEEDED', input: '{"a":2,"b":3,"fail":false}', inputDetails: { included: true }, billingDetails: { billedMemoryUsedInMb: 64 } });
    expect(ok.executionArn).toMatch(/:express:grpc-express:sum:/);
    expect(JSON.parse(ok.output!)).toEqual({ sum: 5 });
    expect(ok.billingDetails.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
    expect(ok.stopDate).toBeGreaterThanOrEqual(ok.startDate);

    // A failed execution is the answer, not a status.
    const failed = await call<ExecutionOut>('startSyncExecution', { stateMachineArn, input: '{"fail":true}', includedData: 'METADATA_ONLY' });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Custom.Failure', cause: 'asked to' });
    expect(failed.input).toBeUndefined();
    expect(failed.output).toBeUndefined();
  });

  it('maps Step Functions errors to gRPC statuses with the code in metadata', async () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const stateMachineArn = await createMachine('grpc-errors', definition);

    // NOT_FOUND
    const noExecution = await failure(call('describeExecution', { executionArn: stateMachineArn.replace(':stateMachine:', ':execution:') + ':missing' }));
    expect(statusOf(noExecution)).toEqual([grpc.status.NOT_FOUND, 'ExecutionDoesNotExist']);
    expect(noExecution.details).toMatch(/^ExecutionDoesNotExist: /);
    const noMachine = await failure(call('startExecution', { stateMachineArn: `${stateMachineArn}-missing` }));
    expect(statusOf(noMachine)).toEqual([grpc.status.NOT_FOUND, 'StateMachineDoesNotExist']);
    const noRun = await failure(call('describeMapRun', { mapRunArn: `${stateMachineArn.replace(':stateMachine:', ':mapRun:')}/run:x` }));
    expect(statusOf(noRun)).toEqual([grpc.status.NOT_FOUND, 'SfnResourceNotFound']);

    // ALREADY_EXISTS: the name again with another definition.
    const taken = await failure(createMachine('grpc-errors', { StartAt: 'Q', States: { Q: { Type: 'Succeed' } } }));
    expect(statusOf(taken)).toEqual([grpc.status.ALREADY_EXISTS, 'StateMachineAlreadyExists']);
    const { executionArn } = await call<{ executionArn: string }>('startExecution', { stateMachineArn, name: 'once', input: '{"a":1}' });
    const twice = await failure(call('startExecution', { stateMachineArn, name: 'once', input: '{"a":2}' }));
    expect(statusOf(twice)).toEqual([grpc.status.ALREADY_EXISTS, 'ExecutionAlreadyExists']);

    // RESOURCE_EXHAUSTED: more than 50 tags.
    const tags = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const tooMany = await failure(call('tagResource', { resourceArn: stateMachineArn, tags }));
    expect(statusOf(tooMany)).toEqual([grpc.status.RESOURCE_EXHAUSTED, 'TooManyTags']);
    expect(tooMany.metadata.get('aws-error-resource-name')).toEqual([stateMachineArn]);

    // FAILED_PRECONDITION: a Standard machine cannot run synchronously; a succeeded execution
    // cannot be redriven.
    const notExpress = await failure(call('startSyncExecution', { stateMachineArn }));
    expect(statusOf(notExpress)).toEqual([grpc.status.FAILED_PRECONDITION, 'StateMachineTypeNotSupported']);
    expect((await closed(executionArn)).status).toBe('SUCCEEDED');
    const notRedrivable = await failure(call('redriveExecution', { executionArn }));
    expect(statusOf(notRedrivable)).toEqual([grpc.status.FAILED_PRECONDITION, 'ExecutionNotRedrivable']);

    // INVALID_ARGUMENT: a required field left empty is missing, in AWS's words; a bad definition.
    const noName = await failure(call('createStateMachine', { definition: JSON.stringify(definition), roleArn: ROLE }));
    expect(statusOf(noName)).toEqual([grpc.status.INVALID_ARGUMENT, 'SfnValidationException']);
    expect(noName.details).toContain("Value null at 'name' failed to satisfy constraint: Member must not be null");
    const tooLong = await failure(call('startExecution', { stateMachineArn, name: 'x'.repeat(81) }));
    expect(statusOf(tooLong)).toEqual([grpc.status.INVALID_ARGUMENT, 'SfnValidationException']);
    const badDefinition = await failure(createMachine('grpc-bad', { StartAt: 'Nowhere', States: {} }));
    expect(statusOf(badDefinition)).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidDefinition']);

    // Bytes that are no CreateStateMachineRequest are the service's own error, not grpc-js's INTERNAL.
    const identity = (b: Buffer): Buffer => b;
    const garbage = await failure(
      new Promise((resolve, reject) =>
        raw.makeUnaryRequest('/stratus.v1.WorkflowService/CreateStateMachine', identity, identity, Buffer.from([0x0a, 0xff]), { deadline: new Date(Date.now() + 10_000) }, (err, reply) =>
          err ? reject(err) : resolve(reply),
        ),
      ),
    );
    expect(statusOf(garbage)).toEqual([grpc.status.INVALID_ARGUMENT, 'SerializationException']);
  });
});
