// The declarative shapes on small examples: checking decoded input (types, required members,
// ranges, and AWS's codes and wording), decoding Query forms (flattened and `.member.N` lists,
// maps with their key and value names, nesting), and encoding outputs as Query XML.
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../nodes/gateway/errors.js';
import { check, checkAny, fromQuery, t, toJson, toXml } from '../../nodes/gateway/shapes.js';

/** The AwsError a call throws, as code and message. */
function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof AwsError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected an AwsError');
}

const invalid = (message: string): { code: string; message: string } => ({ code: 'InvalidParameterValue', message });

describe('check and checkAny', () => {
  it('checks strings: type, length bounds and enums', () => {
    const s = t.string({ min: 2, max: 4, enum: ['ab', 'abc', 'abcd', 'abcde'] });
    expect(check(s, 'abc', 'Name')).toBe('abc');
    expect(thrown(() => check(s, 42, 'Name'))).toEqual(invalid('Value 42 for parameter Name is invalid. Reason: Must be a string.'));
    expect(thrown(() => check(s, 'a', 'Name'))).toEqual(invalid('Value a for parameter Name is invalid. Reason: Must be at least 2 characters long.'));
    expect(thrown(() => check(s, 'abcde', 'Name'))).toEqual(invalid('Value abcde for parameter Name is invalid. Reason: Must be at most 4 characters long.'));
    expect(thrown(() => check(t.string({ enum: ['x', 'y'] }), 'z', 'E'))).toEqual(invalid('Value z for parameter E is invalid. Reason: Must be one of: x, y.'));
    // Long values are shortened in the message.
    expect(thrown(() => check(t.string({ max: 1 }), 'x'.repeat(100), 'L')).message).toMatch(/^Value x{61}\.\.\. for parameter L/);
  });

  it('checks integers from JSON numbers and Query strings, with ranges', () => {
    const n = t.integer({ min: 1, max: 10 });
    expect(check(n, 5, 'N')).toBe(5);
    expect(check(n, '7', 'N')).toBe(7);
    expect(check(t.integer(), '-3', 'N')).toBe(-3);
    for (const bad of ['ten', 2.5, '2.5', '', '1e3', true, null, [], {}, 2 ** 60]) {
      expect(thrown(() => check(n, bad, 'N')).code, JSON.stringify(bad)).toBe('InvalidParameterValue');
    }
    expect(thrown(() => check(n, 'ten', 'N'))).toEqual(invalid('Value ten for parameter N is invalid. Reason: Must be an integer.'));
    expect(thrown(() => check(n, 11, 'MaxNumberOfMessages'))).toEqual(invalid('Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'));
    expect(thrown(() => check(n, '0', 'N'))).toEqual(invalid('Value 0 for parameter N is invalid. Reason: Must be between 1 and 10, if provided.'));
    expect(thrown(() => check(t.integer({ min: 0 }), -1, 'N')).message).toBe('Value -1 for parameter N is invalid. Reason: Must be between 0 and inf, if provided.');
  });

  it('checks booleans as JSON booleans or the Query words', () => {
    const b = t.boolean();
    expect(check(b, true)).toBe(true);
    expect(check(b, 'false')).toBe(false);
    for (const bad of ['TRUE', 'yes', 1, 0, '']) expect(thrown(() => check(b, bad, 'B')).message).toMatch(/Reason: Must be a boolean\.$/);
  });

  it('decodes blobs from base64 and refuses anything else', () => {
    expect(Array.from(check(t.blob(), 'AQID+/8='))).toEqual([1, 2, 3, 251, 255]);
    expect(check(t.blob(), '')).toEqual(new Uint8Array(0));
    for (const bad of ['AQI', 'AQ=D', 'not base64!', 'AQID\n', 42]) {
      expect(thrown(() => check(t.blob(), bad, 'Bin')).message, String(bad)).toMatch(/^Value [\s\S]* for parameter Bin is invalid\. Reason: Must be base64-encoded binary\.$/);
    }
  });

  it('checks lists and maps element by element, naming the path', () => {
    const list = t.list(t.integer({ max: 5 }));
    expect(check(list, [1, '2'])).toEqual([1, 2]);
    expect(thrown(() => check(list, 'x', 'L')).message).toBe('Value x for parameter L is invalid. Reason: Must be a list.');
    expect(thrown(() => check(list, [1, 9], 'L')).message).toBe('Value 9 for parameter L.2 is invalid. Reason: Must be between -inf and 5, if provided.');
    const map = t.map(t.string());
    expect(check(map, { a: 'x' })).toEqual({ a: 'x' });
    expect(thrown(() => check(map, ['a'], 'M')).message).toBe('Value ["a"] for parameter M is invalid. Reason: Must be a map.');
    expect(thrown(() => check(map, { a: 1 }, 'Attributes')).message).toBe('Value 1 for parameter Attributes.a is invalid. Reason: Must be a string.');
  });

  it('keeps map keys that are Object.prototype names as own keys', () => {
    const out = check(t.map(t.string()), JSON.parse('{"__proto__":"p","constructor":"c"}'));
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('p');
  });

  it('checks structures: required members, absent and null members, unknown members', () => {
    const s = t.struct({
      QueueUrl: t.string({ required: true }),
      Max: t.integer({ min: 1, max: 10 }),
      Entries: t.list(t.struct({ Id: t.string({ required: true }), Delay: t.integer() })),
    });
    expect(check(s, { QueueUrl: 'u', Extra: 'ignored', Max: null })).toEqual({ QueueUrl: 'u' });
    expect(check(s, { QueueUrl: 'u', Entries: [{ Id: 'a', Delay: '3' }] })).toEqual({ QueueUrl: 'u', Entries: [{ Id: 'a', Delay: 3 }] });
    expect(thrown(() => check(s, {}))).toEqual({ code: 'MissingParameter', message: 'The request must contain the parameter QueueUrl.' });
    expect(thrown(() => check(s, { QueueUrl: null }))).toEqual({ code: 'MissingParameter', message: 'The request must contain the parameter QueueUrl.' });
    expect(thrown(() => check(s, { QueueUrl: 'u', Entries: [{ Id: 'a' }, { Delay: 1 }] }))).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter Entries.2.Id.',
    });
    expect(thrown(() => check(s, [])).message).toBe('Value [] for parameter request is invalid. Reason: Must be a structure.');
    expect(thrown(() => check(s, null)).message).toBe('Value null for parameter request is invalid. Reason: Must be a structure.');
    expect(thrown(() => check(s, { QueueUrl: 'u', Entries: ['x'] })).message).toBe('Value x for parameter Entries.1 is invalid. Reason: Must be a structure.');
  });

  it('checkAny is check without the static type', () => {
    const s = t.struct({ N: t.integer() });
    expect(checkAny(s, { N: '4' })).toEqual({ N: 4 });
  });
});

describe('fromQuery', () => {
  const form = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
  const attrs = t.map(t.string(), { queryName: 'Attribute' });
  const tags = t.map(t.string(), { queryName: 'Tag', keyName: 'Key', valueName: 'Value' });
  const mav = t.struct({ StringValue: t.string(), BinaryValue: t.blob(), StringListValues: t.list(t.string(), { queryName: 'StringListValue' }), DataType: t.string({ required: true }) });

  it('reads scalars by member name or queryName and leaves them as strings', () => {
    const s = t.struct({ QueueUrl: t.string(), Max: t.integer(), Flag: t.boolean(), Renamed: t.string({ queryName: 'Other' }) });
    expect(fromQuery(s, form({ QueueUrl: 'u', Max: '3', Flag: 'true', Other: 'o', Renamed: 'ignored', Action: 'X' }))).toEqual({ QueueUrl: 'u', Max: '3', Flag: 'true', Renamed: 'o' });
    expect(fromQuery(s, form({}))).toEqual({});
  });

  it('reads flattened lists, `.member.N` lists, and stops at the first gap', () => {
    const s = t.struct({ AttributeNames: t.list(t.string(), { queryName: 'AttributeName' }) });
    expect(fromQuery(s, form({ 'AttributeName.1': 'All', 'AttributeName.2': 'QueueArn' }))).toEqual({ AttributeNames: ['All', 'QueueArn'] });
    expect(fromQuery(s, form({ 'AttributeName.member.1': 'a', 'AttributeName.member.2': 'b' }))).toEqual({ AttributeNames: ['a', 'b'] });
    expect(fromQuery(s, form({ 'AttributeName.1': 'a', 'AttributeName.3': 'c' }))).toEqual({ AttributeNames: ['a'] });
    // Indices are matched whole: `.10` is not under `.1`.
    expect(fromQuery(s, form({ 'AttributeName.10': 'x' }))).toEqual({});
    const many = form(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`AttributeName.${i + 1}`, `n${i + 1}`])));
    expect(fromQuery(s, many).AttributeNames).toHaveLength(12);
    // botocore's empty list: the bare member name with no value.
    expect(fromQuery(t.struct({ AttributeNames: t.list(t.string(), { queryName: 'AttributeName' }) }), form({ AttributeNames: '' }))).toEqual({});
  });

  it('reads flattened maps with their key and value names', () => {
    const s = t.struct({ Attributes: attrs, tags: tags });
    expect(
      fromQuery(s, form({ 'Attribute.1.Name': 'DelaySeconds', 'Attribute.1.Value': '1', 'Attribute.2.Name': 'VisibilityTimeout', 'Attribute.2.Value': '40', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' })),
    ).toEqual({ Attributes: { DelaySeconds: '1', VisibilityTimeout: '40' }, tags: { k: 'v' } });
    expect(thrown(() => fromQuery(s, form({ 'Attribute.1.Value': '1' })))).toEqual({ code: 'MissingParameter', message: 'The request must contain the parameter Attribute.1.Name.' });
    const proto = fromQuery(s, form({ 'Tag.1.Key': '__proto__', 'Tag.1.Value': 'p' }));
    expect(Object.keys(proto.tags as object)).toEqual(['__proto__']);
  });

  it('reads nested structures: batch entries with message attributes', () => {
    const s = t.struct({
      QueueUrl: t.string(),
      Entries: t.list(t.struct({ Id: t.string(), MessageBody: t.string(), MessageAttributes: t.map(mav, { queryName: 'MessageAttribute' }) }), { queryName: 'SendMessageBatchRequestEntry' }),
    });
    const decoded = fromQuery(
      s,
      form({
        QueueUrl: 'u',
        'SendMessageBatchRequestEntry.1.Id': 'a',
        'SendMessageBatchRequestEntry.1.MessageBody': 'b',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 's',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'x',
        'SendMessageBatchRequestEntry.1.MessageAttribute.2.Name': 'bin',
        'SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.DataType': 'Binary',
        'SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.BinaryValue': 'AQI=',
        'SendMessageBatchRequestEntry.2.Id': 'c',
        'SendMessageBatchRequestEntry.2.MessageBody': 'd',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Name': 'l',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType': 'String',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringListValue.1': 'p',
        'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringListValue.2': 'q',
      }),
    );
    expect(decoded).toEqual({
      QueueUrl: 'u',
      Entries: [
        { Id: 'a', MessageBody: 'b', MessageAttributes: { s: { DataType: 'String', StringValue: 'x' }, bin: { DataType: 'Binary', BinaryValue: 'AQI=' } } },
        { Id: 'c', MessageBody: 'd', MessageAttributes: { l: { DataType: 'String', StringListValues: ['p', 'q'] } } },
      ],
    });
    // Then checked like JSON: the blob decoded, required members enforced.
    const checked = checkAny(s, decoded) as { Entries: { MessageAttributes: Record<string, { BinaryValue?: Uint8Array }> }[] };
    expect(Array.from(checked.Entries[0]!.MessageAttributes.bin!.BinaryValue!)).toEqual([1, 2]);
    // A map entry with a name but no value: the value struct is absent, so the entry is dropped.
    const noValue = fromQuery(t.struct({ MessageAttributes: t.map(mav, { queryName: 'MessageAttribute' }) }), form({ 'MessageAttribute.1.Name': 'x' }));
    expect(noValue).toEqual({ MessageAttributes: {} });
  });

  it('decodes a large form in linear time', () => {
    const s = t.struct({ AttributeNames: t.list(t.string(), { queryName: 'AttributeName' }) });
    const big = new Map(Array.from({ length: 100_000 }, (_, i) => [`AttributeName.${i + 1}`, 'All'] as const));
    const started = Date.now();
    expect(fromQuery(s, big).AttributeNames).toHaveLength(100_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    // A key that is nothing but dots is not expanded into a million prefixes.
    const dots = new Map([['.'.repeat(1_000_000), 'x'], ['AttributeName.1', 'a']]);
    expect(fromQuery(s, dots)).toEqual({ AttributeNames: ['a'] });
  });
});

describe('toXml and toJson', () => {
  const out = t.struct({
    QueueUrl: t.string(),
    Count: t.integer(),
    Ok: t.boolean(),
    Urls: t.list(t.string(), { queryName: 'QueueUrl' }),
    Attributes: t.map(t.string(), { queryName: 'Attribute' }),
    Tags: t.map(t.string(), { queryName: 'Tag', keyName: 'Key', valueName: 'Value' }),
    Data: t.blob(),
    Messages: t.list(t.struct({ Body: t.string(), MessageAttributes: t.map(t.struct({ StringValue: t.string(), BinaryValue: t.blob(), DataType: t.string() }), { queryName: 'MessageAttribute' }) }), { queryName: 'Message' }),
  });

  it('encodes scalars in member order, escaping text, skipping absent members', () => {
    expect(toXml(out, { QueueUrl: 'http://h/0/q?a=1&b=<2>', Count: 3, Ok: false, Data: undefined })).toBe('<QueueUrl>http://h/0/q?a=1&amp;b=&lt;2&gt;</QueueUrl><Count>3</Count><Ok>false</Ok>');
    expect(toXml(out, { QueueUrl: `"q" 'x'\r\n` })).toBe('<QueueUrl>&quot;q&quot; &apos;x&apos;&#xD;\n</QueueUrl>');
    expect(toXml(out, {})).toBe('');
  });

  it('flattens lists and maps, and encodes blobs as base64', () => {
    expect(toXml(out, { Urls: ['a', 'b'] })).toBe('<QueueUrl>a</QueueUrl><QueueUrl>b</QueueUrl>');
    expect(toXml(out, { Urls: [] })).toBe('');
    expect(toXml(out, { Attributes: { A: '1', B: '<2>' } })).toBe('<Attribute><Name>A</Name><Value>1</Value></Attribute><Attribute><Name>B</Name><Value>&lt;2&gt;</Value></Attribute>');
    expect(toXml(out, { Tags: { 'k&': 'v' } })).toBe('<Tag><Key>k&amp;</Key><Value>v</Value></Tag>');
    expect(toXml(out, { Data: Uint8Array.of(1, 2, 255) })).toBe('<Data>AQL/</Data>');
  });

  it('nests structures inside flattened lists and maps', () => {
    const xml = toXml(out, {
      Messages: [
        { Body: 'x', MessageAttributes: { s: { StringValue: 'v', DataType: 'String' }, b: { BinaryValue: Uint8Array.of(7), DataType: 'Binary' } } },
        { Body: 'y' },
      ],
    });
    expect(xml).toBe(
      '<Message><Body>x</Body>' +
        '<MessageAttribute><Name>s</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
        '<MessageAttribute><Name>b</Name><Value><BinaryValue>Bw==</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>' +
        '</Message><Message><Body>y</Body></Message>',
    );
  });

  it('toJson turns blobs to base64 and drops absent members', () => {
    expect(toJson(out, { Data: Uint8Array.of(1, 2, 255), Count: 0, QueueUrl: undefined, Messages: [{ Body: 'x', MessageAttributes: { b: { BinaryValue: Uint8Array.of(7), DataType: 'Binary' } } }] })).toEqual({
      Data: 'AQL/',
      Count: 0,
      Messages: [{ Body: 'x', MessageAttributes: { b: { BinaryValue: 'Bw==', DataType: 'Binary' } } }],
    });
    const proto = toJson(t.map(t.string()), JSON.parse('{"__proto__":"p"}')) as Record<string, string>;
    expect(JSON.stringify(proto)).toBe('{"__proto__":"p"}');
  });
});
