// Edge hook event conversions (pure): ApiRequest/ApiResponse ⇄ CloudFront Functions and
// Lambda@Edge shapes, and what is refused in a hook's answer; the admin route's body checks.
import { describe, expect, it } from 'vitest';
import { parseHooks } from '../../nodes/gateway/apigw/data/edge/admin.js';
import { EdgeEventError, isResponseShape, originEvent, outcomeFromOrigin, requestFromViewer, responseFromOrigin, responseFromViewer, viewerEvent } from '../../nodes/gateway/apigw/data/edge/events.js';
import { type ApiRequest, type ApiResponse } from '../../nodes/gateway/apigw/data/types.js';

const req: ApiRequest = {
  requestId: 'r-1',
  extendedRequestId: 'e-1',
  apiId: 'abc123',
  stage: 'prod',
  method: 'POST',
  path: '/a b',
  rawPath: '/a%20b',
  rawQuery: 'x=1&x=2&y=3',
  headers: { 'content-type': ['text/plain'], 'x-multi': ['one', 'two'], cookie: ['s=1; t=2'] },
  body: Buffer.from('hello'),
  sourceIp: '10.0.0.9',
  userAgent: 'ua',
  domainName: 'abc123.execute-api.localhost',
  domainPrefix: 'abc123',
  receivedAt: 0,
  protocol: 'HTTP/1.1',
  signal: new AbortController().signal,
  signed: { method: 'POST', rawPath: '/prod/a%20b', rawQuery: '', headers: {}, body: Buffer.alloc(0) },
};
const res: ApiResponse = { status: 201, headers: { 'Content-Type': ['application/json'], 'set-cookie': ['k=v; Path=/'] }, body: Buffer.from('{"ok":true}') };
const config = { distributionDomainName: req.domainName, distributionId: req.apiId, requestId: req.requestId };

describe('CloudFront Functions events (viewer-*)', () => {
  it('builds the version 1.0 event with multi-value maps and cookies', () => {
    const e = viewerEvent('viewer-response', config, req, res);
    expect(e).toEqual({
      version: '1.0',
      context: { distributionDomainName: 'abc123.execute-api.localhost', distributionId: 'abc123', eventType: 'viewer-response', requestId: 'r-1' },
      viewer: { ip: '10.0.0.9' },
      request: {
        method: 'POST',
        uri: '/a%20b',
        querystring: { x: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] }, y: { value: '3' } },
        headers: { 'content-type': { value: 'text/plain' }, 'x-multi': { value: 'one', multiValue: [{ value: 'one' }, { value: 'two' }] } },
        cookies: { s: { value: '1' }, t: { value: '2' } },
      },
      response: { statusCode: 201, statusDescription: 'Created', headers: { 'content-type': { value: 'application/json' } }, cookies: { k: { value: 'v; Path=/' } }, body: { encoding: 'text', data: '{"ok":true}' } },
    });
  });

  it('applies a returned request (uri, querystring, headers, cookies) over the original', () => {
    const out = requestFromViewer({ method: 'get', uri: '/new%2Fpath', querystring: { q: { value: 'a b' } }, headers: { 'X-Added': { value: 'yes' } }, cookies: { s: { value: '9' } } }, req);
    expect(out).toMatchObject({ method: 'GET', rawPath: '/new%2Fpath', path: '/new/path', rawQuery: 'q=a+b', headers: { 'x-added': ['yes'], cookie: ['s=9'] }, body: Buffer.from('hello') });
    expect(requestFromViewer({ querystring: 'z=1' }, req).rawQuery).toBe('z=1');
    expect(() => requestFromViewer({ uri: 'relative' }, req)).toThrow(EdgeEventError);
    expect(() => requestFromViewer({ headers: { h: 'not-an-object' } }, req)).toThrow(/request.headers.h/);
  });

  it('reads a returned response: body as text or {data, encoding}, the original body kept when absent; bad statuses refused', () => {
    expect(isResponseShape({ statusCode: 302 })).toBe(true);
    expect(isResponseShape({ uri: '/' })).toBe(false);
    expect(responseFromViewer({ statusCode: 302, headers: { location: { value: '/x' } } })).toEqual({ status: 302, headers: { location: ['/x'] }, body: Buffer.alloc(0) });
    expect(responseFromViewer({ statusCode: 200, body: { data: 'aGk=', encoding: 'base64' } }).body.toString()).toBe('hi');
    expect(responseFromViewer({ statusCode: 200, cookies: { a: { value: '1' } } }, res)).toEqual({ status: 200, headers: { 'set-cookie': ['a=1'] }, body: res.body });
    expect(() => responseFromViewer({ statusCode: 99 })).toThrow(/statusCode/);
  });
});

describe('Lambda@Edge events (origin-*)', () => {
  it('builds the Records[0].cf event with key/value header lists and the body', () => {
    const e = originEvent('origin-request', config, req) as { Records: { cf: Record<string, unknown> }[] };
    expect(e.Records[0]!.cf).toEqual({
      config: { distributionDomainName: 'abc123.execute-api.localhost', distributionId: 'abc123', eventType: 'origin-request', requestId: 'r-1' },
      request: {
        clientIp: '10.0.0.9',
        headers: { 'content-type': [{ key: 'content-type', value: 'text/plain' }], 'x-multi': [{ key: 'x-multi', value: 'one' }, { key: 'x-multi', value: 'two' }], cookie: [{ key: 'cookie', value: 's=1; t=2' }] },
        method: 'POST',
        querystring: 'x=1&x=2&y=3',
        uri: '/a%20b',
        body: { inputTruncated: false, action: 'read-only', encoding: 'base64', data: Buffer.from('hello').toString('base64') },
      },
    });
    const r = originEvent('origin-response', config, req, res) as { Records: { cf: { response: unknown; request: Record<string, unknown> } }[] };
    expect(r.Records[0]!.cf.response).toEqual({ status: '201', statusDescription: 'Created', headers: { 'content-type': [{ key: 'Content-Type', value: 'application/json' }], 'set-cookie': [{ key: 'set-cookie', value: 'k=v; Path=/' }] } });
    expect(r.Records[0]!.cf.request.body).toBeUndefined();
  });

  it('reads a returned request (continue) or response (answer), replacing the body only on action replace', () => {
    const cont = outcomeFromOrigin({ uri: '/x', method: 'PUT', querystring: 'a=1', headers: { 'x-h': [{ key: 'X-H', value: 'v' }] }, body: { action: 'replace', encoding: 'text', data: 'new' } }, req);
    expect(cont).toMatchObject({ req: { rawPath: '/x', method: 'PUT', rawQuery: 'a=1', headers: { 'x-h': ['v'] } } });
    expect('req' in cont && cont.req.body.toString()).toBe('new');
    const early = outcomeFromOrigin({ status: '403', body: 'no', headers: {} }, req);
    expect(early).toEqual({ res: { status: 403, headers: {}, body: Buffer.from('no') } });
    expect(responseFromOrigin({ status: '200', headers: { a: [{ key: 'A', value: '1' }] } }, res)).toEqual({ status: 200, headers: { a: ['1'] }, body: res.body });
    expect(responseFromOrigin({ status: 204, body: 'aGk=', bodyEncoding: 'base64' }, res).body.toString()).toBe('hi');
    expect(() => outcomeFromOrigin('nope', req)).toThrow(EdgeEventError);
    expect(() => responseFromOrigin({ status: 'abc' })).toThrow(/response.status/);
  });
});

describe('hook admin body', () => {
  it('keeps valid hooks and names the faulty entry otherwise', () => {
    expect(parseHooks({ hooks: [{ event: 'viewer-request', route: '/a GET', code: 'function handler(e) { return e.request; }' }, { event: 'origin-response', functionArn: 'fn' }] })).toEqual([
      { event: 'viewer-request', route: '/a GET', code: 'function handler(e) { return e.request; }' },
      { event: 'origin-response', functionArn: 'fn' },
    ]);
    expect(() => parseHooks({})).toThrow(/\{"hooks": \[\.\.\.\]\}/);
    expect(() => parseHooks({ hooks: [{ event: 'viewer-request', code: 'function (' }] })).toThrow(/hooks\[0\]\.code does not compile/);
    expect(() => parseHooks({ hooks: [{ event: 'viewer-request', code: 'function handler(e){return e}', functionArn: 'f' }] })).toThrow(/takes code, not functionArn/);
    expect(() => parseHooks({ hooks: [{ event: 'origin-request' }] })).toThrow(/needs functionArn/);
  });
});
