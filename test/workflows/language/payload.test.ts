import { describe, expect, it } from 'vitest';
import { applyResultPath, resolveAssign, resolveTemplate, selectPath, type PathEnv } from '../../../workflows/language/payload.js';
import type { Json } from '../../../workflows/language/json.js';
import { StatesError } from '../../../workflows/language/errors.js';

const env: PathEnv = {
  context: { Execution: { Id: 'arn:exec', Input: { k: 'v' } }, State: { Name: 'S' }, Map: { Item: { Index: 2 } } },
  variables: { customerName: 'María', cfg: { retries: 3 } },
  random: () => 0,
};

function caught(fn: () => unknown): StatesError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('selectPath', () => {
  const input: Json = { a: { b: [1, 2, 3] }, items: [{ id: 1 }, { id: 2 }], n: null };
  const cases: [string | null | undefined, Json][] = [
    [undefined, input],
    [null, {}],
    ['$', input],
    ['$.a', { b: [1, 2, 3] }],
    ['$.a.b[1]', 2],
    ['$.n', null],
    ['$.items[*].id', [1, 2]],
    ['$.items[?(@.id > 5)]', []],
    ['$$.Execution.Input', { k: 'v' }],
    ['$$.Map.Item.Index', 2],
    ['$customerName', 'María'],
    ['$cfg.retries', 3],
  ];
  it.each(cases)('%s', (path, expected) => {
    expect(selectPath(path, input, env)).toEqual(expected);
  });

  it('fails with States.Runtime in Jayway words when a definite path matches nothing', () => {
    const e = caught(() => selectPath('$.missing', input, env));
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toBe("Invalid path '$.missing' : No results for path: $['missing']");
    expect(caught(() => selectPath('$.x.y', input, env)).cause).toBe("Invalid path '$.x.y' : Missing property in path $['x']");
    expect(caught(() => selectPath('$.a.b[7]', input, env)).cause).toBe("Invalid path '$.a.b[7]' : No results for path: $['a']['b'][7]");
    expect(caught(() => selectPath('$unknown', input, env)).error).toBe('States.Runtime');
  });
});

describe('resolveTemplate', () => {
  const input: Json = { title: 'Doctor', list: [1, 2, 3], nested: { x: 1 }, str: 'a,b' };
  it('resolves paths, context, variables and intrinsics and copies the rest', () => {
    const template: Json = {
      static: 'Hello',
      'title.$': '$.title',
      'name.$': '$customerName',
      'not-evaluated': '$customerName',
      'exec.$': '$$.Execution.Id',
      'whole.$': '$',
      'count.$': 'States.ArrayLength($.list)',
      'parts.$': "States.StringSplit($.str, ',')",
      nested: { 'deep.$': '$.nested.x', keep: [1, { 'inArray.$': '$.list[0]' }, 'plain'] },
      arr: [{ 'a.$': '$.title' }],
      num: 5,
      nil: null,
    };
    expect(resolveTemplate(template, input, env)).toEqual({
      static: 'Hello',
      title: 'Doctor',
      name: 'María',
      'not-evaluated': '$customerName',
      exec: 'arn:exec',
      whole: input,
      count: 3,
      parts: ['a', 'b'],
      nested: { deep: 1, keep: [1, { inArray: 1 }, 'plain'] },
      arr: [{ a: 'Doctor' }],
      num: 5,
      nil: null,
    });
  });

  it('returns non-object templates as they are', () => {
    expect(resolveTemplate('text', input, env)).toBe('text');
    expect(resolveTemplate([1, '$.x'], input, env)).toEqual([1, '$.x']);
  });

  it('gives indefinite paths as arrays', () => {
    expect(resolveTemplate({ 'v.$': '$.list[1:]' }, input, env)).toEqual({ v: [2, 3] });
  });

  it("reports a missing path with AWS's Parameters message", () => {
    const e = caught(() => resolveTemplate({ 'JobName.$': '$.JobName' }, {}, env));
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toBe("The JSONPath '$.JobName' specified for the field 'JobName.$' could not be found in the input '{}'");
    const nested = caught(() => resolveTemplate({ outer: { 'y.$': '$.nested.z' } }, input, env));
    expect(nested.cause).toBe(
      `The JSONPath '$.nested.z' specified for the field 'y.$' could not be found in the input '${JSON.stringify(input)}'`,
    );
  });

  it('propagates intrinsic failures and rejects non-string ".$" values', () => {
    expect(caught(() => resolveTemplate({ 'x.$': 'States.ArrayGetItem($.list, 10)' }, input, env)).error).toBe(
      'States.IntrinsicFailure',
    );
    expect(caught(() => resolveTemplate({ 'x.$': 5 }, input, env)).error).toBe('States.Runtime');
    expect(caught(() => resolveTemplate({ 'x.$': 'States.Format($.nope)' }, input, env)).cause).toContain(
      "specified for the field 'x.$'",
    );
  });
});

describe('applyResultPath', () => {
  const input: Json = { a: 1, obj: { x: 1 }, arr: [0, { y: 1 }], s: 'str' };
  const cases: [string | null | undefined, Json, Json][] = [
    [undefined, 'R', 'R'],
    ['$', { r: 1 }, { r: 1 }],
    [null, 'R', input],
    ['$.result', 'R', { ...input, result: 'R' }],
    ['$.a', { n: 2 }, { ...input, a: { n: 2 } }],
    ['$.obj.z', true, { ...input, obj: { x: 1, z: true } }],
    ['$.new.deep.path', 7, { ...input, new: { deep: { path: 7 } } }],
    ['$.arr[1].y', 9, { ...input, arr: [0, { y: 9 }] }],
    ['$.arr[0]', 'first', { ...input, arr: ['first', { y: 1 }] }],
    ["$['odd key']", 1, { ...input, 'odd key': 1 }],
  ];
  it.each(cases)('%s', (path, result, expected) => {
    expect(applyResultPath(path, input, result)).toEqual(expected);
  });

  it('does not modify the input', () => {
    const original = structuredClone(input);
    applyResultPath('$.obj.x', input, 2);
    expect(input).toEqual(original);
  });

  it.each([
    ['$.s.x', input, 'Unable to apply step "x" to input "str"'],
    ['$.a.b', input, 'Unable to apply step "b" to input 1'],
    ['$.arr.x', input, 'Unable to apply step "x" to input [0,{"y":1}]'],
    ['$.obj[0]', input, 'Unable to apply step "[0]" to input {"x":1}'],
    ['$.arr[5]', input, 'Unable to apply step "[5]" to input [0,{"y":1}]'],
    ['$.x', 'a string input', 'Unable to apply step "x" to input "a string input"'],
    ['$.x', [1, 2], 'Unable to apply step "x" to input [1,2]'],
  ] as [string, Json, string][])('%s on %j fails with States.ResultPathMatchFailure', (path, value, message) => {
    const e = caught(() => applyResultPath(path, value, 'R'));
    expect(e.error).toBe('States.ResultPathMatchFailure');
    expect(e.cause).toBe(message);
  });

  it('rejects paths that are not reference paths into the input', () => {
    expect(caught(() => applyResultPath('$.a[*]', input, 1)).error).toBe('States.ResultPathMatchFailure');
    expect(caught(() => applyResultPath('$$.Execution', input, 1)).error).toBe('States.ResultPathMatchFailure');
    expect(caught(() => applyResultPath('nope', input, 1)).error).toBe('States.ResultPathMatchFailure');
  });
});

describe('resolveAssign', () => {
  it('evaluates ".$" entries against the given value and copies the rest', () => {
    const value: Json = { total: 10, items: [{ id: 'a' }, { id: 'b' }] };
    expect(
      resolveAssign(
        {
          'total.$': '$.total',
          'ids.$': '$.items[*].id',
          'first.$': 'States.ArrayGetItem($.items, 0)',
          'previous.$': '$customerName',
          'exec.$': '$$.Execution.Id',
          literal: 'x',
          obj: { 'n.$': '$.total', keep: [1] },
        },
        value,
        env,
      ),
    ).toEqual({
      total: 10,
      ids: ['a', 'b'],
      first: { id: 'a' },
      previous: 'María',
      exec: 'arn:exec',
      literal: 'x',
      obj: { n: 10, keep: [1] },
    });
  });

  it('reads variables as they were before the state', () => {
    expect(resolveAssign({ customerName: 'new', 'copy.$': '$customerName' }, {}, env)).toEqual({
      customerName: 'new',
      copy: 'María',
    });
  });

  it('fails like Parameters on a missing path', () => {
    const e = caught(() => resolveAssign({ 'x.$': '$.nope' }, { a: 1 }, env));
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toBe("The JSONPath '$.nope' specified for the field 'x.$' could not be found in the input '{\"a\":1}'");
  });
});
