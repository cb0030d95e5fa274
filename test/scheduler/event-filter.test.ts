import { describe, expect, it } from 'vitest';
import { AwsError } from '../../nodes/gateway/errors.js';
import {
  type CompiledFilters,
  type ParseOptions,
  INVALID_PATTERN,
  kinesisFilterView,
  matches,
  parseFilterCriteria,
  sqsFilterView,
} from '../../nodes/scheduler/event-filter.js';

function compile(...patterns: unknown[]): CompiledFilters {
  return parseFilterCriteria({ Filters: patterns.map((p) => ({ Pattern: typeof p === 'string' ? p : JSON.stringify(p) })) });
}

/** Whether `pattern` (one filter) matches `event`. */
function hit(pattern: unknown, event: unknown): boolean {
  return matches(compile(pattern), event);
}

function rejection(criteria: unknown, options?: ParseOptions): AwsError {
  try {
    parseFilterCriteria(criteria, options);
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError');
}

function invalidPattern(pattern: unknown, options?: ParseOptions): void {
  const err = rejection({ Filters: [{ Pattern: typeof pattern === 'string' ? pattern : JSON.stringify(pattern) }] }, options);
  expect(err.code).toBe('InvalidParameterValueException');
  expect(err.message).toBe(INVALID_PATTERN);
}

describe('parseFilterCriteria', () => {
  it('treats absent criteria, {} and an empty list as no filtering', () => {
    for (const c of [undefined, null, {}, { Filters: [] }]) {
      const f = parseFilterCriteria(c);
      expect(f.patterns).toHaveLength(0);
      expect(matches(f, { anything: 1 })).toBe(true);
    }
  });

  it('keeps the pattern strings as given', () => {
    const text = '{ "a" : [ 1, 2 ] }';
    expect(parseFilterCriteria({ Filters: [{ Pattern: text }] }).sources).toEqual([text]);
  });

  it('allows five filters and refuses a sixth', () => {
    const filter = { Pattern: '{"a":[1]}' };
    expect(parseFilterCriteria({ Filters: Array.from({ length: 5 }, () => filter) }).patterns).toHaveLength(5);
    const err = rejection({ Filters: Array.from({ length: 6 }, () => filter) });
    expect(err.code).toBe('InvalidParameterValueException');
    expect(err.message).toMatch(/exceeds the quota of 5/);
  });

  it('allows a 4096-character pattern and refuses a longer one as the model constraint', () => {
    const at = (n: number): string => {
      const shell = '{"a":[""]}';
      return `{"a":["${'x'.repeat(n - shell.length)}"]}`;
    };
    expect(at(4096)).toHaveLength(4096);
    expect(parseFilterCriteria({ Filters: [{ Pattern: at(4096) }] }).patterns).toHaveLength(1);
    const err = rejection({ Filters: [{ Pattern: '{"a":[1]}' }, { Pattern: at(4097) }] });
    expect(err.code).toBe('ValidationException');
    expect(err.message).toMatch(/^1 validation error detected: Value '.*' at 'filterCriteria\.filters\.2\.member\.pattern' failed to satisfy constraint: Member must have length less than or equal to 4096$/);
  });

  it('refuses malformed criteria', () => {
    for (const c of ['x', [], { Filters: 'x' }, { Filters: ['x'] }, { Filters: [{}] }, { Filters: [{ Pattern: 5 }] }]) {
      const err = rejection(c);
      expect(err.code).toBe('InvalidParameterValueException');
      expect(err.message).toBe(INVALID_PATTERN);
    }
  });

  it('refuses patterns that are not JSON objects', () => {
    for (const p of ['', 'not json', '{"a":[1]', '[{"a":[1]}]', '"a"', '5', 'null', '{}']) invalidPattern(p);
  });

  it('refuses values that are neither rule lists nor objects', () => {
    invalidPattern({ a: 'x' });
    invalidPattern({ a: 5 });
    invalidPattern({ a: null });
    invalidPattern({ a: [] });
    invalidPattern({ a: {} });
    invalidPattern({ a: { b: 'x' } });
    invalidPattern({ a: [['x']] });
  });

  it('refuses unknown, unsupported and malformed operators', () => {
    invalidPattern({ a: [{ contains: 'x' }] });
    invalidPattern({ a: [{ prefix: 'x', suffix: 'y' }] });
    invalidPattern({ a: [{}] });
    // Marked "Pipe support: No" in EventBridge's operator table.
    invalidPattern({ a: [{ wildcard: '*.png' }] });
    invalidPattern({ a: [{ 'anything-but': { prefix: 'x' } }] });
    invalidPattern({ a: [{ 'anything-but': { suffix: 'x' } }] });
    invalidPattern({ a: [{ 'anything-but': { 'equals-ignore-case': 'x' } }] });
    invalidPattern({ a: [{ prefix: 5 }] });
    invalidPattern({ a: [{ prefix: { 'equals-ignore-case': 5 } }] });
    invalidPattern({ a: [{ suffix: { other: 'x' } }] });
    invalidPattern({ a: [{ 'equals-ignore-case': ['x'] }] });
    invalidPattern({ a: [{ exists: 'true' }] });
    invalidPattern({ a: [{ 'anything-but': [] }] });
    invalidPattern({ a: [{ 'anything-but': ['x', 1] }] });
    invalidPattern({ a: [{ 'anything-but': [null] }] });
    invalidPattern({ a: [{ 'anything-but': true }] });
    invalidPattern({ a: [{ 'anything-but': 6e9 }] });
    invalidPattern({ a: [{ cidr: '10.0.0.0' }] });
    invalidPattern({ a: [{ cidr: '10.0.0.0/33' }] });
    invalidPattern({ a: [{ cidr: 'host/8' }] });
    invalidPattern({ a: [{ cidr: '::/129' }] });
  });

  it('refuses numeric expressions outside Ruler grammar', () => {
    for (const spec of [
      ['<', 10, '>=', 0], // the lower bound must come first
      ['>', 10, '>', 20],
      ['=', 5, '<', 10],
      ['>', 20, '<', 10],
      ['=', '5'],
      ['==', 5],
      ['>'],
      ['>', 1, '<'],
      ['>', 1, '<', 2, '<', 3],
      ['<', 6e9],
      '>5',
    ]) {
      invalidPattern({ a: [{ numeric: spec }] });
    }
  });

  it('refuses a $or without two object branches', () => {
    invalidPattern({ $or: [{ a: [1] }] });
    invalidPattern({ $or: { a: [1] } });
    invalidPattern({ $or: [{ a: [1] }, 'b'] });
    invalidPattern({ $or: [{ a: [1] }, {}] });
  });

  it('refuses a plain-string data pattern for Kinesis and DynamoDB, not for SQS', () => {
    invalidPattern({ data: [{ prefix: 'x' }] }, { source: 'kinesis' });
    invalidPattern({ $or: [{ partitionKey: ['1'] }, { data: ['x'] }] }, { source: 'kinesis' });
    invalidPattern({ dynamodb: [{ exists: true }] }, { source: 'dynamodb' });
    const ok = (p: unknown, source: ParseOptions['source']): number =>
      parseFilterCriteria({ Filters: [{ Pattern: JSON.stringify(p) }] }, { source }).patterns.length;
    expect(ok({ data: { a: ['x'] } }, 'kinesis')).toBe(1);
    expect(ok({ body: [{ prefix: 'x' }] }, 'sqs')).toBe(1);
  });

  it('uses the last of duplicate keys, as AWS documents', () => {
    const f = compile('{"a":["hello"],"a":["world"]}');
    expect(matches(f, { a: 'world' })).toBe(true);
    expect(matches(f, { a: 'hello' })).toBe(false);
  });
});

describe('matches: values', () => {
  it('matches exact strings, numbers, booleans and null', () => {
    expect(hit({ a: ['x'] }, { a: 'x' })).toBe(true);
    expect(hit({ a: ['x'] }, { a: 'X' })).toBe(false);
    expect(hit({ a: [5] }, { a: 5 })).toBe(true);
    expect(hit({ a: [5] }, JSON.parse('{"a":5.0}'))).toBe(true);
    expect(hit('{"a":[3.0e2]}', { a: 300 })).toBe(true);
    expect(hit({ a: [5] }, { a: '5' })).toBe(false);
    expect(hit({ a: ['5'] }, { a: 5 })).toBe(false);
    expect(hit({ a: [true] }, { a: true })).toBe(true);
    expect(hit({ a: [true] }, { a: 'true' })).toBe(false);
    expect(hit({ a: [false] }, { a: false })).toBe(true);
    expect(hit({ a: [null] }, { a: null })).toBe(true);
    expect(hit({ a: [null] }, {})).toBe(false);
    expect(hit({ a: [''] }, { a: '' })).toBe(true);
    expect(hit({ a: [''] }, { a: null })).toBe(false);
  });

  it('treats a rule list as alternatives', () => {
    const p = { a: ['Credit', 'Debit', 3] };
    expect(hit(p, { a: 'Debit' })).toBe(true);
    expect(hit(p, { a: 3 })).toBe(true);
    expect(hit(p, { a: 'Cash' })).toBe(false);
  });

  it('requires every field (AND) and ignores fields the pattern does not name', () => {
    const p = { Location: ['New York'], Day: ['Monday'] };
    expect(hit(p, { Location: 'New York', Day: 'Monday', Extra: 1 })).toBe(true);
    expect(hit(p, { Location: 'New York', Day: 'Tuesday' })).toBe(false);
    expect(hit(p, { Location: 'New York' })).toBe(false);
  });

  it('matches prefix and suffix, with and without case', () => {
    expect(hit({ a: [{ prefix: 'us-' }] }, { a: 'us-east-1' })).toBe(true);
    expect(hit({ a: [{ prefix: 'us-' }] }, { a: 'US-east-1' })).toBe(false);
    expect(hit({ a: [{ prefix: '1' }] }, { a: 12 })).toBe(false);
    expect(hit({ a: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }, { a: 'eventbridge' })).toBe(true);
    expect(hit({ a: [{ suffix: '.png' }] }, { a: 'cat.png' })).toBe(true);
    expect(hit({ a: [{ suffix: '.png' }] }, { a: 'cat.PNG' })).toBe(false);
    expect(hit({ a: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, { a: 'EVENTBRIDGE' })).toBe(true);
    expect(hit({ a: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, { a: 'bridges' })).toBe(false);
  });

  it('matches equals-ignore-case on strings only', () => {
    expect(hit({ a: [{ 'equals-ignore-case': 'alice' }] }, { a: 'ALICE' })).toBe(true);
    expect(hit({ a: [{ 'equals-ignore-case': 'alice' }] }, { a: 'alicia' })).toBe(false);
    expect(hit({ a: [{ 'equals-ignore-case': 'true' }] }, { a: true })).toBe(false);
  });

  it('matches anything-but a value or list, but never a missing field', () => {
    expect(hit({ a: [{ 'anything-but': 'Raining' }] }, { a: 'Sunny' })).toBe(true);
    expect(hit({ a: [{ 'anything-but': 'Raining' }] }, { a: 'Raining' })).toBe(false);
    expect(hit({ a: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { a: 'overloaded' })).toBe(false);
    expect(hit({ a: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { a: 'running' })).toBe(true);
    expect(hit({ a: [{ 'anything-but': [100, 200] }] }, { a: 200 })).toBe(false);
    expect(hit({ a: [{ 'anything-but': [100, 200] }] }, JSON.parse('{"a":100.0}'))).toBe(false);
    expect(hit({ a: [{ 'anything-but': [100, 200] }] }, { a: 300 })).toBe(true);
    expect(hit({ a: [{ 'anything-but': 100 }] }, { a: '100' })).toBe(true);
    expect(hit({ a: [{ 'anything-but': 'x' }] }, { a: null })).toBe(true);
    expect(hit({ a: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(hit({ a: [{ 'anything-but': 'x' }] }, { a: { b: 1 } })).toBe(false);
  });

  it('matches numeric comparisons and ranges on numbers only', () => {
    const n = (spec: unknown[], v: unknown): boolean => hit({ a: [{ numeric: spec }] }, { a: v });
    expect(n(['=', 100], 100)).toBe(true);
    expect(n(['=', 100], 100.5)).toBe(false);
    expect(n(['=', 300], JSON.parse('3.0e2'))).toBe(true);
    expect(n(['<', 10], 9.99)).toBe(true);
    expect(n(['<', 10], 10)).toBe(false);
    expect(n(['<=', 10], 10)).toBe(true);
    expect(n(['>', 10], 10)).toBe(false);
    expect(n(['>=', 10], 10)).toBe(true);
    expect(n(['>', 10, '<=', 20], 20)).toBe(true);
    expect(n(['>', 10, '<=', 20], 10)).toBe(false);
    expect(n(['>=', 0, '<', 10], 0)).toBe(true);
    expect(n(['>=', 0, '<', 10], 10)).toBe(false);
    expect(n(['>=', -5, '<', -1], -3)).toBe(true);
    expect(n(['>', 0], '5')).toBe(false);
    expect(n(['>', 0], true)).toBe(false);
    // Ruler cannot compare numbers beyond ±5e9.
    expect(n(['>', 0], 6e9)).toBe(false);
    expect(hit({ a: [{ numeric: ['>', 0] }] }, {})).toBe(false);
  });

  it('matches exists on leaves: null is present, an object is not a leaf', () => {
    const yes = { a: [{ exists: true }] };
    const no = { a: [{ exists: false }] };
    expect(hit(yes, { a: 'x' })).toBe(true);
    expect(hit(yes, { a: null })).toBe(true);
    expect(hit(yes, { a: '' })).toBe(true);
    expect(hit(yes, {})).toBe(false);
    expect(hit(yes, { a: { b: 1 } })).toBe(false);
    expect(hit(yes, { a: [] })).toBe(false);
    expect(hit(no, {})).toBe(true);
    expect(hit(no, { a: 'x' })).toBe(false);
    expect(hit(no, { a: { b: 1 } })).toBe(true);
    expect(hit(no, { a: [] })).toBe(true);
    expect(hit({ d: { c: [{ exists: false }] } }, { x: 1 })).toBe(true);
    expect(hit({ d: { c: [{ exists: false }] } }, { d: { c: 1 } })).toBe(false);
  });

  it('decides absence over the whole event, across array elements', () => {
    const p = { a: { b: [{ exists: false }], c: [2] } };
    expect(hit(p, { a: [{ b: 1 }, { c: 2 }] })).toBe(false);
    expect(hit(p, { a: [{ d: 1 }, { c: 2 }] })).toBe(true);
  });

  it('matches IP addresses against CIDR blocks', () => {
    expect(hit({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' })).toBe(true);
    expect(hit({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' })).toBe(false);
    expect(hit({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: 'not-an-ip' })).toBe(false);
    expect(hit({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1::5' })).toBe(true);
    expect(hit({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
    expect(hit({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' })).toBe(false);
  });
});

describe('matches: structure', () => {
  it('recurses into nested objects', () => {
    const p = { dynamodb: { Keys: { Id: { N: ['101'] } } } };
    expect(hit(p, { dynamodb: { Keys: { Id: { N: '101' } }, SizeBytes: 26 } })).toBe(true);
    expect(hit(p, { dynamodb: { Keys: { Id: { N: '102' } } } })).toBe(false);
    expect(hit(p, { dynamodb: { Keys: { Id: '101' } } })).toBe(false);
    expect(hit(p, { dynamodb: 'flat' })).toBe(false);
  });

  it('matches an event array when any element matches', () => {
    expect(hit({ tags: ['b'] }, { tags: ['a', 'b'] })).toBe(true);
    expect(hit({ tags: ['c'] }, { tags: ['a', 'b'] })).toBe(false);
    expect(hit({ tags: [{ prefix: 'x' }] }, { tags: [['y', 'xz']] })).toBe(true);
    expect(hit({ tags: [{ 'anything-but': 'a' }] }, { tags: ['a', 'b'] })).toBe(true);
    expect(hit({ items: { sku: ['s2'] } }, { items: [{ sku: 's1' }, { sku: 's2' }] })).toBe(true);
  });

  it('requires the fields of one pattern object to match within one array element', () => {
    const p = { items: { sku: ['s1'], qty: [2] } };
    expect(hit(p, { items: [{ sku: 's1', qty: 2 }, { sku: 's2', qty: 1 }] })).toBe(true);
    expect(hit(p, { items: [{ sku: 's1', qty: 1 }, { sku: 's2', qty: 2 }] })).toBe(false);
  });

  it('ORs the filters of a mapping', () => {
    const f = compile({ a: ['x'] }, { b: [{ numeric: ['>', 5] }] });
    expect(matches(f, { a: 'x' })).toBe(true);
    expect(matches(f, { b: 6 })).toBe(true);
    expect(matches(f, { a: 'y', b: 5 })).toBe(false);
  });

  it('matches $or branches, at the top and nested, ANDed with sibling fields', () => {
    const top = { source: ['s'], $or: [{ metric: ['cpu'] }, { type: ['t'], ns: ['n'] }] };
    expect(hit(top, { source: 's', metric: 'cpu' })).toBe(true);
    expect(hit(top, { source: 's', type: 't', ns: 'n' })).toBe(true);
    expect(hit(top, { source: 's', type: 't' })).toBe(false);
    expect(hit(top, { source: 'other', metric: 'cpu' })).toBe(false);
    const nested = { detail: { $or: [{ c: [{ numeric: ['>', 0, '<=', 5] }] }, { d: [{ numeric: ['<', 10] }] }] } };
    expect(hit(nested, { detail: { c: 3 } })).toBe(true);
    expect(hit(nested, { detail: { c: 7, d: 9 } })).toBe(true);
    expect(hit(nested, { detail: { c: 7, d: 11 } })).toBe(false);
    const twice = { $or: [{ a: [1] }, { b: [1] }], b: [2], c: { $or: [{ x: [1] }, { y: [1] }] } };
    expect(hit(twice, { a: 1, b: 2, c: { y: 1 } })).toBe(true);
    expect(hit(twice, { a: 1, b: 2, c: { z: 1 } })).toBe(false);
  });

  it('does not read inherited properties', () => {
    expect(hit({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(hit({ toString: [{ exists: false }] }, {})).toBe(true);
  });
});

describe('sqsFilterView', () => {
  const record = (body: string) => ({
    messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1545082649183', SenderId: 'AIDAIENQZJOLO23YVJ4VO' },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-west-2:123456789012:my-queue',
    awsRegion: 'us-west-2',
  });
  const json = record('{\n "RecordNumber": 1234,\n "TimeStamp": "yyyy-mm-ddThh:mm:ss",\n "RequestCode": "AAAA"\n}');
  const plain = record('Result: ok');

  it('exposes a JSON body as an object and drops the fields the poller adds', () => {
    const view = sqsFilterView(json);
    expect(view['body']).toEqual({ RecordNumber: 1234, TimeStamp: 'yyyy-mm-ddThh:mm:ss', RequestCode: 'AAAA' });
    expect(view['messageId']).toBe(json.messageId);
    expect(view).not.toHaveProperty('eventSource');
    expect(view).not.toHaveProperty('eventSourceARN');
    expect(view).not.toHaveProperty('awsRegion');
    expect(sqsFilterView(plain)['body']).toBe('Result: ok');
  });

  it('filters on properties of a JSON body', () => {
    expect(hit({ body: { RequestCode: ['AAAA'] } }, sqsFilterView(json))).toBe(true);
    expect(hit({ body: { RequestCode: ['BBBB'] } }, sqsFilterView(json))).toBe(false);
    expect(hit({ body: { RecordNumber: [{ numeric: ['>', 9999] }] } }, sqsFilterView(json))).toBe(false);
    expect(hit({ body: { RecordNumber: [{ numeric: ['>', 999] }] } }, sqsFilterView(json))).toBe(true);
  });

  it('filters a plain body with plain-string rules', () => {
    expect(hit({ body: [{ prefix: 'Result: ' }] }, sqsFilterView(plain))).toBe(true);
    expect(hit({ body: ['Result: ok'] }, sqsFilterView(plain))).toBe(true);
    expect(hit({ body: [{ 'anything-but': ['error'] }] }, sqsFilterView(plain))).toBe(true);
  });

  it('drops a plain body when the pattern expects JSON, even an absence rule', () => {
    expect(hit({ body: { RequestCode: ['AAAA'] } }, sqsFilterView(plain))).toBe(false);
    expect(hit({ body: { RequestCode: [{ exists: false }] } }, sqsFilterView(plain))).toBe(false);
  });

  it('drops a JSON body when the pattern expects a plain string', () => {
    expect(hit({ body: [{ prefix: '{' }] }, sqsFilterView(json))).toBe(false);
    expect(hit({ body: [{ exists: true }] }, sqsFilterView(json))).toBe(false);
    expect(hit({ body: [{ 'anything-but': 'x' }] }, sqsFilterView(json))).toBe(false);
  });

  it('treats JSON that is not an object as a plain string', () => {
    const view = sqsFilterView(record('[1, 2]'));
    expect(view['body']).toBe('[1, 2]');
    expect(hit({ body: ['[1, 2]'] }, view)).toBe(true);
    expect(hit({ body: ['123'] }, sqsFilterView(record('123')))).toBe(true);
  });

  it('filters on metadata alone whatever the body, when no body pattern is given', () => {
    const p = { attributes: { ApproximateReceiveCount: ['1'] } };
    expect(hit(p, sqsFilterView(json))).toBe(true);
    expect(hit(p, sqsFilterView(plain))).toBe(true);
    expect(hit({ eventSource: ['aws:sqs'] }, sqsFilterView(plain))).toBe(false);
  });

  it('applies the body rule per $or branch and per filter', () => {
    const f = compile({ body: [{ prefix: 'Result' }] }, { body: { RequestCode: ['AAAA'] } });
    expect(matches(f, sqsFilterView(plain))).toBe(true);
    expect(matches(f, sqsFilterView(json))).toBe(true);
    expect(hit({ $or: [{ body: [{ prefix: 'x' }] }, { body: { RequestCode: ['AAAA'] } }] }, sqsFilterView(json))).toBe(true);
  });
});

describe('kinesisFilterView', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const record = (data: string) => ({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: '1',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      data: b64(data),
      approximateArrivalTimestamp: 1545084650.987,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
    awsRegion: 'us-east-2',
    eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
  });
  const json = record('{"record": 12345, "order": {"type": "buy", "stock": "ANYCO", "quantity": 1000}}');
  const plain = record('Hello, this is a test.');

  it('lifts the kinesis fields to the top and decodes JSON data', () => {
    const view = kinesisFilterView(json);
    expect(view['partitionKey']).toBe('1');
    expect(view['data']).toEqual({ record: 12345, order: { type: 'buy', stock: 'ANYCO', quantity: 1000 } });
    expect(view).not.toHaveProperty('kinesis');
    expect(view).not.toHaveProperty('eventID');
    expect(kinesisFilterView(plain)['data']).toBe('Hello, this is a test.');
  });

  it('filters on decoded JSON data and metadata together', () => {
    expect(hit({ data: { order: { type: ['buy'] } } }, kinesisFilterView(json))).toBe(true);
    expect(hit({ data: { order: { type: ['sell'] } } }, kinesisFilterView(json))).toBe(false);
    expect(hit({ partitionKey: ['1'], data: { order: { quantity: [{ numeric: ['>=', 1000] }] } } }, kinesisFilterView(json))).toBe(true);
    expect(hit({ partitionKey: ['2'], data: { order: { type: ['buy'] } } }, kinesisFilterView(json))).toBe(false);
  });

  it('drops non-JSON data when the pattern expects JSON, and filters metadata alone otherwise', () => {
    expect(hit({ data: { order: { type: ['buy'] } } }, kinesisFilterView(plain))).toBe(false);
    expect(hit({ data: { x: [{ exists: false }] } }, kinesisFilterView(plain))).toBe(false);
    expect(hit({ partitionKey: ['1'] }, kinesisFilterView(plain))).toBe(true);
    expect(hit({ partitionKey: ['1'] }, kinesisFilterView(json))).toBe(true);
    expect(hit({ eventName: ['aws:kinesis:record'] }, kinesisFilterView(json))).toBe(false);
  });
});
