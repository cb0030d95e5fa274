// The restJson1 building blocks without a server: the route table (most specific route first,
// literal query parameters, encoded and greedy labels), gathering input from labels, query,
// headers and body, encoding outputs (status, headers, payloads, 204) and errors.
import { describe, expect, it } from 'vitest';
import { type AnyAction, type HttpBinding, defineAction } from '../../nodes/gateway/action.js';
import { AwsError } from '../../nodes/gateway/errors.js';
import { type QueryParams, RestRouter, decodeRestInput, parseQueryParams, parseUriTemplate, restError, restResponse } from '../../nodes/gateway/protocols/rest-json.js';
import { type Members, check, t } from '../../nodes/gateway/shapes.js';

/** An action on a route whose labels are `uri` string members; the handler is never called. */
function routed(name: string, method: HttpBinding['method'], uri: string, extra: Members = {}): AnyAction<unknown> {
  const members: Members = { ...extra };
  for (const m of uri.matchAll(/\{([A-Za-z0-9_]+)\+?\}/g)) members[m[1]!] = t.string({ required: true, location: 'uri' });
  return defineAction<unknown>()({ name, http: { method, uri }, input: t.struct(members), output: t.struct({}), handler: async () => ({}) });
}

const q = (s = ''): QueryParams => parseQueryParams(s);

describe('parseUriTemplate', () => {
  it('splits literal segments, labels, greedy labels and the literal query', () => {
    expect(parseUriTemplate('/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL')).toEqual({
      segments: [
        { kind: 'literal', value: '2019-09-30' },
        { kind: 'literal', value: 'functions' },
        { kind: 'label', name: 'FunctionName' },
        { kind: 'literal', value: 'provisioned-concurrency' },
      ],
      query: [['List', 'ALL']],
    });
    expect(parseUriTemplate('/{Key+}?x&y=1').query).toEqual([
      ['x', undefined],
      ['y', '1'],
    ]);
    expect(parseUriTemplate('/').segments).toEqual([]);
    expect(() => parseUriTemplate('/a/pre{X}')).toThrow(/whole segment/);
    expect(() => parseUriTemplate('/{A+}/{B+}')).toThrow(/greedy/);
  });
});

describe('RestRouter', () => {
  const router = new RestRouter([
    routed('Label', 'GET', '/a/{X}'),
    routed('Literal', 'GET', '/a/literal'),
    routed('LabelThenB', 'GET', '/a/{X}/b'),
    routed('LiteralThenLabel', 'GET', '/a/literal/{Y}'),
    routed('Post', 'POST', '/a/{X}'),
    routed('Greedy', 'GET', '/g/{P+}'),
    routed('GreedyMeta', 'GET', '/g/{P+}/meta'),
    routed('GreedyFixed', 'GET', '/g/fixed/{Q}'),
    routed('GetProvisioned', 'GET', '/2019-09-30/functions/{FunctionName}/provisioned-concurrency'),
    routed('ListProvisioned', 'GET', '/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL'),
    routed('ListLayers', 'GET', '/2018-10-31/layers'),
    routed('GetLayerVersionByArn', 'GET', '/2018-10-31/layers?find=LayerVersion'),
    routed('ListTags', 'GET', '/2017-03-31/tags/{Resource}'),
    routed('Root', 'GET', '/'),
  ]);
  const hit = (method: string, path: string, query = ''): [string, Record<string, string>] | undefined => {
    const m = router.match(method, path, q(query));
    return m && [m.action.name, m.labels];
  };

  it('prefers literal segments to labels, left to right', () => {
    expect(hit('GET', '/a/literal')).toEqual(['Literal', {}]);
    expect(hit('GET', '/a/other')).toEqual(['Label', { X: 'other' }]);
    expect(hit('GET', '/a/other/b')).toEqual(['LabelThenB', { X: 'other' }]);
    // Both `/a/{X}/b` and `/a/literal/{Y}` match; the earlier literal wins.
    expect(hit('GET', '/a/literal/b')).toEqual(['LiteralThenLabel', { Y: 'b' }]);
    expect(hit('GET', '/')).toEqual(['Root', {}]);
  });

  it('matches the method, and no route for a path no template covers', () => {
    expect(hit('POST', '/a/literal')).toEqual(['Post', { X: 'literal' }]);
    expect(hit('DELETE', '/a/x')).toBeUndefined();
    expect(hit('GET', '/a')).toBeUndefined();
    expect(hit('GET', '/a/x/y/z')).toBeUndefined();
    expect(hit('GET', 'a/x')).toBeUndefined();
  });

  it('needs non-empty labels and tolerates one trailing slash', () => {
    expect(hit('GET', '/a/x/')).toEqual(['Label', { X: 'x' }]);
    expect(hit('GET', '/a//b')).toBeUndefined();
    expect(hit('GET', '/2018-10-31/layers/')).toEqual(['ListLayers', {}]);
  });

  it('requires the literal query of a template, and prefers the route that has one', () => {
    const path = '/2019-09-30/functions/f/provisioned-concurrency';
    expect(hit('GET', path, 'List=ALL')).toEqual(['ListProvisioned', { FunctionName: 'f' }]);
    expect(hit('GET', path, 'Marker=m&List=ALL&MaxItems=5')).toEqual(['ListProvisioned', { FunctionName: 'f' }]);
    expect(hit('GET', path, 'Qualifier=1')).toEqual(['GetProvisioned', { FunctionName: 'f' }]);
    expect(hit('GET', path, 'List=SOME')).toEqual(['GetProvisioned', { FunctionName: 'f' }]);
    expect(hit('GET', '/2018-10-31/layers', 'find=LayerVersion&Arn=arn%3Ax')).toEqual(['GetLayerVersionByArn', {}]);
    expect(hit('GET', '/2018-10-31/layers', 'CompatibleRuntime=nodejs20.x')).toEqual(['ListLayers', {}]);
  });

  it('decodes labels after splitting, so an encoded slash stays inside its label', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:f';
    expect(hit('GET', `/2017-03-31/tags/${encodeURIComponent(arn)}`)).toEqual(['ListTags', { Resource: arn }]);
    expect(hit('GET', `/2017-03-31/tags/${arn}`)).toEqual(['ListTags', { Resource: arn }]);
    expect(hit('GET', '/a/x%2Fy')).toEqual(['Label', { X: 'x/y' }]);
    expect(hit('GET', '/a/%E2%82%AC')).toEqual(['Label', { X: '€' }]);
    expect(hit('GET', '/a/%E2%82')).toBeUndefined();
  });

  it('lets a greedy label take several segments, behind literals and before a suffix', () => {
    expect(hit('GET', '/g/a/b/c')).toEqual(['Greedy', { P: 'a/b/c' }]);
    expect(hit('GET', '/g/a/b/meta')).toEqual(['GreedyMeta', { P: 'a/b' }]);
    expect(hit('GET', '/g/fixed/x')).toEqual(['GreedyFixed', { Q: 'x' }]);
    expect(hit('GET', '/g/fixed/x/y')).toEqual(['Greedy', { P: 'fixed/x/y' }]);
    expect(hit('GET', '/g/meta')).toEqual(['Greedy', { P: 'meta' }]);
    expect(hit('GET', '/g')).toBeUndefined();
  });

  it('refuses tables that are ambiguous or bind labels to nothing', () => {
    expect(() => new RestRouter([routed('A', 'GET', '/x/{A}'), routed('B', 'GET', '/x/{B}')])).toThrow(/same route/);
    expect(() => new RestRouter([routed('A', 'GET', '/x?a=1&b'), routed('B', 'GET', '/x?b&a=1')])).toThrow(/same route/);
    const unbound = defineAction<unknown>()({ name: 'U', http: { method: 'GET', uri: '/u/{Name}' }, input: t.struct({ Name: t.string() }), output: t.struct({}), handler: async () => ({}) });
    expect(() => new RestRouter([unbound])).toThrow(/not a 'uri' member/);
    const noHttp = defineAction<unknown>()({ name: 'N', input: t.struct({}), output: t.struct({}), handler: async () => ({}) });
    expect(() => new RestRouter([noHttp])).toThrow(/no http binding/);
  });
});

describe('decodeRestInput', () => {
  const input = t.struct({
    Name: t.string({ required: true, location: 'uri', locationName: 'FunctionName' }),
    Qualifier: t.string({ location: 'querystring' }),
    MaxItems: t.integer({ location: 'querystring', min: 1, max: 50 }),
    Tags: t.list(t.string(), { location: 'querystring', locationName: 'tag' }),
    Rest: t.map(t.string(), { location: 'querystring' }),
    Mode: t.string({ location: 'header', locationName: 'X-Amz-Mode' }),
    Count: t.integer({ location: 'header', locationName: 'X-Count' }),
    Flag: t.boolean({ location: 'header', locationName: 'X-Flag' }),
    Parts: t.list(t.string(), { location: 'header', locationName: 'X-Parts' }),
    Meta: t.map(t.string(), { location: 'headers-prefix', locationName: 'X-Meta-' }),
    Description: t.string(),
    Memory: t.integer(),
  });
  const base = { labels: { FunctionName: 'f' }, query: q(), headers: {}, body: Buffer.alloc(0) };

  it('reads each member from its binding; values stay strings until the shape checks them', () => {
    const raw = decodeRestInput(input, {
      labels: { FunctionName: 'my-fn' },
      query: q('Qualifier=%24LATEST&MaxItems=7&tag=a&tag=b+c&other=1&other=2&x=y'),
      headers: { 'x-amz-mode': 'Tail', 'x-count': '12', 'x-flag': 'true', 'x-parts': 'a, b,c', 'x-meta-color': 'red', 'x-meta-size': 'L' },
      body: Buffer.from(JSON.stringify({ Description: 'd', Memory: 256, Qualifier: 'ignored: bound elsewhere' })),
    });
    expect(raw).toEqual({
      Name: 'my-fn',
      Qualifier: '$LATEST',
      MaxItems: '7',
      Tags: ['a', 'b c'],
      Rest: { other: '1', x: 'y' },
      Mode: 'Tail',
      Count: '12',
      Flag: 'true',
      Parts: ['a', 'b', 'c'],
      Meta: { color: 'red', size: 'L' },
      Description: 'd',
      Memory: 256,
    });
    const checked = check(input, raw);
    expect(checked.MaxItems).toBe(7);
    expect(checked.Count).toBe(12);
    expect(checked.Flag).toBe(true);
  });

  it('checks doubles from JSON numbers and bound strings', () => {
    const d = t.double({ min: 0, max: 1 });
    expect(check(d, 0.25)).toBe(0.25);
    expect(check(d, '0.5')).toBe(0.5);
    expect(check(d, '1e-1')).toBe(0.1);
    for (const bad of ['half', '', 'NaN', Infinity, true, '1.5', -0.1]) expect(() => check(d, bad, 'W'), String(bad)).toThrow(/parameter W/);
  });

  it('treats an empty body as an empty input and refuses a body that is not a JSON object', () => {
    expect(decodeRestInput(input, base)).toEqual({ Name: 'f' });
    for (const body of ['[1]', 'nope', '"s"']) {
      expect(() => decodeRestInput(input, { ...base, body: Buffer.from(body) })).toThrow(AwsError);
    }
  });

  it('fails a bound integer that is not one with the validation error', () => {
    expect(() => check(input, decodeRestInput(input, { ...base, query: q('MaxItems=lots') }))).toThrow(/Value lots for parameter MaxItems is invalid/);
    expect(() => check(input, decodeRestInput(input, { ...base, headers: { 'x-count': '1.5' } }))).toThrow(/parameter Count/);
    expect(() => check(input, decodeRestInput(input, { ...base, query: q('MaxItems=0') }))).toThrow(/Must be between 1 and 50/);
  });

  it('binds the raw body to a payload member: bytes for a blob, text for a string, JSON for a struct', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(decodeRestInput(t.struct({ P: t.blob({ location: 'payload' }) }), { ...base, body: bytes }).P).toEqual(new Uint8Array(bytes));
    expect(decodeRestInput(t.struct({ P: t.blob({ location: 'payload' }) }), base)).toEqual({});
    expect(decodeRestInput(t.struct({ P: t.string({ location: 'payload' }) }), { ...base, body: Buffer.from('héllo') }).P).toBe('héllo');
    expect(decodeRestInput(t.struct({ P: t.struct({ A: t.integer() }, { location: 'payload' }) }), { ...base, body: Buffer.from('{"A":1}') }).P).toEqual({ A: 1 });
    // A blob payload passes the shape check as the bytes it is.
    expect(check(t.struct({ P: t.blob({ location: 'payload' }) }), { P: new Uint8Array([7]) }).P).toEqual(new Uint8Array([7]));
  });

  it('keeps malformed query escapes the caller’s error', () => {
    expect(() => q('a=%ZZ')).toThrow(AwsError);
    expect([...q('a=1&&b&a=2')]).toEqual([
      ['a', ['1', '2']],
      ['b', ['']],
    ]);
  });
});

describe('restResponse', () => {
  const action = (output: Members, code?: number): AnyAction<unknown> =>
    defineAction<unknown>()({ name: 'X', http: { method: 'POST', uri: '/x', ...(code ? { code } : {}) }, input: t.struct({}), output: t.struct(output), handler: async () => ({}) });

  it('sends header members as headers and the rest as a JSON body, with the action’s code', () => {
    const w = restResponse(action({ Id: t.string(), Size: t.integer(), Tag: t.string({ location: 'header', locationName: 'X-Tag' }), Parts: t.list(t.string(), { location: 'header', locationName: 'X-Parts' }), Meta: t.map(t.string(), { location: 'headers-prefix', locationName: 'X-Meta-' }), Bin: t.blob() }, 201), {
      Id: 'a',
      Size: 3,
      Tag: 't',
      Parts: ['p', 'q'],
      Meta: { k: 'v' },
      Bin: new Uint8Array([1, 2]),
    });
    expect(w).toEqual({ status: 201, headers: { 'x-tag': 't', 'x-parts': 'p, q', 'x-meta-k': 'v', 'content-type': 'application/json' }, body: JSON.stringify({ Id: 'a', Size: 3, Bin: 'AQI=' }) });
    expect(restResponse(action({}), {})).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
  });

  it('takes the status from a statusCode member and sends a blob payload raw, typed by its mediaType', () => {
    const out = { Status: t.integer({ location: 'statusCode' }), Payload: t.blob({ location: 'payload', mediaType: 'application/json' }), Raw: t.string({ location: 'header', locationName: 'X-Raw' }) };
    const w = restResponse(action(out), { Status: 202, Payload: new Uint8Array(Buffer.from('{"a":1}')) });
    expect(w.status).toBe(202);
    expect(w.headers['content-type']).toBe('application/json');
    expect(Buffer.from(w.body).toString()).toBe('{"a":1}');
    expect(restResponse(action({ P: t.blob({ location: 'payload' }) }), { P: new Uint8Array([9]) }).headers['content-type']).toBe('application/octet-stream');
    // No payload: an empty body.
    expect(restResponse(action(out), { Status: 202 })).toEqual({ status: 202, headers: {}, body: '' });
  });

  it('lets a Content-Type header member choose the payload type per response', () => {
    const w = restResponse(action({ Type: t.string({ location: 'header', locationName: 'Content-Type' }), P: t.blob({ location: 'payload' }) }), { Type: 'text/csv', P: new Uint8Array([65]) });
    expect(w.headers['content-type']).toBe('text/csv');
  });

  it('sends 204 with no body at all', () => {
    expect(restResponse(action({ A: t.string() }, 204), { A: 'ignored' })).toEqual({ status: 204, headers: {}, body: '' });
  });

  it('refuses to write a header value Node could not send', () => {
    expect(() => restResponse(action({ H: t.string({ location: 'header', locationName: 'X-H' }) }), { H: 'a\nb' })).toThrow(/control characters/);
  });
});

describe('restError', () => {
  const lambda = { errorAliases: { InvalidParameterValue: 'InvalidParameterValueException', InternalFailure: 'ServiceException' } as const };

  it('names the error in x-amzn-ErrorType and sends Type and the message under the model’s key', () => {
    const w = restError(lambda, new AwsError('ResourceNotFoundException', 'Function not found: f'));
    expect(w.status).toBe(404);
    expect(w.headers).toEqual({ 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
    expect(JSON.parse(String(w.body))).toEqual({ Type: 'User', Message: 'Function not found: f' });
    expect(JSON.parse(String(restError(lambda, new AwsError('ResourceConflictException', 'busy')).body))).toEqual({ Type: 'User', message: 'busy' });
  });

  it('writes an error’s extra fields and headers', () => {
    const w = restError(lambda, new AwsError('TooManyRequestsException', 'Rate exceeded', { fields: { Reason: 'CallerRateLimitExceeded' }, headers: { 'Retry-After': '2' } }));
    expect(w.status).toBe(429);
    expect(w.headers['retry-after']).toBe('2');
    expect(JSON.parse(String(w.body))).toEqual({ Reason: 'CallerRateLimitExceeded', Type: 'User', message: 'Rate exceeded' });
  });

  it('maps generic codes through the service’s aliases; server faults are Type Service', () => {
    const w = restError(lambda, new AwsError('InvalidParameterValue', 'bad'));
    expect([w.status, w.headers['x-amzn-errortype']]).toEqual([400, 'InvalidParameterValueException']);
    const crash = restError(lambda, new AwsError('InternalFailure', 'oops'));
    expect([crash.status, crash.headers['x-amzn-errortype'], JSON.parse(String(crash.body))]).toEqual([500, 'ServiceException', { Type: 'Service', Message: 'oops' }]);
    // Without an alias the table's JSON name goes out; a route miss is 404 UnknownOperationException.
    expect(restError({}, new AwsError('UnknownRoute', 'no')).headers['x-amzn-errortype']).toBe('UnknownOperationException');
    expect(restError({}, new AwsError('UnknownRoute', 'no')).status).toBe(404);
  });
});
