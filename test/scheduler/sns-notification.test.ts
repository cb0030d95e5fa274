import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type DeliveryContext,
  type PublishedMessage,
  confirmationJson,
  lambdaEvent,
  messageFor,
  notificationJson,
  unsubscribeConfirmationJson,
} from '../../nodes/scheduler/topics/notification.js';
import { canonicalString, sign, signingPublicKeyPem } from '../../nodes/scheduler/topics/signing.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:MyTopic';
const SUB = `${TOPIC}:c9135db0-26c4-47ec-8998-413945fb5a96`;
const BASE = 'http://127.0.0.1:4566';
// 2012-04-26T20:45:04.751Z, the timestamp of AWS's confirmation example.
const TS = Date.UTC(2012, 3, 26, 20, 45, 4, 751);

function msg(over: Partial<PublishedMessage> = {}): PublishedMessage {
  return { messageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324', topicArn: TOPIC, timestampMs: TS, message: 'Hello world!', attributes: {}, ...over };
}

function ctx(over: Partial<DeliveryContext> = {}): DeliveryContext {
  return { subscriptionArn: SUB, protocol: 'http', baseUrl: BASE, region: 'us-east-1', ...over };
}

function parse(json: string): Record<string, unknown> {
  const v: unknown = JSON.parse(json);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  return v as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new Error(`${key} is not a string`);
  return v;
}

function snsRecord(event: string): Record<string, unknown> {
  const records = parse(event)['Records'];
  if (!Array.isArray(records) || records.length !== 1) throw new Error('expected one record');
  return parse(JSON.stringify(parse(JSON.stringify(records[0]))['Sns']));
}

/** The string to sign, built the way AWS tells subscribers to build it — independent of canonicalString(). */
function awsStringToSign(body: Record<string, unknown>): string {
  const fields =
    body['Type'] === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return fields
    .filter((f) => typeof body[f] === 'string')
    .map((f) => `${f}\n${str(body, f)}\n`)
    .join('');
}

function verifies(body: Record<string, unknown>, urlKey = 'SigningCertURL'): boolean {
  expect(str(body, urlKey)).toBe(`${BASE}/SimpleNotificationService-stratus.pem`);
  const algorithm = str(body, 'SignatureVersion') === '2' ? 'sha256' : 'sha1';
  return verify(algorithm, Buffer.from(awsStringToSign(body), 'utf8'), signingPublicKeyPem(), Buffer.from(str(body, 'Signature'), 'base64'));
}

describe('notificationJson', () => {
  it('has exactly AWS keys, in AWS order, without Subject when none was published', () => {
    const body = parse(notificationJson(msg(), ctx(), '1'));
    expect(Object.keys(body)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
    ]);
    expect(body).toMatchObject({
      Type: 'Notification',
      MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      TopicArn: TOPIC,
      Message: 'Hello world!',
      Timestamp: '2012-04-26T20:45:04.751Z',
      SignatureVersion: '1',
      UnsubscribeURL: `${BASE}/?Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=${encodeURIComponent(SUB)}`,
    });
  });

  it('puts Subject after TopicArn and MessageAttributes last', () => {
    const body = parse(
      notificationJson(
        msg({
          subject: 'My First Message',
          attributes: {
            store: { DataType: 'String', StringValue: 'example_corp' },
            price: { DataType: 'Number', StringValue: '12.5' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2, 255]).toString('base64') },
          },
        }),
        ctx(),
        '1',
      ),
    );
    expect(Object.keys(body)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
      'MessageAttributes',
    ]);
    expect(body['Subject']).toBe('My First Message');
    expect(body['MessageAttributes']).toEqual({
      store: { Type: 'String', Value: 'example_corp' },
      price: { Type: 'Number', Value: '12.5' },
      blob: { Type: 'Binary', Value: 'AAEC/w==' },
    });
  });

  it('is laid out as SNS prints it', () => {
    const text = notificationJson(msg({ attributes: { a: { DataType: 'String', StringValue: 'x"y' } } }), ctx(), '1');
    expect(text.startsWith('{\n  "Type" : "Notification",\n  "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",\n')).toBe(true);
    expect(text.endsWith('",\n  "MessageAttributes" : {\n    "a" : {"Type":"String","Value":"x\\"y"}\n  }\n}')).toBe(true);
  });

  it('signs with SHA1withRSA (version 1) and SHA256withRSA (version 2), verifiable with the served key', () => {
    for (const version of ['1', '2'] as const) {
      for (const subject of [undefined, 'Greetings']) {
        const body = parse(notificationJson(msg({ subject, message: 'line1\nline2 "quoted" ünïcödé' }), ctx(), version));
        expect(body['SignatureVersion']).toBe(version);
        expect(verifies(body)).toBe(true);
        expect(verifies({ ...body, Message: 'tampered' })).toBe(false);
      }
    }
  });

  it('version 1 does not verify as version 2', () => {
    const body = parse(notificationJson(msg(), ctx(), '1'));
    expect(verifies({ ...body, SignatureVersion: '2' })).toBe(false);
  });

  it('delivers the protocol key of a JSON-structured message, else "default", and drops attributes', () => {
    const structured = msg({
      structure: 'json',
      message: JSON.stringify({ default: 'fallback', http: 'for http', lambda: 'for lambda' }),
      attributes: { a: { DataType: 'String', StringValue: 'x' } },
    });
    const http = parse(notificationJson(structured, ctx({ protocol: 'http' }), '1'));
    expect(http['Message']).toBe('for http');
    expect(http).not.toHaveProperty('MessageAttributes');
    expect(verifies(http)).toBe(true);
    expect(parse(notificationJson(structured, ctx({ protocol: 'https' }), '1'))['Message']).toBe('fallback');
    expect(messageFor(structured, 'sqs')).toBe('fallback');
    expect(messageFor(structured, 'lambda')).toBe('for lambda');
    expect(messageFor(msg({ message: '{"http":"not structured"}' }), 'http')).toBe('{"http":"not structured"}');
  });

  it('for a FIFO topic carries SequenceNumber and no signature, like AWS', () => {
    const fifo = msg({ topicArn: `${TOPIC}.fifo`, sequenceNumber: '10000000000000003000', groupId: 'g1', dedupId: 'd1' });
    const body = parse(notificationJson(fifo, ctx({ protocol: 'sqs', subscriptionArn: `${TOPIC}.fifo:abc` }), '1'));
    expect(Object.keys(body)).toEqual(['Type', 'MessageId', 'SequenceNumber', 'TopicArn', 'Message', 'Timestamp', 'UnsubscribeURL']);
    expect(body['SequenceNumber']).toBe('10000000000000003000');
  });
});

describe('lambdaEvent', () => {
  it('has the documented shape: Subject null, MessageAttributes {}, Url casing', () => {
    const event = parse(lambdaEvent(msg(), ctx({ protocol: 'lambda' }), '1'));
    const records = event['Records'];
    if (!Array.isArray(records)) throw new Error('no Records');
    expect(records).toHaveLength(1);
    const record = parse(JSON.stringify(records[0]));
    expect(Object.keys(record)).toEqual(['EventSource', 'EventVersion', 'EventSubscriptionArn', 'Sns']);
    expect(record).toMatchObject({ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: SUB });
    const sns = parse(JSON.stringify(record['Sns']));
    expect(Object.keys(sns)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertUrl',
      'UnsubscribeUrl',
      'MessageAttributes',
    ]);
    expect(sns).toEqual({
      Type: 'Notification',
      MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
      TopicArn: TOPIC,
      Subject: null,
      Message: 'Hello world!',
      Timestamp: '2012-04-26T20:45:04.751Z',
      SignatureVersion: '1',
      Signature: sns['Signature'],
      SigningCertUrl: `${BASE}/SimpleNotificationService-stratus.pem`,
      UnsubscribeUrl: `${BASE}/?Action=Unsubscribe&Version=2010-03-31&SubscriptionArn=${encodeURIComponent(SUB)}`,
      MessageAttributes: {},
    });
    expect(verifies(sns, 'SigningCertUrl')).toBe(true);
  });

  it('carries the subject and attributes when published', () => {
    const event = lambdaEvent(
      msg({ subject: 'TestInvoke', attributes: { Test: { DataType: 'String', StringValue: 'TestString' }, TestBinary: { DataType: 'Binary', BinaryValue: 'VGVzdEJpbmFyeQ==' } } }),
      ctx({ protocol: 'lambda' }),
      '2',
    );
    const s = snsRecord(event);
    expect(s['Subject']).toBe('TestInvoke');
    expect(s['MessageAttributes']).toEqual({ Test: { Type: 'String', Value: 'TestString' }, TestBinary: { Type: 'Binary', Value: 'VGVzdEJpbmFyeQ==' } });
    expect(verifies(s, 'SigningCertUrl')).toBe(true);
  });
});

describe('confirmations', () => {
  const token = '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736';

  it('SubscriptionConfirmation has AWS keys, order, text and URL, and verifies', () => {
    for (const version of ['1', '2'] as const) {
      const body = parse(confirmationJson({ topicArn: TOPIC, token, messageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b', timestampMs: TS, baseUrl: BASE }, version));
      expect(Object.keys(body)).toEqual([
        'Type',
        'MessageId',
        'Token',
        'TopicArn',
        'Message',
        'SubscribeURL',
        'Timestamp',
        'SignatureVersion',
        'Signature',
        'SigningCertURL',
      ]);
      expect(body).toMatchObject({
        Type: 'SubscriptionConfirmation',
        Token: token,
        Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: `${BASE}/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=${encodeURIComponent(TOPIC)}&Token=${token}`,
        Timestamp: '2012-04-26T20:45:04.751Z',
        SignatureVersion: version,
      });
      expect(verifies(body)).toBe(true);
      expect(verifies({ ...body, Token: 'other' })).toBe(false);
    }
  });

  it('UnsubscribeConfirmation names the subscription and verifies', () => {
    const body = parse(
      unsubscribeConfirmationJson({ topicArn: TOPIC, subscriptionArn: SUB, token, messageId: 'm', timestampMs: TS, baseUrl: BASE }, '1'),
    );
    expect(body['Type']).toBe('UnsubscribeConfirmation');
    expect(body['Message']).toBe(
      `You have chosen to deactivate subscription ${SUB}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
    );
    expect(verifies(body)).toBe(true);
  });
});

describe('signing', () => {
  it('builds the canonical string AWS documents', () => {
    expect(
      canonicalString({ Type: 'Notification', Message: 'hi', MessageId: 'id', Timestamp: 't', TopicArn: 'arn', Subject: 's' }),
    ).toBe('Message\nhi\nMessageId\nid\nSubject\ns\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n');
    expect(canonicalString({ Type: 'Notification', Message: 'hi', MessageId: 'id', Timestamp: 't', TopicArn: 'arn' })).toBe(
      'Message\nhi\nMessageId\nid\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n',
    );
    expect(
      canonicalString({ Type: 'SubscriptionConfirmation', Message: 'm', MessageId: 'id', Timestamp: 't', TopicArn: 'arn', SubscribeURL: 'u', Token: 'k' }),
    ).toBe('Message\nm\nMessageId\nid\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\narn\nType\nSubscriptionConfirmation\n');
  });

  it('serves one public key per process, matching every signature', () => {
    const pem = signingPublicKeyPem();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(signingPublicKeyPem()).toBe(pem);
    const fields = { Type: 'Notification', Message: 'x', MessageId: 'i', Timestamp: 't', TopicArn: 'a' } as const;
    const sig = Buffer.from(sign(fields, '2'), 'base64');
    expect(sig).toHaveLength(256); // RSA-2048
    expect(verify('sha256', Buffer.from(canonicalString(fields)), pem, sig)).toBe(true);
  });
});
