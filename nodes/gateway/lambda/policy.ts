// Resource-based policies: the statements AddPermission writes, kept in the function document
// with the qualifier whose policy they belong to (Lambda keeps one policy per version and per
// alias, plus the unqualified function's), and the one evaluation Stratus makes of them: may an
// anonymous caller invoke a function URL whose AuthType is NONE.
import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors.js';
import { type LambdaBackend } from './backend.js';
import { type FunctionDoc, type PolicyStatement } from './model.js';
import { ALIAS_PATTERN } from './names.js';

/** AWS: a function's resource-based policy holds at most 20 KB. */
export const POLICY_LIMIT_BYTES = 20_480;

/** What AddPermission asks for (members as in the Lambda API). */
export interface PermissionRequest {
  StatementId: string;
  Action: string;
  Principal: string;
  SourceArn?: string | undefined;
  SourceAccount?: string | undefined;
  EventSourceToken?: string | undefined;
  PrincipalOrgID?: string | undefined;
  FunctionUrlAuthType?: string | undefined;
  InvokedViaFunctionUrl?: boolean | undefined;
}

export function validation(value: string, member: string, constraint: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** A member checked against the Lambda model's pattern (AWS matches the whole value). */
function pattern(value: string | undefined, member: string, re: RegExp, shown: string): void {
  if (value !== undefined && !re.test(value)) throw validation(value, member, `Member must satisfy regular expression pattern: ${shown}`);
}

function maxLength(value: string | undefined, member: string, max: number): void {
  if (value !== undefined && value.length > max) throw validation(value, member, `Member must have length less than or equal to ${max}`);
}

export const AUTH_TYPES = ['NONE', 'AWS_IAM'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export function checkAuthType(value: string, member: string): AuthType {
  const hit = AUTH_TYPES.find((a) => a === value);
  if (hit === undefined) throw validation(value, member, 'Member must satisfy enum value set: [NONE, AWS_IAM]');
  return hit;
}

/** The constraints of AddPermission's members, with the Lambda model's patterns and limits. */
export function checkPermissionRequest(r: PermissionRequest): void {
  maxLength(r.StatementId, 'statementId', 100);
  pattern(r.StatementId, 'statementId', /^[a-zA-Z0-9-_]+$/, '([a-zA-Z0-9-_]+)');
  pattern(r.Action, 'action', /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/, '(lambda:[*]|lambda:[a-zA-Z]+|[*])');
  pattern(r.Principal, 'principal', /^[^\s]+$/, '[^\\s]+');
  pattern(r.SourceAccount, 'sourceAccount', /^\d{12}$/, '\\d{12}');
  pattern(r.SourceArn, 'sourceArn', /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/, 'arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)');
  maxLength(r.EventSourceToken, 'eventSourceToken', 256);
  pattern(r.EventSourceToken, 'eventSourceToken', /^[a-zA-Z0-9._-]+$/, '[a-zA-Z0-9._\\-]+');
  pattern(r.PrincipalOrgID, 'principalOrgID', /^o-[a-z0-9]{10,32}$/, '^o-[a-z0-9]{10,32}$');
  if (r.FunctionUrlAuthType !== undefined) checkAuthType(r.FunctionUrlAuthType, 'functionUrlAuthType');
}

/** Principal as Lambda writes it: a service, an account (its root), an IAM ARN, or everyone. */
function principalOf(principal: string): unknown {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (/^arn:aws[a-zA-Z-]*:iam::/.test(principal)) return { AWS: principal };
  // Service principals are domain-style names (s3.amazonaws.com, alexa-appkit.amazon.com).
  if (/^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com)$/.test(principal)) return { Service: principal };
  throw new AwsError('InvalidParameterValueException', 'The provided principal was invalid. Please check the principal and try again.');
}

/** The statement AddPermission returns and GetPolicy lists, member order as Lambda writes it. */
export function buildStatement(resource: string, r: PermissionRequest): Record<string, unknown> {
  const statement: Record<string, unknown> = { Sid: r.StatementId, Effect: 'Allow', Principal: principalOf(r.Principal), Action: r.Action, Resource: resource };
  const equals: Record<string, string> = {};
  if (r.SourceAccount !== undefined) equals['AWS:SourceAccount'] = r.SourceAccount;
  if (r.EventSourceToken !== undefined) equals['lambda:EventSourceToken'] = r.EventSourceToken;
  if (r.FunctionUrlAuthType !== undefined) equals['lambda:FunctionUrlAuthType'] = r.FunctionUrlAuthType;
  if (r.PrincipalOrgID !== undefined) equals['aws:PrincipalOrgID'] = r.PrincipalOrgID;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length > 0) condition.StringEquals = equals;
  if (r.InvokedViaFunctionUrl === true) condition.Bool = { 'lambda:InvokedViaFunctionUrl': 'true' };
  if (r.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': r.SourceArn };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

/** '' for the unqualified function ($LATEST shares its policy), else the version or alias. */
export function policyKey(qualifier: string | undefined): string {
  return qualifier === undefined || qualifier === '$LATEST' ? '' : qualifier;
}

/**
 * The policy a qualifier names, which must exist: a published version or an alias. Lambda words
 * the two misses differently, and anything that is neither pattern is "not found" as a version.
 */
export function resolvePolicyQualifier(lambda: LambdaBackend, doc: FunctionDoc, qualifier: string | undefined): string {
  const key = policyKey(qualifier);
  if (key === '') return '';
  const arn = lambda.arn(doc.name, key);
  if (/^[0-9]+$/.test(key) || !ALIAS_PATTERN.test(key)) {
    if (!doc.versions.some((v) => v.version === key)) throw new AwsError('ResourceNotFoundException', `Function not found: ${arn}`);
    return key;
  }
  if (!doc.aliases.some((a) => a.name === key)) throw new AwsError('ResourceNotFoundException', `Cannot find alias arn: ${arn}`);
  return key;
}

/**
 * The RevisionId guarding a qualifier's policy: the function's (or version's, or alias's) own,
 * as GetPolicy reports it; undefined when the qualifier names nothing.
 */
export function revisionOf(doc: FunctionDoc, key: string): string | undefined {
  if (key === '') return doc.latest.revisionId;
  return doc.versions.find((v) => v.version === key)?.revisionId ?? doc.aliases.find((a) => a.name === key)?.revisionId;
}

/** A policy change is a change of the function (or alias): Lambda gives it a new RevisionId. */
export function bumpRevision(doc: FunctionDoc, key: string): void {
  const id = randomUUID();
  if (key === '') {
    doc.latest.revisionId = id;
    return;
  }
  const version = doc.versions.find((v) => v.version === key);
  if (version) version.revisionId = id;
  const alias = doc.aliases.find((a) => a.name === key);
  if (alias) alias.revisionId = id;
}

export function statementsOf(doc: FunctionDoc, key: string): PolicyStatement[] {
  return doc.policy.filter((s) => s.qualifier === key);
}

/** The policy document GetPolicy returns (as a JSON string). */
export function policyDocument(statements: PolicyStatement[]): Record<string, unknown> {
  return { Version: '2012-10-17', Id: 'default', Statement: statements.map((s) => s.statement) };
}

export function checkPolicySize(doc: FunctionDoc, key: string): void {
  const size = Buffer.byteLength(JSON.stringify(policyDocument(statementsOf(doc, key))));
  if (size > POLICY_LIMIT_BYTES) throw new AwsError('PolicyLengthExceededException', `The final policy size (${size}) is bigger than the limit (${POLICY_LIMIT_BYTES}).`);
}

const URL_ACTIONS = new Set(['lambda:InvokeFunctionUrl', 'lambda:*', '*']);

function isEveryone(p: unknown): boolean {
  if (p === '*') return true;
  if (typeof p !== 'object' || p === null) return false;
  const aws = (p as Record<string, unknown>).AWS;
  return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
}

/**
 * Whether a condition block holds for an anonymous function URL request. The context has only
 * lambda:FunctionUrlAuthType (NONE) and lambda:InvokedViaFunctionUrl (true); a condition on any
 * other key (source ARN or account, organization, event token) cannot hold for such a caller.
 */
function conditionHolds(condition: unknown): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  const context: Record<string, string> = { 'lambda:functionurlauthtype': 'NONE', 'lambda:invokedviafunctionurl': 'true' };
  for (const [operator, pairs] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof pairs !== 'object' || pairs === null) return false;
    for (const [key, want] of Object.entries(pairs as Record<string, unknown>)) {
      const have = context[key.toLowerCase()];
      if (have === undefined) return false;
      const wanted = (Array.isArray(want) ? want : [want]).map(String);
      const match = operator === 'Bool' ? wanted.some((w) => w.toLowerCase() === have) : operator === 'StringEquals' && wanted.includes(have);
      if (!match) return false;
    }
  }
  return true;
}

/**
 * AuthType NONE still needs the resource policy to let everyone call lambda:InvokeFunctionUrl on
 * the URL's qualifier (what `add-permission --principal "*" --action lambda:InvokeFunctionUrl
 * --function-url-auth-type NONE` writes). Statements are evaluated as IAM would: an Allow with a
 * matching action and principal whose conditions hold; Lambda writes no Deny statements.
 */
export function allowsPublicUrlInvoke(doc: FunctionDoc, urlQualifier: string): boolean {
  return statementsOf(doc, urlQualifier).some((s) => {
    const st = s.statement;
    const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
    return st.Effect === 'Allow' && actions.some((a) => typeof a === 'string' && URL_ACTIONS.has(a)) && isEveryone(st.Principal) && conditionHolds(st.Condition);
  });
}
