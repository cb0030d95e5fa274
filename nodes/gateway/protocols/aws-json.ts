// The AWS JSON 1.0/1.1 protocol: the action comes from `X-Amz-Target: <Prefix>.<Action>`, the
// input is the JSON body, the output is JSON. Errors carry `__type` and `message`; services that
// moved from the Query protocol (SQS) also send `x-amzn-query-error: <QueryCode>;<Fault>` so
// SDKs report the same error codes as before.
import { type ServiceSpec } from '../action.js';
import { AwsError } from '../errors.js';
import { type Shape, toJson } from '../shapes.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonContentType(version: '1.0' | '1.1'): string {
  return `application/x-amz-json-${version}`;
}

/** Parses a JSON request body; an empty body is an empty input. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AwsError('SerializationException', 'The request body is not valid JSON.');
  }
}

export function jsonResponse(service: ServiceSpec, output: Shape, value: unknown): WireResponse {
  return { status: 200, headers: { 'content-type': jsonContentType(service.jsonVersion) }, body: JSON.stringify(toJson(output, value) ?? {}) };
}

// Members of the error shape besides the message (Step Functions' `reason`, `resourceName`) go in
// the body, where the SDK fills the typed exception from.
export function jsonError(service: Pick<ServiceSpec, 'signingName' | 'jsonVersion' | 'queryCompatible'>, err: AwsError): WireResponse {
  const spec = err.spec;
  // The header names the error's shape, as `__type` does: SDKs that read the header first (Java's)
  // must find the model's name, not Stratus's key for it (SfnValidationException is ValidationException).
  const headers: Record<string, string> = { 'content-type': jsonContentType(service.jsonVersion), 'x-amzn-errortype': spec.jsonType ?? err.code };
  if (service.queryCompatible) headers['x-amzn-query-error'] = `${spec.queryCode ?? err.code};${spec.fault}`;
  return { status: spec.status, headers, body: JSON.stringify({ ...err.extra.fields, __type: `com.amazonaws.${service.signingName}#${spec.jsonType ?? err.code}`, message: err.message }) };
}
