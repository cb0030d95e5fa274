import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { Throttled } from '../../../scheduler/scheduler.js';
import { type LambdaBackend } from '../backend.js';
import { functionNameLabel, qualifierQuery } from '../shapes.js';
import { currentXRayHeader } from '../../../telemetry/propagation.js';

/** The async event continues the caller's trace (as a linked segment) when it runs. */
function traceOf(): { traceId?: string } {
  const h = currentXRayHeader();
  return h === undefined ? {} : { traceId: h };
}

/** AWS: 6 MB for a synchronous request or response, 1 MB for an asynchronous event. */
export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
/** LogType Tail returns the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4096;

export const invoke = defineAction<LambdaBackend>()({
  name: 'Invoke',
  // The body limit is a little over 6 MB so an oversized payload gets Lambda's own error below.
  http: { method: 'POST', uri: '/2015-03-31/functions/{FunctionName}/invocations', maxBodyBytes: MAX_SYNC_PAYLOAD + 1024 },
  input: t.struct({
    FunctionName: functionNameLabel,
    InvocationType: t.string({ location: 'header', locationName: 'X-Amz-Invocation-Type' }),
    LogType: t.string({ location: 'header', locationName: 'X-Amz-Log-Type' }),
    ClientContext: t.string({ location: 'header', locationName: 'X-Amz-Client-Context' }),
    Payload: t.blob({ location: 'payload' }),
    Qualifier: qualifierQuery,
  }),
  output: t.struct({
    StatusCode: t.integer({ location: 'statusCode' }),
    FunctionError: t.string({ location: 'header', locationName: 'X-Amz-Function-Error' }),
    LogResult: t.string({ location: 'header', locationName: 'X-Amz-Log-Result' }),
    Payload: t.blob({ location: 'payload', mediaType: 'application/json' }),
    ExecutedVersion: t.string({ location: 'header', locationName: 'X-Amz-Executed-Version' }),
  }),
  async handler(input, ctx, lambda) {
    const type = input.InvocationType ?? 'RequestResponse';
    if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
    }
    const logType = input.LogType ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') {
      throw new AwsError('ValidationException', `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`);
    }
    const id = lambda.id(input.FunctionName, input.Qualifier, ctx);
    const f = await lambda.function(id.name, id.qualifier);
    const raw = input.Payload ?? new Uint8Array(0);
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (raw.length > limit) throw new AwsError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
    const payload = raw.length === 0 ? '{}' : Buffer.from(raw).toString('utf8');
    try {
      JSON.parse(payload);
    } catch (err) {
      throw new AwsError('InvalidRequestContentException', `Could not parse request body into json: ${err instanceof Error ? err.message : String(err)}`);
    }
    const target = lambda.resolve(f, id.qualifier);
    if (type === 'DryRun') return { StatusCode: 204 };
    if (type === 'Event') {
      await lambda.asyncQueue.put({ functionName: id.name, qualifier: id.qualifier, requestId: ctx.requestId, enqueuedMs: Date.now(), attempts: 0, payload, ...traceOf() });
      return { StatusCode: 202 };
    }
    let clientContext: string | undefined;
    if (input.ClientContext !== undefined) {
      clientContext = Buffer.from(input.ClientContext, 'base64').toString('utf8');
      if (Buffer.byteLength(input.ClientContext) > 3583) throw new AwsError('InvalidParameterValueException', 'Client context must be 3583 bytes or less when base64 encoded.');
    }
    try {
      const r = await lambda.scheduler.invoke(target, { requestId: ctx.requestId, payload, signal: ctx.signal, ...(clientContext !== undefined ? { clientContext } : {}) });
      let out = r.payload;
      let functionError = r.functionError;
      if (Buffer.byteLength(out) > MAX_SYNC_PAYLOAD) {
        out = JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD} bytes).`, errorType: 'Function.ResponseSizeTooLarge' });
        functionError = 'Unhandled';
      }
      const tail = Buffer.from(r.logs, 'utf8');
      return {
        StatusCode: 200,
        Payload: new Uint8Array(Buffer.from(out, 'utf8')),
        ExecutedVersion: target.version,
        ...(functionError ? { FunctionError: functionError } : {}),
        ...(logType === 'Tail' ? { LogResult: tail.subarray(Math.max(0, tail.length - TAIL_BYTES)).toString('base64') } : {}),
      };
    } catch (err) {
      if (err instanceof Throttled) {
        throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', { fields: { Reason: err.reason }, headers: { 'Retry-After': '1' } });
      }
      throw err;
    }
  },
});
