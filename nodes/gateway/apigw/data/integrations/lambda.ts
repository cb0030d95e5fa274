// Calling a function from an integration (AWS_PROXY, or AWS with a Lambda invocations URI): the
// function's failures as API Gateway reports them, and the proxy integration's round trip.
import { type ApigwBackend } from '../../backend.js';
import { parseProxyResponseV1 } from '../events/proxy-v1.js';
import { FunctionCallFailed, type FunctionCallResult, invokeFunction } from '../invoke-function.js';
import { type ApiResponse, GatewayFailure } from '../types.js';

export interface FunctionCall {
  /** Integration URI, function ARN or name (stage variables already substituted). */
  ref: string;
  payload: string;
  requestId: string;
  timeoutMs: number;
  signal?: AbortSignal;
  traceHeader?: string;
}

/** Invokes the function; not-found, throttled, timed-out and unavailable calls become gateway failures. */
export async function callFunction(backend: ApigwBackend, c: FunctionCall): Promise<FunctionCallResult> {
  try {
    return await invokeFunction(backend, c.ref, c.payload, {
      requestId: c.requestId,
      timeoutMs: c.timeoutMs,
      ...(c.signal !== undefined ? { signal: c.signal } : {}),
      ...(c.traceHeader !== undefined ? { traceHeader: c.traceHeader } : {}),
    });
  } catch (err) {
    if (!(err instanceof FunctionCallFailed)) throw err;
    if (err.reason === 'timeout') throw new GatewayFailure('INTEGRATION_TIMEOUT', undefined, {}, `Execution failed due to a timeout error: ${err.message}`);
    if (err.reason === 'throttled') throw new GatewayFailure('THROTTLED', undefined, {}, `Lambda invocation throttled: ${err.message}`);
    // AWS answers a missing function (or missing permission) with 500.
    throw new GatewayFailure('API_CONFIGURATION_ERROR', 'Internal server error', {}, `Execution failed due to configuration error: ${err.message}`);
  }
}

/** The `errorMessage` of a function's error payload (what selection patterns of AWS integrations match). */
export function errorMessageOf(payload: string): string {
  try {
    const v = JSON.parse(payload) as unknown;
    if (typeof v === 'object' && v !== null) {
      const r = v as Record<string, unknown>;
      const m = r.errorMessage ?? r.message;
      if (m !== undefined) return String(m);
    }
    return payload;
  } catch {
    return payload;
  }
}

export interface ProxyCall extends FunctionCall {
  /**
   * Whether a base64 answer (`isBase64Encoded`) is decoded to bytes. REST APIs decode only when the
   * client's first Accept (or the answer's Content-Type) is a binary media type; HTTP APIs always.
   */
  decodeBase64: (res: ApiResponse) => boolean;
}

/**
 * A proxy integration's call: the event out, the function's answer back as the HTTP response. A
 * function error and a malformed answer are both 502 (AWS's "Internal server error"), with AWS's
 * log lines.
 */
export async function invokeProxy(backend: ApigwBackend, c: ProxyCall): Promise<ApiResponse> {
  const out = await callFunction(backend, c);
  if (out.functionError !== undefined) {
    throw new GatewayFailure('DEFAULT_5XX', 'Internal server error', {}, `Lambda execution failed with status 200 due to customer function error: ${errorMessageOf(out.payload)}`, 502);
  }
  const res = parseProxyResponseV1(out.payload, c.decodeBase64);
  if (!res) throw new GatewayFailure('DEFAULT_5XX', 'Internal server error', {}, 'Execution failed due to configuration error: Malformed Lambda proxy response', 502);
  return res;
}
