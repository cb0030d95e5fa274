// The AWS Query protocol: form-encoded parameters (`Action=…&Version=…`) in the body of a POST
// or the query string of a GET, answered with XML: `<XResponse><XResult>…</XResult>
// <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></XResponse>`, and errors as
// `<ErrorResponse><Error><Type/><Code/><Message/><Detail/></Error><RequestId/></ErrorResponse>`.
import { type ServiceSpec } from '../action.js';
import { AwsError } from '../errors.js';
import { type StructShape, toXml, xmlEscape } from '../shapes.js';
import { type WireResponse } from './aws-json.js';

const XML = 'text/xml';

/** Decodes `a=1&b=2` strictly: malformed percent-escapes are the caller's error. */
export function parseForm(text: string, into = new Map<string, string>()): Map<string, string> {
  if (text === '') return into;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      into.set(decodeURIComponent(rawKey.replace(/\+/g, ' ')), decodeURIComponent(rawValue.replace(/\+/g, ' ')));
    } catch {
      throw new AwsError('MalformedQueryString', `The query string contains a malformed escape: ${pair.slice(0, 64)}`);
    }
  }
  return into;
}

export function queryResponse(service: ServiceSpec, action: string, output: StructShape, value: Record<string, unknown>, requestId: string): WireResponse {
  // AWS omits the result element only for actions without output members; an empty answer
  // (ReceiveMessage finding nothing) still carries it, and strict XML parsers expect it.
  const result = Object.keys(output.members).length === 0 ? '' : `<${action}Result>${toXml(output, value)}</${action}Result>`;
  const body =
    `<?xml version="1.0"?><${action}Response xmlns="${service.xmlNamespace}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': XML }, body };
}

export function queryError(xmlNamespace: string, err: AwsError, requestId: string): WireResponse {
  const spec = err.spec;
  const body =
    `<?xml version="1.0"?><ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${spec.fault}</Type>` +
    `<Code>${xmlEscape(spec.queryCode ?? err.code)}</Code><Message>${xmlEscape(spec.queryMessage ?? err.message)}</Message><Detail/></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: spec.status, headers: { 'content-type': XML }, body };
}
