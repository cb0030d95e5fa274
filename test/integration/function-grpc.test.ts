// The native FunctionService end to end on the embedded server: the proto against the Lambda
// actions' shapes, functions created, read, invoked (sync and async), listed and deleted over
// gRPC, and errors as gRPC statuses with Lambda's code (and extra members) in metadata.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protoName } from '../../nodes/gateway/action-grpc.js';
import { LAMBDA_ACTIONS } from '../../nodes/gateway/lambda/service.js';
import { type Shape, type StructShape } from '../../nodes/gateway/shapes.js';
import { CHANNEL_OPTIONS, services } from '../../nodes/grpc/protos.js';
import { ECHO, ECHO_V2 } from '../compat/lambda-fixtures.js';
import { startEmbedded } from '../compat/targets.js';

type Embedded = Awaited<ReturnType<typeof startEmbedded>>;
type Unary = (req: object, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply: unknown) => void) => void;

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const identity = (b: Buffer): Buffer => b;

let target: Embedded | undefined;
let client: grpc.Client | undefined;

beforeAll(async () => {
  target = await startEmbedded();
  const Ctor = services().functions;
  client = new Ctor(target.node.grpcAddress, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
}, 60_000);

afterAll(async () => {
  client?.close();
  await target?.stop();
});

/** Calls a unary RPC by its client method name (createFunction, invoke, ...). */
function call<T>(method: string, req: object, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = client!;
    const f = (c as unknown as Record<string, Unary | undefined>)[method];
    if (!f) throw new Error(`FunctionService has no method ${method}`);
    f.call(c, req, { deadline: new Date(Date.now() + timeoutMs) }, (err, reply) => (err ? reject(err) : resolve(reply as T)));
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

const meta = (e: grpc.ServiceError, key: string): unknown => e.metadata.get(key)[0];
const json = (b: Buffer | undefined): unknown => JSON.parse(Buffer.from(b ?? Buffer.alloc(0)).toString('utf8'));

interface Configuration {
  functionName?: string;
  functionArn?: string;
  runtime?: string;
  handler?: string;
  codeSize?: number;
  version?: string;
  state?: string;
  environment?: { variables: Record<string, string> };
}
interface InvokeOut {
  statusCode?: number;
  functionError?: string;
  logResult?: string;
  payload?: Buffer;
  executedVersion?: string;
}

function create(name: string, zipFile: Uint8Array, more: object = {}): Promise<Configuration> {
  return call<Configuration>('createFunction', { functionName: name, runtime: 'nodejs20.x', role: ROLE, handler: 'index.handler', code: { zipFile: Buffer.from(zipFile) }, ...more });
}

// --- The proto against the shapes ---

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  name?: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
  oneofDecl: { name: string }[];
  options?: { mapEntry?: boolean } | null;
}

const PACKAGE = protoLoader.loadSync('stratus/v1/functions.proto', {
  keepCase: false,
  longs: Number,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [fileURLToPath(new URL('../../proto/', import.meta.url))],
});

function message(name: string): MessageDescriptor {
  const def = PACKAGE[`stratus.v1.${name}`] as { type?: MessageDescriptor } | undefined;
  if (!def?.type) throw new Error(`stratus.v1.${name} is not defined`);
  return def.type;
}

const SCALAR: Record<string, string[]> = {
  string: ['TYPE_STRING'],
  blob: ['TYPE_BYTES'],
  boolean: ['TYPE_BOOL'],
  integer: ['TYPE_INT32', 'TYPE_INT64'],
  double: ['TYPE_DOUBLE'],
};

/**
 * Problems of a message as the translation of `shape` (functions.proto's header states the
 * rules): the same fields, of matching types, `optional` for every scalar but a request's
 * required strings.
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
    const wantOptional = !(isInput && s.required === true && s.kind === 'string');
    if (scalar && optional.has(`_${f.name}`) !== wantOptional) out.push(`${where}: optional should be ${wantOptional}`);
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
      const value = entry.field.find((x) => x.name === 'value')!;
      return fieldMismatches(s.value, value, entry, `${where}{}`, isInput);
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

describe('FunctionService', () => {
  it('has one RPC per Lambda action, its messages the action shapes', () => {
    const defs = services().functions.service;
    expect(Object.keys(defs).sort()).toEqual([...LAMBDA_ACTIONS.keys()].sort());
    for (const [method, def] of Object.entries(defs)) {
      const action = LAMBDA_ACTIONS.get(method)!;
      expect(mismatches(action.input, message(typeName(def, 'requestType')), `${method}Request`, true), method).toEqual([]);
      expect(mismatches(action.output, message(typeName(def, 'responseType')), `${method}Response`, false), method).toEqual([]);
    }
  });

  it('creates, reads, invokes, lists and deletes a function', async () => {
    const created = await create('grpc-echo', ECHO, { environment: { variables: { GREETING: 'hello' } }, tags: { team: 'core' } });
    expect(created).toMatchObject({
      functionName: 'grpc-echo',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:grpc-echo',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      codeSize: ECHO.length,
      version: '$LATEST',
      environment: { variables: { GREETING: 'hello' } },
    });

    const got = await call<{ configuration: Configuration; code: { repositoryType?: string }; tags: Record<string, string> }>('getFunction', { functionName: 'grpc-echo' });
    expect(got.configuration).toMatchObject({ functionName: 'grpc-echo', codeSize: ECHO.length });
    expect(got.code.repositoryType).toBe('Stratus');
    expect(got.tags).toEqual({ team: 'core' });

    const sync = await call<InvokeOut>('invoke', { functionName: 'grpc-echo', payload: Buffer.from(JSON.stringify({ n: 1, s: 'ü' })), logType: 'Tail' });
    expect(sync.statusCode).toBe(200);
    expect(sync.functionError).toBeUndefined();
    expect(sync.executedVersion).toBe('$LATEST');
    expect(json(sync.payload)).toMatchObject({ event: { n: 1, s: 'ü' }, functionName: 'grpc-echo', env: { GREETING: 'hello' } });
    expect(Buffer.from(sync.logResult ?? '', 'base64').toString('utf8')).toContain('echo');

    const async = await call<InvokeOut>('invoke', { functionName: 'grpc-echo', invocationType: 'Event', payload: Buffer.from('{"later":true}') });
    expect(async.statusCode).toBe(202);
    expect(async.payload === undefined || async.payload.length === 0).toBe(true);

    const listed = await call<{ functions: Configuration[] }>('listFunctions', {});
    expect(listed.functions.map((f) => f.functionName)).toContain('grpc-echo');

    expect(await call('deleteFunction', { functionName: 'grpc-echo' })).toEqual({});
    const gone = await failure(call('getFunction', { functionName: 'grpc-echo' }));
    expect(gone.code).toBe(grpc.status.NOT_FOUND);
  });

  it('routes an alias by weight (doubles) to published versions', async () => {
    await create('grpc-versions', ECHO);
    expect((await call<Configuration>('publishVersion', { functionName: 'grpc-versions' })).version).toBe('1');
    const v2 = await call<Configuration>('updateFunctionCode', { functionName: 'grpc-versions', zipFile: Buffer.from(ECHO_V2), publish: true });
    expect(v2.version).toBe('2');
    const alias = await call<{ aliasArn?: string; functionVersion?: string; routingConfig?: { additionalVersionWeights: Record<string, number> } }>('createAlias', {
      functionName: 'grpc-versions',
      name: 'live',
      functionVersion: '1',
      routingConfig: { additionalVersionWeights: { '2': 0.25 } },
    });
    expect(alias).toMatchObject({ aliasArn: 'arn:aws:lambda:us-east-1:000000000000:function:grpc-versions:live', functionVersion: '1' });
    expect(alias.routingConfig?.additionalVersionWeights['2']).toBeCloseTo(0.25);
    const r = await call<InvokeOut>('invoke', { functionName: 'grpc-versions', qualifier: 'live', payload: Buffer.from('{}') });
    expect(['1', '2']).toContain(r.executedVersion);
    const conflict = await failure(call('createAlias', { functionName: 'grpc-versions', name: 'live', functionVersion: '1' }));
    expect(conflict.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(meta(conflict, 'aws-error-code')).toBe('ResourceConflictException');
  });

  it('reports Lambda errors as statuses with the code in metadata', async () => {
    const missing = await failure(call('invoke', { functionName: 'grpc-nope' }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
    expect(meta(missing, 'aws-error-code')).toBe('ResourceNotFoundException');
    expect(missing.details).toMatch(/^ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:000000000000:function:grpc-nope/);

    // A required member left out: Lambda's name for it, not the generic MissingParameter.
    const noName = await failure(call('getFunction', { functionName: '' }));
    expect(noName.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(meta(noName, 'aws-error-code')).toBe('InvalidParameterValueException');

    await create('grpc-errors', ECHO);
    const badType = await failure(call('invoke', { functionName: 'grpc-errors', invocationType: 'Sometimes' }));
    expect(badType.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(meta(badType, 'aws-error-code')).toBe('ValidationException');
    const notJson = await failure(call('invoke', { functionName: 'grpc-errors', payload: Buffer.from('{nope') }));
    expect(meta(notJson, 'aws-error-code')).toBe('InvalidRequestContentException');
    const badMemory = await failure(create('grpc-small', ECHO, { memorySize: 64 }));
    expect(badMemory.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(meta(badMemory, 'aws-error-code')).toBe('ValidationException');
    const badZip = await failure(create('grpc-badzip', Buffer.from('not a zip')));
    expect(badZip.code).toBe(grpc.status.INVALID_ARGUMENT);

    const exists = await failure(create('grpc-errors', ECHO));
    expect(exists.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(meta(exists, 'aws-error-code')).toBe('ResourceConflictException');

    // Reserved concurrency 0 (an optional int32 set to 0, not left out) throttles every invocation.
    expect(await call('putFunctionConcurrency', { functionName: 'grpc-errors', reservedConcurrentExecutions: 0 })).toMatchObject({ reservedConcurrentExecutions: 0 });
    const throttled = await failure(call('invoke', { functionName: 'grpc-errors' }));
    expect(throttled.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(meta(throttled, 'aws-error-code')).toBe('TooManyRequestsException');
    expect(meta(throttled, 'aws-error-reason')).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(meta(throttled, 'retry-after')).toBe('1');
    expect(meta(throttled, 'retry-after-ms')).toBe('1000');
  });

  it('answers a request that cannot be decoded with InvalidRequestContentException', async () => {
    // code (field 5) whose zip_file claims a byte past the end: it cannot be decoded.
    const bytes = Buffer.from([0x2a, 0x03, 0x0a, 0x01]);
    const err = await failure(
      new Promise((resolve, reject) =>
        client!.makeUnaryRequest('/stratus.v1.FunctionService/CreateFunction', identity, identity, bytes, { deadline: new Date(Date.now() + 10_000) }, (e, reply) => (e ? reject(e) : resolve(reply))),
      ),
    );
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(meta(err, 'aws-error-code')).toBe('InvalidRequestContentException');
  });
});
