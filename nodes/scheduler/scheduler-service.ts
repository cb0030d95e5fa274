// The scheduler process's gRPC face (proto/internal/scheduler.proto): gateways hand it resolved
// invocations to run, and read the provisioned concurrency it keeps.
import * as grpc from '@grpc/grpc-js';
import { services } from '../grpc/protos.js';
import { Attr, SpanKind, SpanName, withSpanOpts } from '../telemetry/index.js';
import { type Provisioner } from './provisioned.js';
import { type Scheduler, Throttled } from './scheduler.js';
import { type InvokeTarget } from './types.js';

type Unary = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(message: string): grpc.ServiceError {
  return Object.assign(new Error(message), { code: grpc.status.INVALID_ARGUMENT, details: message, metadata: new grpc.Metadata() });
}

/** The target as a gateway sent it; checked field by field before it reaches the pool. */
export function parseTarget(json: unknown): InvokeTarget {
  if (typeof json !== 'string') throw invalid('target_json: expected a string');
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw invalid('target_json: not JSON');
  }
  if (!isRecord(v)) throw invalid('target_json: expected an object');
  for (const k of ['functionName', 'invokedArn', 'version'] as const) if (typeof v[k] !== 'string') throw invalid(`target_json.${k}: expected a string`);
  if (!isRecord(v.config) || typeof v.config.handler !== 'string' || typeof v.config.revisionId !== 'string') throw invalid('target_json.config: expected a version configuration');
  if (!Array.isArray(v.layers)) throw invalid('target_json.layers: expected an array');
  if (!isRecord(v.env) || !Object.values(v.env).every((x) => typeof x === 'string')) throw invalid('target_json.env: expected a map of strings');
  if (v.reserved !== null && typeof v.reserved !== 'number') throw invalid('target_json.reserved: expected a number or null');
  if (typeof v.rev !== 'number') throw invalid('target_json.rev: expected a number');
  return v as unknown as InvokeTarget;
}

export function schedulerService(scheduler: Scheduler, provisioner: Provisioner, log: (line: string) => void): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const invoke: Unary = (call, callback) => {
    const req = call.request;
    let target: InvokeTarget;
    try {
      if (!isRecord(req)) throw invalid('expected a SchedulerInvokeRequest');
      target = parseTarget(req.targetJson);
      if (typeof req.requestId !== 'string' || req.requestId === '') throw invalid('request_id: required');
      if (typeof req.payload !== 'string') throw invalid('payload: expected a string');
    } catch (err) {
      callback(err as grpc.ServiceError);
      return;
    }
    // A gateway whose client went away cancels the call: the invocation is aborted like a timeout.
    const abort = new AbortController();
    call.on('cancelled', () => abort.abort());
    const attributes = { [Attr.FunctionName]: target.functionName, [Attr.AwsRequestId]: req.requestId };
    withSpanOpts(SpanName.SchedulerServe, { kind: SpanKind.SERVER, attributes }, () =>
      scheduler.invoke(target, {
        requestId: req.requestId as string,
        payload: req.payload as string,
        signal: abort.signal,
        ...(req.hasClientContext === true && typeof req.clientContext === 'string' ? { clientContext: req.clientContext } : {}),
        ...(typeof req.traceId === 'string' && req.traceId !== '' ? { traceId: req.traceId } : {}),
      }),
    ).then(
      (result) => callback(null, { resultJson: JSON.stringify(result) }),
      (err: unknown) => {
        if (err instanceof Throttled) {
          const metadata = new grpc.Metadata();
          metadata.set('throttle-reason', err.reason);
          callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: err.message, metadata });
          return;
        }
        log(`scheduler: invocation ${String(req.requestId)} failed: ${err instanceof Error ? err.message : String(err)}`);
        callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
      },
    );
  };
  const provisionedStatus: Unary = (_call, callback) => {
    callback(null, { entries: provisioner.entries() });
  };
  const reconcile: Unary = (_call, callback) => {
    void provisioner.reconcile();
    callback(null, {});
  };
  return { definition: services().scheduler.service, implementation: { invoke, provisionedStatus, reconcile } };
}
