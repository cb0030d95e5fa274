import { describe, expect, it } from 'vitest';
import { type FilterPolicyScope, type SnsAttributeValue, FilterPolicyError, compileFilterPolicy } from '../../nodes/scheduler/topics/filter-policy.js';

type Attrs = Record<string, SnsAttributeValue>;

const str = (StringValue: string): SnsAttributeValue => ({ DataType: 'String', StringValue });
const num = (StringValue: string): SnsAttributeValue => ({ DataType: 'Number', StringValue });
const arr = (values: unknown[]): SnsAttributeValue => ({ DataType: 'String.Array', StringValue: JSON.stringify(values) });

/** Whether `policy` (attribute scope) passes a message carrying `attributes`. */
function attrHit(policy: unknown, attributes: Attrs): boolean {
  return compileFilterPolicy(JSON.stringify(policy), 'MessageAttributes').matches({ attributes, body: 'ignored' });
}

/** Whether `policy` (body scope) passes a message whose body is `body` (JSON-encoded unless a string). */
function bodyHit(policy: unknown, body: unknown): boolean {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return compileFilterPolicy(JSON.stringify(policy), 'MessageBody').matches({ attributes: {}, body: text });
}

function rejection(policy: unknown, scope: FilterPolicyScope = 'MessageAttributes'): FilterPolicyError {
  try {
    compileFilterPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy), scope);
  } catch (e) {
    if (e instanceof FilterPolicyError) return e;
    throw e;
  }
  throw new Error('expected a FilterPolicyError');
}

/** Asserts the policy is rejected with "Invalid parameter: FilterPolicy: <text>". */
function invalid(policy: unknown, text: string, scope: FilterPolicyScope = 'MessageAttributes'): void {
  expect(rejection(policy, scope).message).toBe(`Invalid parameter: FilterPolicy: ${text}`);
}

describe('empty policies', () => {
  it('treats {} and an empty string as no filtering, in both scopes', () => {
    for (const scope of ['MessageAttributes', 'MessageBody'] as const) {
      for (const text of ['{}', '', '  ']) {
        const p = compileFilterPolicy(text, scope);
        expect(p.scope).toBe(scope);
        expect(p.matches({ attributes: {}, body: 'not json' })).toBe(true);
      }
    }
  });
});

describe('exact matching', () => {
  it('matches String attributes case-sensitively against any listed value', () => {
    const policy = { customer_interests: ['rugby', 'tennis'] };
    expect(attrHit(policy, { customer_interests: str('rugby') })).toBe(true);
    expect(attrHit(policy, { customer_interests: str('tennis') })).toBe(true);
    expect(attrHit(policy, { customer_interests: str('Rugby') })).toBe(false);
    expect(attrHit(policy, { customer_interests: str('baseball') })).toBe(false);
  });

  it('takes attribute names with dots literally', () => {
    expect(attrHit({ 'a.b': ['x'] }, { 'a.b': str('x') })).toBe(true);
    expect(attrHit({ 'a.b': ['x'] }, { a: str('x') })).toBe(false);
  });

  it('treats custom type suffixes like their base type', () => {
    expect(attrHit({ a: ['x'] }, { a: { DataType: 'String.custom', StringValue: 'x' } })).toBe(true);
    expect(attrHit({ a: [5] }, { a: { DataType: 'Number.int', StringValue: '5' } })).toBe(true);
  });

  it('matches numbers numerically: Number attributes and body numbers, never strings', () => {
    expect(attrHit({ price: [300] }, { price: num('300.0') })).toBe(true);
    expect(attrHit({ price: [300] }, { price: num('3.0e2') })).toBe(true);
    expect(attrHit({ price: [300] }, { price: num('301') })).toBe(false);
    expect(attrHit({ price: [300] }, { price: str('300') })).toBe(false);
    expect(attrHit({ price: ['300'] }, { price: num('300') })).toBe(false);
    expect(bodyHit({ price: [300] }, '{"price": 3.0e2}')).toBe(true);
    expect(bodyHit({ price: [300] }, { price: '300' })).toBe(false);
  });

  it('compares numbers to five decimal places', () => {
    expect(bodyHit({ v: [1.5] }, { v: 1.500001 })).toBe(true);
    expect(bodyHit({ v: [1.5] }, { v: 1.50001 })).toBe(false);
  });

  it('matches true, false and null only against the same JSON value', () => {
    expect(bodyHit({ a: [true] }, { a: true })).toBe(true);
    expect(bodyHit({ a: [true] }, { a: 'true' })).toBe(false);
    expect(bodyHit({ a: [null] }, { a: null })).toBe(true);
    expect(bodyHit({ a: [null] }, { b: 1 })).toBe(false);
    // LocalStack's recorded test_filter_policy: null does not match a missing attribute.
    expect(attrHit({ attr1: [null, { 'anything-but': 'whatever' }] }, { other: str('x') })).toBe(false);
  });
});

describe('String.Array attributes', () => {
  it('match when any element matches', () => {
    expect(attrHit({ store: ['value1'] }, { store: arr(['value1', 'value2']) })).toBe(true);
    expect(attrHit({ store: ['value1'] }, { store: arr(['value2', 'value3']) })).toBe(false);
    expect(attrHit({ n: [{ numeric: ['>', 10] }] }, { n: arr([1, 20]) })).toBe(true);
    expect(attrHit({ n: [true] }, { n: arr([false, true]) })).toBe(true);
  });

  it('never match through objects or arrays nested in the array', () => {
    expect(attrHit({ a: ['x'] }, { a: arr([{ a: 'x' }, ['x']]) })).toBe(false);
    expect(attrHit({ a: [{ exists: true }] }, { a: arr([{ a: 'x' }]) })).toBe(false);
  });

  it('match anything-but when some element is not listed', () => {
    const policy = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    expect(attrHit(policy, { customer_interests: arr(['rugby', 'baseball']) })).toBe(true);
    expect(attrHit(policy, { customer_interests: arr(['rugby', 'tennis']) })).toBe(false);
  });
});

describe('Binary and missing attributes', () => {
  it('ignores Binary attributes', () => {
    expect(attrHit({ a: [{ exists: true }] }, { a: { DataType: 'Binary', BinaryValue: 'AAE=' } })).toBe(false);
    expect(attrHit({ a: [{ exists: false }] }, { a: { DataType: 'Binary', BinaryValue: 'AAE=' }, b: str('x') })).toBe(true);
  });

  it('lets only exists:false match a missing attribute; anything-but does not', () => {
    const others = { other: str('x') };
    expect(attrHit({ a: [{ exists: false }] }, others)).toBe(true);
    expect(attrHit({ a: [{ exists: true }] }, others)).toBe(false);
    expect(attrHit({ a: [{ 'anything-but': 'x' }] }, others)).toBe(false);
    expect(attrHit({ a: [{ 'anything-but': { prefix: 'x' } }] }, others)).toBe(false);
    expect(attrHit({ a: [{ numeric: ['<', 5] }] }, others)).toBe(false);
  });

  it('matches nothing when the message has no attributes at all (key-matching.html)', () => {
    expect(attrHit({ a: [{ exists: false }] }, {})).toBe(false);
    expect(attrHit({ a: [{ exists: false }] }, { bin: { DataType: 'Binary', BinaryValue: 'AAE=' } })).toBe(false);
  });

  it('lets anything-but be combined with exists:false', () => {
    const policy = { a: [{ 'anything-but': ['x'] }, { exists: false }] };
    expect(attrHit(policy, { b: str('1') })).toBe(true);
    expect(attrHit(policy, { a: str('y') })).toBe(true);
    expect(attrHit(policy, { a: str('x') })).toBe(false);
  });
});

describe('operators', () => {
  it('prefix and suffix', () => {
    expect(attrHit({ a: [{ prefix: 'bas' }] }, { a: str('baseball') })).toBe(true);
    expect(attrHit({ a: [{ prefix: 'bas' }] }, { a: str('rugby') })).toBe(false);
    expect(attrHit({ a: [{ suffix: 'ball' }] }, { a: str('baseball') })).toBe(true);
    expect(attrHit({ a: [{ suffix: 'ball' }] }, { a: str('rugby') })).toBe(false);
    expect(bodyHit({ a: [{ prefix: '1' }] }, { a: 12 })).toBe(false);
  });

  it('equals-ignore-case', () => {
    expect(attrHit({ a: [{ 'equals-ignore-case': 'RuGbY' }] }, { a: str('rugby') })).toBe(true);
    expect(attrHit({ a: [{ 'equals-ignore-case': 'rugby' }] }, { a: str('rugby2') })).toBe(false);
  });

  it('anything-but with a list, a single string, a single number', () => {
    expect(attrHit({ a: [{ 'anything-but': ['rugby', 'tennis'] }] }, { a: str('football') })).toBe(true);
    expect(attrHit({ a: [{ 'anything-but': ['rugby', 'tennis'] }] }, { a: str('tennis') })).toBe(false);
    expect(attrHit({ a: [{ 'anything-but': 'rugby' }] }, { a: str('rugby') })).toBe(false);
    expect(attrHit({ price: [{ 'anything-but': [100, 500] }] }, { price: num('100.1') })).toBe(true);
    expect(attrHit({ price: [{ 'anything-but': [100, 500] }] }, { price: num('1e2') })).toBe(false);
    expect(attrHit({ price: [{ 'anything-but': 100 }] }, { price: num('101') })).toBe(true);
    expect(bodyHit({ price: [{ 'anything-but': [100, 500] }] }, { price: [100, 50] })).toBe(true);
    expect(bodyHit({ price: [{ 'anything-but': [100, 500] }] }, { price: 100 })).toBe(false);
  });

  it('anything-but with a prefix', () => {
    const policy = { event: [{ 'anything-but': { prefix: 'order-' } }] };
    expect(attrHit(policy, { event: str('data-entry') })).toBe(true);
    expect(attrHit(policy, { event: str('order-cancelled') })).toBe(false);
    expect(attrHit(policy, { event: num('5') })).toBe(false);
  });

  it('numeric equality, one-sided and two-sided ranges', () => {
    expect(attrHit({ p: [{ numeric: ['=', 301.5] }] }, { p: num('3.015e2') })).toBe(true);
    expect(attrHit({ p: [{ numeric: ['=', 301.5] }] }, { p: num('301.6') })).toBe(false);
    expect(attrHit({ p: [{ numeric: ['<', 0] }] }, { p: num('-1') })).toBe(true);
    expect(attrHit({ p: [{ numeric: ['<', 0] }] }, { p: num('0') })).toBe(false);
    expect(attrHit({ p: [{ numeric: ['>=', 10] }] }, { p: num('10') })).toBe(true);
    const range = { p: [{ numeric: ['>', 0, '<=', 150] }] };
    expect(attrHit(range, { p: num('150') })).toBe(true);
    expect(attrHit(range, { p: num('0') })).toBe(false);
    expect(attrHit(range, { p: num('150.001') })).toBe(false);
    expect(attrHit(range, { p: str('100') })).toBe(false);
    expect(bodyHit(range, { p: 99 })).toBe(true);
    expect(bodyHit(range, { p: '99' })).toBe(false);
  });

  it('never matches numbers outside ±1e9 numerically', () => {
    expect(bodyHit({ p: [{ numeric: ['>', 0] }] }, { p: 2e9 })).toBe(false);
  });

  it('exists on leaves only, requiring a non-null, non-empty value', () => {
    expect(attrHit({ store: [{ exists: true }] }, { store: num('99') })).toBe(true);
    expect(attrHit({ store: [{ exists: false }] }, { store: num('99') })).toBe(false);
    expect(bodyHit({ store: [{ exists: true }] }, { store: { nested: 1 } })).toBe(false);
    expect(bodyHit({ store: [{ exists: false }] }, { store: { nested: 1 } })).toBe(true);
    expect(bodyHit({ store: [{ exists: true }] }, { store: null })).toBe(false);
    expect(bodyHit({ store: [{ exists: true }] }, { store: [] })).toBe(false);
    expect(bodyHit({ store: [{ exists: false }] }, { store: [] })).toBe(true);
  });

  it('cidr, IPv4 and IPv6', () => {
    const v4 = { ip: [{ cidr: '10.0.0.0/24' }] };
    expect(attrHit(v4, { ip: str('10.0.0.255') })).toBe(true);
    expect(attrHit(v4, { ip: str('10.0.1.0') })).toBe(false);
    expect(attrHit(v4, { ip: str('not-an-ip') })).toBe(false);
    const v6 = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(attrHit(v6, { ip: str('2001:db8:1::1') })).toBe(true);
    expect(attrHit(v6, { ip: str('2001:db9::1') })).toBe(false);
  });
});

describe('AND / OR', () => {
  it('ANDs properties and ORs the values of one property', () => {
    const policy = { customer_interests: ['rugby', 'football'], price_usd: [{ numeric: ['>', 100] }] };
    expect(attrHit(policy, { customer_interests: str('football'), price_usd: num('101') })).toBe(true);
    expect(attrHit(policy, { customer_interests: str('football'), price_usd: num('100') })).toBe(false);
    expect(attrHit(policy, { customer_interests: str('football') })).toBe(false);
  });

  it('$or combines with sibling keys as AND', () => {
    const policy = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] };
    expect(attrHit(policy, { source: str('aws.cloudwatch'), metricName: str('CPUUtilization') })).toBe(true);
    expect(attrHit(policy, { source: str('aws.cloudwatch'), namespace: str('AWS/EC2') })).toBe(true);
    expect(attrHit(policy, { source: str('aws.cloudwatch'), namespace: str('AWS/ES') })).toBe(false);
    expect(attrHit(policy, { source: str('aws.events'), metricName: str('CPUUtilization') })).toBe(false);
  });

  it('$or at a nested level of the body (LocalStack recorded cases)', () => {
    const policy = {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { scope: ['Service'], $or: [{ source: ['aws.cloudwatch'] }, { type: ['CloudWatch Alarm State Change'] }] },
    };
    expect(bodyHit(policy, { metricName: 'CPUUtilization', detail: { scope: 'Service', source: 'aws.cloudwatch' } })).toBe(true);
    expect(bodyHit(policy, { namespace: 'AWS/ES', detail: { scope: 'Service', source: 'aws.cloudwatch' } })).toBe(true);
    expect(bodyHit(policy, { metricName: 'CPUUtilization', detail: { scope: 'Service', type: 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(bodyHit(policy, { metricName: 'CPUUtilization', detail: { scope: 'aws.cloudwatch', type: 'CloudWatch Alarm State Change' } })).toBe(false);
    expect(bodyHit(policy, { metricName: 'CPUUtilization', detail: { scope: 'Service' } })).toBe(false);
    expect(bodyHit(policy, { metricName: 'CPUUtilization', scope: 'Service' })).toBe(false);
    expect(bodyHit(policy, { namespace: 'CPUUtilization', detail: { scope: 'Service', type: 'CloudWatch Alarm State Change' } })).toBe(false);
  });

  it('treats $or as an ordinary name unless it holds two or more plain objects', () => {
    expect(attrHit({ $or: ['x'] }, { $or: str('x') })).toBe(true);
    expect(attrHit({ $or: ['x'] }, { other: str('x') })).toBe(false);
    // and-or-logic.html: objects keyed by reserved keywords are not branches but match expressions.
    const reserved = { $or: [{ prefix: 'ab' }, { suffix: 'yz' }] };
    expect(attrHit(reserved, { $or: str('xyz') })).toBe(true);
    expect(attrHit(reserved, { prefix: str('ab') })).toBe(false);
  });

  it('nests $or inside a branch', () => {
    const policy = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPU'] }, { metricType: ['T'], $or: [{ metricId: [1234] }, { spaceId: [1] }] }] };
    expect(attrHit(policy, { source: str('aws.cloudwatch'), metricType: str('T'), spaceId: num('1') })).toBe(true);
    expect(attrHit(policy, { source: str('aws.cloudwatch'), metricType: str('T'), metricId: num('1234.0') })).toBe(true);
    expect(attrHit(policy, { source: str('aws.cloudwatch'), metricType: str('T') })).toBe(false);
    expect(attrHit(policy, { source: str('aws.cloudwatch'), spaceId: num('1') })).toBe(false);
  });
});

describe('message body', () => {
  it('matches nested keys, and ignores properties the policy does not name', () => {
    const policy = { object: { key: [{ prefix: 'auto-' }, 'hardcodedvalue'], nested_key: [{ exists: false }] }, test: [{ exists: false }] };
    expect(bodyHit(policy, { object: { key: 'auto-test' } })).toBe(true);
    expect(bodyHit(policy, { object: { key: 'hardcodedvalue', other: 1 }, extra: true })).toBe(true);
    expect(bodyHit(policy, { object: { key: 'test-auto' } })).toBe(false);
    expect(bodyHit(policy, { object: { key: 'auto-test' }, test: 'just-exists' })).toBe(false);
    expect(bodyHit(policy, { object: { key: 'auto-test', nested_key: 'just-exists' } })).toBe(false);
    expect(bodyHit(policy, { object: { test: 'auto-test' } })).toBe(false);
  });

  it('matches nothing when the body is not a JSON object', () => {
    const policy = { a: [{ exists: false }] };
    expect(bodyHit(policy, 'Regular string message')).toBe(false);
    expect(bodyHit(policy, JSON.stringify('a JSON string'))).toBe(false);
    expect(bodyHit(policy, [{ b: 1 }])).toBe(false);
    expect(bodyHit(policy, { b: 1 })).toBe(true);
  });

  it('matches arrays in the payload when any element matches', () => {
    expect(bodyHit({ headers: { 'route-to': ['queue1'] } }, { headers: { 'route-to': ['queue1', 'queue2'] } })).toBe(true);
    expect(bodyHit({ headers: { 'route-to': ['queue1'] } }, { headers: { 'route-to': ['queue3'] } })).toBe(false);
  });

  it('descends into arrays of objects, keeping the conditions of one record together', () => {
    const policy = { Records: { s3: { object: { key: [{ prefix: 'auto-' }] } }, eventName: [{ prefix: 'ObjectCreated:' }] } };
    const record = (eventName: string, key: string): unknown => ({ eventName, s3: { object: { key } } });
    expect(bodyHit(policy, { Records: [record('ObjectCreated:Put', 'auto-1.xml')] })).toBe(true);
    expect(bodyHit(policy, { Records: [record('ObjectRemoved:Delete', 'home-1.xml'), record('ObjectCreated:Put', 'auto-1.xml')] })).toBe(true);
    expect(bodyHit(policy, { Records: [record('ObjectRemoved:Delete', 'auto-1.xml')] })).toBe(false);
    // Each property is satisfied, but by different records.
    expect(bodyHit(policy, { Records: [record('ObjectCreated:Put', 'home-1.xml'), record('ObjectRemoved:Delete', 'auto-1.xml')] })).toBe(false);
    // Arrays of arrays work too (LocalStack's recorded s3_event_multiple_records).
    expect(bodyHit(policy, { Records: [{ eventName: 'ObjectCreated:Put', s3: { object: [[{ key: 'auto-insurance.xml' }]] } }] })).toBe(true);
  });

  it('judges exists:false over the whole payload, not within one array element', () => {
    const policy = { Records: { x: [{ exists: false }] } };
    expect(bodyHit(policy, { Records: [{ y: 1 }, { y: 2 }] })).toBe(true);
    expect(bodyHit(policy, { Records: [{ x: 1 }, { y: 2 }] })).toBe(false);
  });

  it('joins names with dots on both sides, as AWS does', () => {
    const policy = { 'object.nested': ['string.value'] };
    expect(bodyHit(policy, { object: { nested: 'string.value' } })).toBe(true);
    expect(bodyHit(policy, { 'object.nested': 'string.value' })).toBe(true);
    expect(bodyHit(policy, { object: { nested: 'test-auto' } })).toBe(false);
    const deep = { object: { 'nested.test': ['v'] } };
    expect(bodyHit(deep, { 'object.nested': { test: 'v' } })).toBe(true);
    expect(bodyHit(deep, { object: { nested: { test: 'w' } } })).toBe(false);
  });
});

describe('validation: limits', () => {
  it('rejects more than 5 keys', () => {
    const six = { a: ['1'], b: ['2'], c: ['3'], d: ['4'], e: ['5'], f: ['6'] };
    invalid(six, 'Filter policy can not have more than 5 keys');
    invalid(six, 'Filter policy can not have more than 5 keys', 'MessageBody');
    const five = { a: ['1'], b: ['2'], c: ['3'], d: ['4'], e: ['5'] };
    expect(() => compileFilterPolicy(JSON.stringify(five), 'MessageAttributes')).not.toThrow();
  });

  it('counts the keys of $or branches, each name once', () => {
    invalid({ a: ['1'], b: ['2'], $or: [{ c: ['3'], d: ['4'] }, { e: ['5'], f: ['6'] }] }, 'Filter policy can not have more than 5 keys');
    expect(() => compileFilterPolicy(JSON.stringify({ a: ['1'], $or: [{ b: ['2'], c: ['3'] }, { b: ['4'], d: ['5'] }] }), 'MessageAttributes')).not.toThrow();
  });

  it('counts only top-level keys in body scope', () => {
    const policy = { state: ['SUCCESS'], severity: [{ exists: true }], message: [{ exists: true }], finding: { standard_control: [{ exists: true }], region: [{ exists: true }], account: [{ exists: true }] } };
    expect(() => compileFilterPolicy(JSON.stringify(policy), 'MessageBody')).not.toThrow();
  });

  it('rejects more than 150 combinations', () => {
    const values = (n: number): string[] => Array.from({ length: n }, (_, i) => `v${i}`);
    invalid({ key: values(151) }, 'Filter policy is too complex');
    invalid({ key1: values(100), key2: values(2) }, 'Filter policy is too complex');
    expect(() => compileFilterPolicy(JSON.stringify({ key: values(150) }), 'MessageAttributes')).not.toThrow();
    expect(() => compileFilterPolicy(JSON.stringify({ key1: values(75), key2: values(2) }), 'MessageAttributes')).not.toThrow();
  });

  it('sums $or branches (LocalStack recorded: 152 rejected, 150 accepted)', () => {
    invalid(
      {
        source: ['aws.cloudwatch', 'aws.events', 'aws.test', 'aws.test2'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency', 't1', 't2', 't3', 't4'] },
          { metricType: ['MetricType', 'TestType', 'TestType2', 'TestType3'], $or: [{ metricId: [1234, 4321, 5678, 9012] }, { spaceId: [1, 2, 3, 4] }] },
        ],
      },
      'Filter policy is too complex',
    );
    const ok = {
      source: ['aws.cloudwatch', 'aws.events', 'aws.test'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency', 'TestVal', 'TestVal2', 'TestVal3', 'TestVal4'] },
        { metricType: ['MetricType', 'TestType', 'TestType2', 'TestType3'], $or: [{ metricId: [1234, 4321, 5678, 9012] }, { spaceId: [1, 2, 3, 4, 5, 6, 7] }] },
      ],
    };
    expect(() => compileFilterPolicy(JSON.stringify(ok), 'MessageAttributes')).not.toThrow();
  });

  it('weighs nested body keys by their depth (recorded: 216 and 160 rejected)', () => {
    invalid(
      { key_a: { key_b: { key_c: ['v1', 'v2', 'v3', 'v4'] } }, key_d: { key_e: ['v1', 'v2', 'v3'] }, key_f: ['v1', 'v2', 'v3'] },
      'Filter policy is too complex',
      'MessageBody',
    );
    invalid(
      {
        $or: [{ metricName: ['CPUUtilization', 'ReadLatency', 'TestValue'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
        detail: { scope: ['Service', 'Test'], $or: [{ source: ['aws.cloudwatch'] }, { type: ['CloudWatch Alarm State Change', 'TestValue', 'TestValue2'] }] },
      },
      'Filter policy is too complex',
      'MessageBody',
    );
    // The documentation's own example: 3 x 4 x 2 x 3 = 72.
    expect(() => compileFilterPolicy(JSON.stringify({ key_a: { key_b: { key_c: ['v1', 'v2', 'v3', 'v4'] } }, key_d: { key_e: ['v1', 'v2', 'v3'] } }), 'MessageBody')).not.toThrow();
  });

  it('rejects a policy over 256 KB', () => {
    const big = JSON.stringify({ a: ['x'.repeat(256 * 1024)] });
    expect(rejection(big).message).toMatch(/^Invalid parameter: FilterPolicy: /);
  });

  it('rejects numbers beyond ±1e9', () => {
    for (const policy of [{ a: [1000000001] }, { a: [{ numeric: ['>', -1e10] }] }, { a: [{ 'anything-but': [2e9] }] }]) {
      invalid(policy, 'Value must be between -1.0E9 and 1.0E9, inclusive');
    }
    expect(() => compileFilterPolicy(JSON.stringify({ a: [1e9, -1e9] }), 'MessageAttributes')).not.toThrow();
  });
});

describe('validation: structure', () => {
  it('requires a JSON object', () => {
    invalid('["a"]', 'Filter is not an object');
    invalid('"a"', 'Filter is not an object');
    expect(rejection('{"a": [').message).toMatch(/^Invalid parameter: FilterPolicy: /);
  });

  it('requires arrays (or objects) as values, and non-empty ones', () => {
    invalid({ key_a: 'value_one' }, '"key_a" must be an object or an array');
    invalid({ key_a: 5 }, '"key_a" must be an object or an array');
    invalid({ key: { suffix: 'value' } }, '"suffix" must be an object or an array');
    invalid({ Amount: [] }, 'Empty arrays are not allowed');
    invalid({ a: {} }, 'Empty objects are not allowed', 'MessageBody');
  });

  it('rejects nesting in attribute scope, with its own prefix', () => {
    const err = rejection({ object: { key: [{ prefix: 'auto-' }] } });
    expect(err.message).toBe('Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
    expect(() => compileFilterPolicy(JSON.stringify({ object: { key: [{ prefix: 'auto-' }] } }), 'MessageBody')).not.toThrow();
  });

  it('words Subscribe errors with "Attributes Reason:"', () => {
    expect(rejection({ key: [['value']] }).subscribeMessage).toBe('Invalid parameter: Attributes Reason: FilterPolicy: Match value must be String, number, true, false, or null');
  });

  it('rejects malformed match values and expressions', () => {
    invalid({ key: [['value']] }, 'Match value must be String, number, true, false, or null');
    invalid({ key: [{ 'wrong-operator': true }] }, 'Unrecognized match type wrong-operator');
    invalid({ key: [{ wildcard: 'a*' }] }, 'Unrecognized match type wildcard');
    invalid({ key: [{}] }, 'Match expression name not found');
    invalid({ key: [{ suffix: 'value', prefix: 'value2' }] }, 'Only one key allowed in match expression');
  });

  it('requires strings for prefix, suffix and equals-ignore-case', () => {
    for (const operand of [100, null, [], ['test', 'test2']]) invalid({ key: [{ suffix: operand }] }, 'suffix match pattern must be a string');
    invalid({ key: [{ prefix: 1 }] }, 'prefix match pattern must be a string');
    invalid({ key: [{ 'equals-ignore-case': true }] }, 'equals-ignore-case match pattern must be a string');
  });

  it('requires a boolean for exists', () => {
    invalid({ key: [{ exists: null }] }, 'exists match pattern must be either true or false.');
    invalid({ key: [{ exists: 'no' }] }, 'exists match pattern must be either true or false.');
  });

  it('checks anything-but operands', () => {
    invalid({ key: [{ 'anything-but': { 'wrong-operator': null } }] }, 'Unsupported anything-but pattern: wrong-operator');
    invalid({ key: [{ 'anything-but': { suffix: 'test' } }] }, 'Unsupported anything-but pattern: suffix');
    invalid({ key: [{ 'anything-but': { exists: false } }] }, 'Unsupported anything-but pattern: exists');
    invalid({ key: [{ 'anything-but': { prefix: false } }] }, 'prefix match pattern must be a string');
    invalid({ key: [{ 'anything-but': true }] }, 'Value of anything-but must be an array or single string/number value.');
    invalid({ key: [{ 'anything-but': [null] }] }, 'Inside anything but list, start|null|boolean is not supported.');
    invalid({ key: [{ 'anything-but': ['a', 1] }] }, 'Inside anything but list, either all values are number or string, mixed type is not supported');
    for (const ok of [{ prefix: 'test-' }, ['test', 'test2'], 'test', 5, [1, 2]]) {
      expect(() => compileFilterPolicy(JSON.stringify({ key: [{ 'anything-but': ok }] }), 'MessageAttributes')).not.toThrow();
    }
  });

  it('checks numeric expressions (messages recorded from AWS)', () => {
    const cases: [unknown, string][] = [
      [[], 'Invalid member in numeric match: ]'],
      [['operator'], 'Unrecognized numeric range operator: operator'],
      [[1, '<='], 'Invalid member in numeric match: 1'],
      [['=', '000'], 'Value of equals must be numeric'],
      [['>='], 'Value of >= must be numeric'],
      [['<', 100, '>', 10], 'Too many elements in numeric expression'],
      [['>=', 1, '>', 2], 'Bad numeric range operator: >'],
      [['>', 3, '<', 1], 'Bottom must be less than top'],
      [['>', 3, '<', 3], 'Bottom must be less than top'],
      [['>', 20, '<='], 'Value of <= must be numeric'],
      [['>', 20, 30], 'Bad value in numeric range: 30'],
      [['>', 20, 'test'], 'Bad numeric range operator: test'],
      [['>', '20', '<', '30'], 'Value of > must be numeric'],
      [['>', 20, '<', '30'], 'Value of < must be numeric'],
      [['>', 20, '<', 30, '<', 50], 'Too many terms in numeric range expression'],
    ];
    for (const [spec, message] of cases) invalid({ key: [{ numeric: spec }] }, message);
    invalid({ key: [{ numeric: 5 }] }, 'Value of numeric must be an array.');
  });

  it('checks cidr operands', () => {
    invalid({ ip: [{ cidr: 10 }] }, 'prefix match pattern must be a string');
    invalid({ ip: [{ cidr: '10.0.0.0' }] }, "Malformed CIDR, one '/' required");
    invalid({ ip: [{ cidr: '10.0.0.0/8/8' }] }, "Malformed CIDR, one '/' required");
    invalid({ ip: [{ cidr: '10.0.0.0/x' }] }, 'Malformed CIDR, mask bits must be an integer');
    invalid({ ip: [{ cidr: '10.0.0.0/-1' }] }, 'Malformed CIDR, mask bits must not be negative');
    invalid({ ip: [{ cidr: '10.0.0.300/8' }] }, 'Nonstandard IP address: 10.0.0.300');
    invalid({ ip: [{ cidr: '10.0.0.0/33' }] }, 'IPv4 mask bits must be < 32');
    invalid({ ip: [{ cidr: '::/129' }] }, 'IPv6 mask bits must be < 128');
  });
});
