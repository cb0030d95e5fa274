// The account's API Gateway settings (GetAccount, UpdateAccount): the CloudWatch role is kept in
// the `apimisc` document `account`; the throttle is the gateway's configured account limit.
import { type ApigwBackend } from '../backend.js';
import { type PatchRules, stringRule } from './patch.js';

export interface AccountDoc {
  cloudwatchRoleArn?: string;
}

export const ACCOUNT_DOC = 'account';

export function asAccountDoc(v: unknown): AccountDoc {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('apigw catalog: account document is not an object');
  const o = v as Record<string, unknown>;
  return typeof o.cloudwatchRoleArn === 'string' ? { cloudwatchRoleArn: o.cloudwatchRoleArn } : {};
}

export const ACCOUNT_RULES: PatchRules<AccountDoc> = {
  '/cloudwatchRoleArn': stringRule<AccountDoc>('cloudwatchRoleArn'),
};

export function accountView(backend: ApigwBackend, doc: AccountDoc): Record<string, unknown> {
  return {
    ...(doc.cloudwatchRoleArn !== undefined && doc.cloudwatchRoleArn !== '' ? { cloudwatchRoleArn: doc.cloudwatchRoleArn } : {}),
    throttleSettings: { burstLimit: backend.opts.accountBurstLimit, rateLimit: backend.opts.accountRateLimit },
    features: ['UsagePlans'],
    apiKeyVersion: '4',
  };
}
