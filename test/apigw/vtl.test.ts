import { describe, expect, it } from 'vitest';
import { renderTemplate, escapeJavaScript, urlEncode } from '../../nodes/gateway/apigw/vtl/template.js';
import { compileModels, validateBody, validateParameters } from '../../nodes/gateway/apigw/vtl/schema.js';
import { selectIntegrationResponse, selectRequestTemplate } from '../../nodes/gateway/apigw/vtl/selection.js';
import { mapIntegrationRequest, applyHttpRequestMapping } from '../../nodes/gateway/apigw/vtl/params.js';

const input = { body: '{"a":[1,2,3],"o":{"x":"y"}}', params: { path: { id: '7' }, querystring: { q: 'v' }, header: { 'X-Foo': 'bar' } }, context: { requestId: 'r1' }, stageVariables: { sv: 'S' } };

describe('templates', () => {
  it('reads $input, $context, $stageVariables and foreach', () => {
    expect(renderTemplate('$input.json("$.a")|$input.path("$.a").size()|$input.path("$.o").x', input).output).toBe('[1,2,3]|3|y');
    expect(renderTemplate('#foreach($i in $input.path("$.a"))$i#if($foreach.hasNext),#end#end', input).output).toBe('1,2,3');
    expect(renderTemplate('$input.params().header.get("x-foo")|$input.params("id")|$context.requestId|$stageVariables.sv', input).output).toBe('bar|7|r1|S');
    expect(renderTemplate('$input.json("$")', { ...input, body: '' }).output).toBe('{}');
  });
  it('collects overrides', () => {
    const r = renderTemplate('#set($context.responseOverride.status = 418)#set($context.responseOverride.header.Foo = "b")ok', input);
    expect(r.overrides.status).toBe(418);
    expect(r.overrides.headers).toEqual({ Foo: 'b' });
  });
  it('escapes like AWS', () => {
    expect(escapeJavaScript(`it's "a"/\n`)).toBe(`it\\'s \\"a\\"\\/\\n`);
    expect(urlEncode('a b*~')).toBe('a+b*%7E');
  });
});

describe('schema, selection, params', () => {
  it('validates bodies and parameters', () => {
    const c = compileModels([{ name: 'P', schema: '{"type":"object","required":["name"],"properties":{"name":{"type":"string"}}}' }]);
    expect(validateBody(c, 'P', '{"name":"x"}')).toBeUndefined();
    expect(validateBody(c, 'P', '{}')).toBe('[object has missing required properties (["name"])]');
    expect(validateParameters({ 'method.request.querystring.q': true, 'method.request.header.h': true }, { path: {}, querystring: {}, header: { H: 'x' } })).toBe('Missing required request parameters: [q]');
  });
  it('selects responses and templates', () => {
    const rs = [{ statusCode: '200' }, { statusCode: '400', selectionPattern: 'Bad.*' }];
    expect(selectIntegrationResponse(rs, 'Bad input')?.statusCode).toBe('400');
    expect(selectIntegrationResponse(rs, 'x Bad')?.statusCode).toBe('200');
    expect(selectRequestTemplate({ 'application/json': 'T' }, undefined, 'NEVER')).toEqual({ kind: 'template', contentType: 'application/json', template: 'T' });
    expect(selectRequestTemplate({ 'application/json': 'T' }, 'text/plain', 'WHEN_NO_TEMPLATES').kind).toBe('unsupported');
  });
  it('maps parameters', () => {
    const req = { headers: { 'X-A': ['1'] }, querystring: { q: ['a', 'b'] }, path: { id: '7' }, body: '{"n":{"m":5}}', context: { requestId: 'r' }, stageVariables: {} };
    expect(mapIntegrationRequest({ 'integration.request.header.h': 'method.request.header.x-a', 'integration.request.querystring.q': 'method.request.multivaluequerystring.q', 'integration.request.path.p': 'method.request.body.n.m', 'integration.request.header.s': "'static'" }, req)).toEqual({ header: { h: ['1'], s: ['static'] }, querystring: { q: ['a', 'b'] }, path: { p: '5' } });
    const src = { kind: 'request' as const, headers: { 'X-A': ['1', '2'] }, querystring: {}, path: { id: '7' }, body: '', context: {}, stageVariables: {} };
    expect(applyHttpRequestMapping({ 'append:header.b': '$request.header.x-a', 'overwrite:path': '/items/${request.path.id}', 'remove:header.x-a': "''" }, src, { headers: { 'X-A': ['1', '2'] }, querystring: {} })).toEqual({ headers: { b: ['1,2'] }, querystring: {}, path: '/items/7' });
  });
});
