import { describe, expect, it } from 'vitest';
import { isValidReferencePath, parseJsonPath, queryJsonPath } from '../../../workflows/language/jsonpath.js';
import { readPath } from '../../../workflows/language/path-env.js';
import type { Json } from '../../../workflows/language/json.js';
import { StatesError } from '../../../workflows/language/errors.js';

const store: Json = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553', price: 8.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'LOTR', isbn: '0-395', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'a b': 1,
  "it's": 2,
  'x-y': 3,
  nested: { n: [[1, 2], [3, 4]] },
  flags: [{ on: true }, { on: false }, { on: null }, {}],
};

describe('queryJsonPath', () => {
  const cases: [string, Json[]][] = [
    ['$', [store]],
    ['$.store.bicycle.color', ['red']],
    ["$['store']['bicycle']['color']", ['red']],
    ['$["store"].bicycle["price"]', [19.95]],
    ["$['a b']", [1]],
    ["$['it\\'s']", [2]],
    ['$.x-y', [3]],
    ['$.store.book[0].title', ['Sayings']],
    ['$.store.book[-1].title', ['LOTR']],
    ['$.store.book[-4].title', ['Sayings']],
    ['$.store.book[9].title', []],
    ['$.store.book[-9]', []],
    ['$.store.missing', []],
    ['$.store.book.title', []],
    ['$.store.book[*].author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']],
    ['$.store.book.*.price', [8.95, 12.99, 8.99, 22.99]],
    ['$.store.bicycle.*', ['red', 19.95]],
    ['$.store.bicycle[*]', ['red', 19.95]],
    ['$.store.book[0,2].title', ['Sayings', 'Moby Dick']],
    ['$.store.book[0, -1].title', ['Sayings', 'LOTR']],
    ["$.store.bicycle['color','price']", ['red', 19.95]],
    ["$.store.bicycle['color','nope']", ['red']],
    ['$.store.book[1:3].title', ['Sword', 'Moby Dick']],
    ['$.store.book[:2].title', ['Sayings', 'Sword']],
    ['$.store.book[2:].title', ['Moby Dick', 'LOTR']],
    ['$.store.book[-2:].title', ['Moby Dick', 'LOTR']],
    ['$.store.book[:-3].title', ['Sayings']],
    ['$.store.book[0:10].title', ['Sayings', 'Sword', 'Moby Dick', 'LOTR']],
    ['$.store.book[::2].title', ['Sayings', 'Moby Dick']],
    ['$.store.book[3:0:-1].title', ['LOTR', 'Moby Dick', 'Sword']],
    ['$.store.bicycle[0:1]', []],
    ['$..author', ['Nigel Rees', 'Evelyn Waugh', 'Herman Melville', 'J. R. R. Tolkien']],
    ['$..price', [8.95, 12.99, 8.99, 22.99, 19.95]],
    ['$.store..color', ['red']],
    ['$..book[2].title', ['Moby Dick']],
    ['$..n[*][0]', [1, 3]],
    // Jayway's scan: a node's own children first, then each child's subtree.
    ['$.nested..*', [[[1, 2], [3, 4]], [1, 2], [3, 4], 1, 2, 3, 4]],
    ['$.store.book[?(@.isbn)].title', ['Moby Dick', 'LOTR']],
    ['$.store.book[?(!@.isbn)].title', ['Sayings', 'Sword']],
    ['$.store.book[?(@.price < 10)].title', ['Sayings', 'Moby Dick']],
    ['$.store.book[?(@.price <= 8.99)].title', ['Sayings', 'Moby Dick']],
    ['$.store.book[?(@.price > 20)].title', ['LOTR']],
    ['$.store.book[?(@.price >= 12.99)].title', ['Sword', 'LOTR']],
    ["$.store.book[?(@.category == 'reference')].author", ['Nigel Rees']],
    ['$.store.book[?(@.category == "reference")].author', ['Nigel Rees']],
    ["$.store.book[?(@.category != 'fiction')].title", ['Sayings']],
    ["$.store.book[?(@.category == 'fiction' && @.price < 20)].title", ['Sword', 'Moby Dick']],
    ["$.store.book[?(@.price < 9 || @.author == 'J. R. R. Tolkien')].title", ['Sayings', 'Moby Dick', 'LOTR']],
    ["$.store.book[?((@.price < 9 || @.price > 20) && @.isbn)].title", ['Moby Dick', 'LOTR']],
    ['$.store.book[?(@.price < $.store.bicycle.price)].title', ['Sayings', 'Sword', 'Moby Dick']],
    ['$.store.book[?(@.author =~ /.*Melville/)].title', ['Moby Dick']],
    ['$.store.book[?(@.author =~ /herman.*/i)].title', ['Moby Dick']],
    // Type mismatches compare false rather than coercing.
    ["$.store.book[?(@.price == '8.95')].title", []],
    ['$.store.book[?(@.price > "a")].title', []],
    ['$.flags[?(@.on == true)]', [{ on: true }]],
    ['$.flags[?(@.on == null)]', [{ on: null }]],
    ['$.flags[?(@.on)]', [{ on: true }, { on: false }, { on: null }]],
    ['$.flags[?(@.on != true)]', [{ on: false }, { on: null }, {}]],
    // A filter on an object tests the object itself.
    ["$.store.bicycle[?(@.color == 'red')].price", [19.95]],
  ];
  it.each(cases)('%s', (path, expected) => {
    expect(queryJsonPath(path, store)).toEqual(expected);
  });
});

describe('parseJsonPath', () => {
  it.each([
    ['$', true],
    ['$.a.b', true],
    ['$.a[0].b[-1]', true],
    ["$['a']", true],
    ["$['a','b']", false],
    ['$.a[0,1]', false],
    ['$.a[*]', false],
    ['$.a.*', false],
    ['$..a', false],
    ['$.a[1:2]', false],
    ['$.a[?(@.x)]', false],
    ['$$.Execution.Id', true],
    ['$myVar', true],
    ['$myVar.field[0]', true],
    ['$my_var2.x[*]', false],
  ])('%s definite=%s', (path, definite) => {
    expect(parseJsonPath(path).definite).toBe(definite);
  });

  it('distinguishes the three roots', () => {
    expect(parseJsonPath('$.a').root).toEqual({ kind: 'input' });
    expect(parseJsonPath('$$.a').root).toEqual({ kind: 'context' });
    expect(parseJsonPath('$v.a').root).toEqual({ kind: 'variable', name: 'v' });
  });

  it.each(['', 'a.b', '$.', '$[', '$.a[', "$['a'", '$.a[?(@.x >)]', '$.a[1:2:0]', '$.a]', '$.a[x]', '$ .a'])(
    'rejects %j with States.Runtime',
    (path) => {
      let err: unknown;
      try {
        parseJsonPath(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StatesError);
      expect((err as StatesError).error).toBe('States.Runtime');
    },
  );
});

describe('isValidReferencePath', () => {
  it.each([
    ['$', true],
    ['$.a', true],
    ['$.a.b[3]', true],
    ["$['a b'].c", true],
    ['$$.Execution.Input.x', true],
    ['$var.x', true],
    ['$.a[*]', false],
    ['$..a', false],
    ['$.a[0,1]', false],
    ['$.a[1:]', false],
    ['$.a[?(@.b)]', false],
    ['$.*', false],
    ['a', false],
    ['$.a[', false],
  ])('%s → %s', (path, ok) => {
    expect(isValidReferencePath(path)).toBe(ok);
  });
});

describe('readPath', () => {
  const env = { context: { Execution: { Id: 'arn:x' } }, variables: { v: { x: [10, 20] }, n: null }, random: () => 0 };
  it('reads input, context and variables', () => {
    expect(readPath('$.a', { a: 1 }, env)).toMatchObject({ found: true, value: 1 });
    expect(readPath('$$.Execution.Id', {}, env)).toMatchObject({ found: true, value: 'arn:x' });
    expect(readPath('$v.x[1]', {}, env)).toMatchObject({ found: true, value: 20 });
    expect(readPath('$n', {}, env)).toMatchObject({ found: true, value: null });
  });
  it('says where a definite path stopped, in Jayway words', () => {
    expect(readPath('$.a.b', { a: {} }, env)).toMatchObject({ found: false, message: "No results for path: $['a']['b']" });
    expect(readPath('$.a.b.c', { a: {} }, env)).toMatchObject({ found: false, message: "Missing property in path $['a']['b']" });
    expect(readPath('$$.Nope', {}, env)).toMatchObject({ found: false, message: "No results for path: $$['Nope']" });
    expect(readPath('$missing', {}, env)).toMatchObject({ found: false, message: 'No results for path: $missing' });
  });
  it('gives indefinite paths an array, empty when nothing matches', () => {
    expect(readPath('$.a[*].b', { a: [{ b: 1 }, {}, { b: 2 }] }, env)).toMatchObject({ found: true, value: [1, 2] });
    expect(readPath('$.a[?(@.b > 5)]', { a: [{ b: 1 }] }, env)).toMatchObject({ found: true, value: [] });
  });
});
