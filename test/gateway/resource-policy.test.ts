import { describe, expect, it } from 'vitest';
import {
  PolicyDocumentError,
  parseResourcePolicy,
  type PolicyPrincipal,
  type PolicyRequest,
} from '../../nodes/gateway/resource-policy.js';

const OWNER = '123456789012';
const OTHER = '210987654321';
const TOPIC = `arn:aws:sns:us-east-1:${OWNER}:orders`;
const OTHER_TOPIC = `arn:aws:sns:us-east-1:${OWNER}:payments`;
const QUEUE = `arn:aws:sqs:us-east-1:${OWNER}:orders-queue`;
const FUNCTION = `arn:aws:lambda:us-east-1:${OWNER}:function:handler`;

const user = (account: string, name = 'alice'): PolicyPrincipal => ({ kind: 'aws', account, arn: `arn:aws:iam::${account}:user/${name}` });
const SNS: PolicyPrincipal = { kind: 'service', service: 'sns.amazonaws.com' };
const ANON: PolicyPrincipal = { kind: 'anonymous' };

function policy(statement: unknown): ReturnType<typeof parseResourcePolicy> {
  return parseResourcePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statement }));
}

function req(principal: PolicyPrincipal, action: string, resource: string, context?: Record<string, string>): PolicyRequest {
  return context ? { principal, action, resource, context } : { principal, action, resource };
}

describe('SNS topic default policy', () => {
  // Shape of the policy SNS attaches to every new topic.
  const doc = {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission',
          'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish',
        ],
        Resource: TOPIC,
        Condition: { StringEquals: { 'AWS:SourceOwner': OWNER } },
      },
    ],
  };
  const p = parseResourcePolicy(JSON.stringify(doc));

  it('allows the owner account, matching action names case-insensitively and condition keys case-insensitively', () => {
    expect(p.evaluate(req(user(OWNER), 'SNS:Publish', TOPIC, { 'aws:SourceOwner': OWNER }))).toBe('allow');
    expect(p.evaluate(req(user(OWNER), 'sns:subscribe', TOPIC, { 'AWS:SOURCEOWNER': OWNER }))).toBe('allow');
  });

  it('does not apply to another owner, a missing key, an unlisted action or another topic', () => {
    expect(p.evaluate(req(user(OTHER), 'SNS:Publish', TOPIC, { 'aws:SourceOwner': OTHER }))).toBe('none');
    expect(p.evaluate(req(user(OWNER), 'SNS:Publish', TOPIC))).toBe('none');
    expect(p.evaluate(req(user(OWNER), 'SNS:TagResource', TOPIC, { 'aws:SourceOwner': OWNER }))).toBe('none');
    expect(p.evaluate(req(user(OWNER), 'SNS:Publish', OTHER_TOPIC, { 'aws:SourceOwner': OWNER }))).toBe('none');
  });
});

describe('SQS queue policy allowing an SNS topic', () => {
  const p = policy({
    Sid: 'topic-to-queue',
    Effect: 'Allow',
    Principal: { Service: 'sns.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: QUEUE,
    Condition: { ArnEquals: { 'aws:SourceArn': TOPIC } },
  });

  it('allows the named topic and nothing else', () => {
    expect(p.evaluate(req(SNS, 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': TOPIC }))).toBe('allow');
    expect(p.evaluate(req(SNS, 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': OTHER_TOPIC }))).toBe('none');
    expect(p.evaluate(req(SNS, 'sqs:SendMessage', QUEUE))).toBe('none');
    expect(p.evaluate(req(SNS, 'sqs:ReceiveMessage', QUEUE, { 'aws:SourceArn': TOPIC }))).toBe('none');
    expect(p.evaluate(req(user(OWNER), 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': TOPIC }))).toBe('none');
    expect(p.evaluate(req({ kind: 'service', service: 'events.amazonaws.com' }, 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': TOPIC }))).toBe('none');
  });

  it('accepts the console-style {"AWS":"*"} principal for the service', () => {
    const classic = policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'SQS:SendMessage', Resource: QUEUE, Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${OWNER}:*` } } });
    expect(classic.evaluate(req(SNS, 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': TOPIC }))).toBe('allow');
    expect(classic.evaluate(req(SNS, 'sqs:SendMessage', QUEUE, { 'aws:SourceArn': `arn:aws:sns:us-east-1:${OTHER}:orders` }))).toBe('none');
  });
});

describe('Lambda resource policy (AddPermission for SNS)', () => {
  const p = policy([
    {
      Sid: 'sns-invoke',
      Effect: 'Allow',
      Principal: { Service: ['sns.amazonaws.com'] },
      Action: 'lambda:InvokeFunction',
      Resource: FUNCTION,
      Condition: { ArnLike: { 'AWS:SourceArn': TOPIC }, StringEquals: { 'AWS:SourceAccount': OWNER } },
    },
  ]);

  it('needs every operator to hold', () => {
    expect(p.evaluate(req(SNS, 'lambda:InvokeFunction', FUNCTION, { 'aws:SourceArn': TOPIC, 'aws:SourceAccount': OWNER }))).toBe('allow');
    expect(p.evaluate(req(SNS, 'lambda:InvokeFunction', FUNCTION, { 'aws:SourceArn': TOPIC, 'aws:SourceAccount': OTHER }))).toBe('none');
    expect(p.evaluate(req(SNS, 'lambda:InvokeFunction', FUNCTION, { 'aws:SourceArn': TOPIC }))).toBe('none');
    expect(p.evaluate(req(SNS, 'lambda:InvokeFunction', `${FUNCTION}:prod`, { 'aws:SourceArn': TOPIC, 'aws:SourceAccount': OWNER }))).toBe('none');
  });
});

describe('Effect precedence', () => {
  const allow = { Effect: 'Allow', Principal: '*', Action: 'sns:*', Resource: TOPIC };
  const deny = { Effect: 'Deny', Principal: { AWS: OTHER }, Action: 'SNS:Publish', Resource: TOPIC };

  it('an explicit Deny wins regardless of statement order', () => {
    for (const p of [policy([allow, deny]), policy([deny, allow])]) {
      expect(p.evaluate(req(user(OTHER), 'SNS:Publish', TOPIC))).toBe('deny');
      expect(p.evaluate(req(user(OTHER), 'SNS:Subscribe', TOPIC))).toBe('allow');
      expect(p.evaluate(req(user(OWNER), 'SNS:Publish', TOPIC))).toBe('allow');
    }
  });

  it('a Deny whose condition fails does not deny', () => {
    const p = policy([allow, { ...deny, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]);
    expect(p.evaluate(req(user(OTHER), 'SNS:Publish', TOPIC, { 'aws:SecureTransport': 'true' }))).toBe('allow');
    expect(p.evaluate(req(user(OTHER), 'SNS:Publish', TOPIC, { 'aws:SecureTransport': 'false' }))).toBe('deny');
  });
});

describe('Action and Resource wildcards', () => {
  it('matches * and ? in actions, case-insensitively', () => {
    const p = policy({ Effect: 'Allow', Principal: '*', Action: ['SQS:Send*', 'sqs:?eleteMessage'], Resource: '*' });
    expect(p.evaluate(req(ANON, 'sqs:SendMessage', QUEUE))).toBe('allow');
    expect(p.evaluate(req(ANON, 'sqs:sendmessagebatch', QUEUE))).toBe('allow');
    expect(p.evaluate(req(ANON, 'sqs:DeleteMessage', QUEUE))).toBe('allow');
    expect(p.evaluate(req(ANON, 'sqs:DeleteMessageBatch', QUEUE))).toBe('none');
    expect(p.evaluate(req(ANON, 'sqs:ReceiveMessage', QUEUE))).toBe('none');
    expect(p.evaluate(req(ANON, 'sns:SendMessage', QUEUE))).toBe('none');
  });

  it('"*" as an action matches every service', () => {
    const p = policy({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' });
    expect(p.evaluate(req(ANON, 'lambda:InvokeFunction', FUNCTION))).toBe('allow');
  });

  it('matches resource ARNs case-sensitively with wildcards inside segments', () => {
    const p = policy({ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: `arn:aws:sns:us-*-1:${OWNER}:ord?rs*` });
    expect(p.evaluate(req(ANON, 'sns:Publish', TOPIC))).toBe('allow');
    expect(p.evaluate(req(ANON, 'sns:Publish', `arn:aws:sns:us-west-1:${OWNER}:orders-eu`))).toBe('allow');
    expect(p.evaluate(req(ANON, 'sns:Publish', `arn:aws:sns:us-east-1:${OWNER}:Orders`))).toBe('none');
    expect(p.evaluate(req(ANON, 'sns:Publish', `arn:aws:sns:eu-west-1:${OWNER}:orders`))).toBe('none');
    // A mid-segment * must not swallow the colon into the next segment.
    expect(p.evaluate(req(ANON, 'sns:Publish', `arn:aws:sns:us-x:y-1:${OWNER}:orders`))).toBe('none');
  });

  it('treats a trailing * as spanning the rest of the ARN and absent Resource as this resource', () => {
    const trailing = policy({ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: 'arn:aws:sns:*' });
    expect(trailing.evaluate(req(ANON, 'sns:Publish', TOPIC))).toBe('allow');
    expect(trailing.evaluate(req(ANON, 'sns:Publish', QUEUE))).toBe('none');
    const noResource = policy({ Effect: 'Allow', Principal: '*', Action: 'sns:Publish' });
    expect(noResource.evaluate(req(ANON, 'sns:Publish', TOPIC))).toBe('allow');
  });
});

describe('Principal forms', () => {
  const evalWith = (principal: unknown, who: PolicyPrincipal) =>
    policy({ Effect: 'Allow', Principal: principal, Action: 'sns:Publish', Resource: TOPIC }).evaluate(req(who, 'sns:Publish', TOPIC));

  it('an account id or root ARN covers every identity of that account only', () => {
    for (const form of [OWNER, `arn:aws:iam::${OWNER}:root`]) {
      expect(evalWith({ AWS: form }, user(OWNER, 'bob'))).toBe('allow');
      expect(evalWith({ AWS: [form] }, { kind: 'aws', account: OWNER, arn: `arn:aws:iam::${OWNER}:root` })).toBe('allow');
      expect(evalWith({ AWS: form }, user(OTHER))).toBe('none');
      expect(evalWith({ AWS: form }, SNS)).toBe('none');
    }
  });

  it('a user ARN matches only that user; a role ARN matches its sessions', () => {
    expect(evalWith({ AWS: `arn:aws:iam::${OWNER}:user/alice` }, user(OWNER, 'alice'))).toBe('allow');
    expect(evalWith({ AWS: `arn:aws:iam::${OWNER}:user/alice` }, user(OWNER, 'bob'))).toBe('none');
    const session: PolicyPrincipal = { kind: 'aws', account: OWNER, arn: `arn:aws:sts::${OWNER}:assumed-role/deployer/ci-42` };
    expect(evalWith({ AWS: `arn:aws:iam::${OWNER}:role/team/deployer` }, session)).toBe('allow');
    expect(evalWith({ AWS: `arn:aws:iam::${OWNER}:role/other` }, session)).toBe('none');
  });

  it('anonymous callers match only the wildcard principals', () => {
    expect(evalWith('*', ANON)).toBe('allow');
    expect(evalWith({ AWS: '*' }, ANON)).toBe('allow');
    expect(evalWith({ AWS: OWNER }, ANON)).toBe('none');
    expect(evalWith({ Service: 'sns.amazonaws.com' }, ANON)).toBe('none');
  });

  it('service principals compare by name', () => {
    expect(evalWith({ Service: ['events.amazonaws.com', 'sns.amazonaws.com'] }, SNS)).toBe('allow');
    expect(evalWith({ Service: 'events.amazonaws.com' }, SNS)).toBe('none');
  });
});

describe('NotPrincipal, NotAction, NotResource', () => {
  it('NotPrincipal with Deny denies everyone except the listed principals', () => {
    const p = policy([
      { Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC },
      { Effect: 'Deny', NotPrincipal: { AWS: OWNER }, Action: 'sns:Publish', Resource: TOPIC },
    ]);
    expect(p.evaluate(req(user(OWNER), 'sns:Publish', TOPIC))).toBe('allow');
    expect(p.evaluate(req(user(OTHER), 'sns:Publish', TOPIC))).toBe('deny');
    expect(p.evaluate(req(ANON, 'sns:Publish', TOPIC))).toBe('deny');
    expect(p.evaluate(req(SNS, 'sns:Publish', TOPIC))).toBe('deny');
  });

  it('NotAction allows everything but the listed actions; NotResource everything but the listed ARNs', () => {
    const p = policy({ Effect: 'Allow', Principal: { AWS: OTHER }, NotAction: ['sns:DeleteTopic', 'sns:*Permission'], NotResource: OTHER_TOPIC });
    expect(p.evaluate(req(user(OTHER), 'sns:Publish', TOPIC))).toBe('allow');
    expect(p.evaluate(req(user(OTHER), 'SNS:DeleteTopic', TOPIC))).toBe('none');
    expect(p.evaluate(req(user(OTHER), 'sns:AddPermission', TOPIC))).toBe('none');
    expect(p.evaluate(req(user(OTHER), 'sns:Publish', OTHER_TOPIC))).toBe('none');
  });
});

describe('Condition semantics', () => {
  const withCondition = (condition: unknown) =>
    policy({ Effect: 'Allow', Principal: '*', Action: 'sns:Subscribe', Resource: TOPIC, Condition: condition });
  const check = (condition: unknown, context?: Record<string, string>) =>
    withCondition(condition).evaluate(req(ANON, 'sns:Subscribe', TOPIC, context));

  it('IfExists passes on a missing key but still checks a present one', () => {
    const c = { StringEqualsIfExists: { 'sns:Protocol': ['sqs', 'lambda'] } };
    expect(check(c)).toBe('allow');
    expect(check(c, { 'sns:Protocol': 'lambda' })).toBe('allow');
    expect(check(c, { 'sns:Protocol': 'email' })).toBe('none');
  });

  it('Null tests presence: "true" means absent, "false" means present', () => {
    expect(check({ Null: { 'aws:SourceArn': 'true' } })).toBe('allow');
    expect(check({ Null: { 'aws:SourceArn': 'true' } }, { 'aws:SourceArn': TOPIC })).toBe('none');
    expect(check({ Null: { 'aws:SourceArn': false } }, { 'aws:SourceArn': TOPIC })).toBe('allow');
    expect(check({ Null: { 'aws:SourceArn': false } })).toBe('none');
  });

  it('a missing key fails positive operators and satisfies negated ones', () => {
    expect(check({ StringLike: { 'sns:Endpoint': '*' } })).toBe('none');
    expect(check({ StringNotLike: { 'sns:Endpoint': '*@example.com' } })).toBe('allow');
    expect(check({ ArnNotEquals: { 'aws:SourceArn': TOPIC } })).toBe('allow');
  });

  it('values of one key are ORed, negated operators need every value to miss', () => {
    const c = { StringNotEquals: { 'sns:Protocol': ['http', 'https'] } };
    expect(check(c, { 'sns:Protocol': 'sqs' })).toBe('allow');
    expect(check(c, { 'sns:Protocol': 'https' })).toBe('none');
    expect(check({ StringLike: { 'sns:Endpoint': ['*@example.com', 'https://hooks.example.com/*'] } }, { 'sns:Endpoint': 'https://hooks.example.com/a' })).toBe('allow');
  });

  it('keys within an operator are ANDed', () => {
    const c = { StringEquals: { 'sns:Protocol': 'email', 'aws:SourceAccount': OWNER } };
    expect(check(c, { 'sns:Protocol': 'email', 'aws:SourceAccount': OWNER })).toBe('allow');
    expect(check(c, { 'sns:Protocol': 'email', 'aws:SourceAccount': OTHER })).toBe('none');
  });

  it('string, case-insensitive, numeric, bool, date and IP operators', () => {
    expect(check({ StringEqualsIgnoreCase: { 'sns:Protocol': 'SQS' } }, { 'sns:Protocol': 'sqs' })).toBe('allow');
    expect(check({ StringEquals: { 'sns:Protocol': 'SQS' } }, { 'sns:Protocol': 'sqs' })).toBe('none');
    expect(check({ StringNotEqualsIgnoreCase: { 'sns:Protocol': 'SQS' } }, { 'sns:Protocol': 'sqs' })).toBe('none');
    expect(check({ NumericLessThanEquals: { 'app:Size': 10 } }, { 'app:Size': '10' })).toBe('allow');
    expect(check({ NumericLessThan: { 'app:Size': 10 } }, { 'app:Size': '10' })).toBe('none');
    expect(check({ NumericGreaterThan: { 'app:Size': '1' } }, { 'app:Size': 'ten' })).toBe('none');
    expect(check({ NumericNotEquals: { 'app:Size': '3' } }, { 'app:Size': '4' })).toBe('allow');
    expect(check({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'true' })).toBe('allow');
    expect(check({ Bool: { 'aws:SecureTransport': true } })).toBe('none');
    expect(check({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2029-06-01T00:00:00Z' })).toBe('allow');
    expect(check({ DateGreaterThan: { 'aws:EpochTime': '1700000000' } }, { 'aws:EpochTime': '1600000000' })).toBe('none');
    expect(check({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, { 'aws:SourceIp': '10.1.2.3' })).toBe('allow');
    expect(check({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, { 'aws:SourceIp': '2001:db8::1' })).toBe('allow');
    expect(check({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '10.1.2.3' })).toBe('none');
    expect(check({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '192.0.2.1' })).toBe('allow');
  });

  it('ArnLike matches each ARN component separately', () => {
    const c = { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${OWNER}:ord*` } };
    expect(check(c, { 'aws:SourceArn': TOPIC })).toBe('allow');
    expect(check(c, { 'aws:SourceArn': `arn:aws:sns:us-east-1:${OTHER}:orders` })).toBe('none');
    expect(check(c, { 'aws:SourceArn': 'not-an-arn' })).toBe('none');
  });

  it('set qualifiers: ForAllValues holds on a missing key, ForAnyValue does not', () => {
    expect(check({ 'ForAllValues:StringEquals': { 'sns:Protocol': 'sqs' } })).toBe('allow');
    expect(check({ 'ForAnyValue:StringEquals': { 'sns:Protocol': 'sqs' } })).toBe('none');
    expect(check({ 'ForAnyValue:StringEquals': { 'sns:Protocol': 'sqs' } }, { 'sns:Protocol': 'sqs' })).toBe('allow');
    expect(check({ 'ForAllValues:StringNotLike': { 'sns:Protocol': 'http*' } }, { 'sns:Protocol': 'https' })).toBe('none');
  });
});

describe('validation', () => {
  const base = { Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC };
  const cases: Array<[string, string, RegExp]> = [
    ['non-JSON', '{"Statement": [', /not valid JSON/],
    ['non-object', '[]', /must be a JSON object/],
    ['missing Statement', JSON.stringify({ Version: '2012-10-17' }), /no Statement/],
    ['empty Statement', JSON.stringify({ Statement: [] }), /at least one statement/],
    ['bad Version', JSON.stringify({ Version: '2020-01-01', Statement: base }), /Version/],
    ['unknown top-level key', JSON.stringify({ Statment: [base] }), /unknown top-level element 'Statment'/],
    ['bad Effect', JSON.stringify({ Statement: { ...base, Effect: 'allow' } }), /Effect must be "Allow" or "Deny"/],
    ['missing Action', JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Resource: TOPIC } }), /must have Action or NotAction/],
    ['missing Principal', JSON.stringify({ Statement: { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC } }), /must have Principal or NotPrincipal/],
    ['Action and NotAction', JSON.stringify({ Statement: { ...base, NotAction: 'sns:Subscribe' } }), /both Action and NotAction/],
    ['malformed action', JSON.stringify({ Statement: { ...base, Action: 'Publish' } }), /service:Action/],
    ['empty action list', JSON.stringify({ Statement: { ...base, Action: [] } }), /Action must be a non-empty/],
    ['malformed resource', JSON.stringify({ Statement: { ...base, Resource: 'orders' } }), /must be an ARN/],
    ['partial principal wildcard', JSON.stringify({ Statement: { ...base, Principal: { AWS: `arn:aws:iam::${OWNER}:user/*` } } }), /wildcard/],
    ['unknown principal type', JSON.stringify({ Statement: { ...base, Principal: { Group: 'x' } } }), /unknown principal type 'Group'/],
    ['garbage AWS principal', JSON.stringify({ Statement: { ...base, Principal: { AWS: 'alice' } } }), /not an account id/],
    ['unknown operator', JSON.stringify({ Statement: { ...base, Condition: { StringEqualz: { 'aws:SourceArn': TOPIC } } } }), /unknown condition operator 'StringEqualz'/],
    ['NullIfExists', JSON.stringify({ Statement: { ...base, Condition: { NullIfExists: { 'aws:SourceArn': 'true' } } } }), /Null takes no IfExists/],
    ['bad Null value', JSON.stringify({ Statement: { ...base, Condition: { Null: { 'aws:SourceArn': 'maybe' } } } }), /"true" or "false"/],
    ['object condition value', JSON.stringify({ Statement: { ...base, Condition: { StringEquals: { 'aws:SourceArn': { a: 1 } } } } }), /strings, numbers or booleans/],
    ['bad CIDR', JSON.stringify({ Statement: { ...base, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } } }), /CIDR/],
    ['unknown statement element', JSON.stringify({ Statement: { ...base, Actions: 'sns:Publish' } }), /unknown element 'Actions'/],
    ['duplicate Sid', JSON.stringify({ Statement: [{ ...base, Sid: 'a' }, { ...base, Sid: 'a' }] }), /duplicate Sid 'a'/],
  ];

  it.each(cases)('rejects %s', (_name, json, reason) => {
    let caught: unknown;
    try {
      parseResourcePolicy(json);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyDocumentError);
    expect((caught as Error).message).toMatch(reason);
  });

  it('accepts a single statement object without Version', () => {
    const p = parseResourcePolicy(JSON.stringify({ Statement: base }));
    expect(p.evaluate(req(ANON, 'sns:Publish', TOPIC))).toBe('allow');
  });
});
