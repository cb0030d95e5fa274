// Step Functions ARNs: building them from catalog names and taking apart the ones requests carry.
//   state machine  arn:aws:states:<region>:<account>:stateMachine:<name>
//   version        …:stateMachine:<name>:<n>          alias  …:stateMachine:<name>:<alias>
//   Map run label  …:stateMachine:<name>/<label>       (refused where AWS refuses it)
//   execution      arn:aws:states:<region>:<account>:execution:<machine>:<execName>  (Express: `express:`)
//   activity       arn:aws:states:<region>:<account>:activity:<name>
import { AwsError } from '../errors.js';

export interface Scope {
  region: string;
  account: string;
}

export type SfnArn =
  | ({ kind: 'stateMachine'; name: string; version?: number; alias?: string; label?: string } & Scope)
  | ({ kind: 'activity'; name: string } & Scope)
  | ({ kind: 'execution'; express: boolean; machine: string; execution: string; qualifier?: string } & Scope);

export type SfnArnKind = SfnArn['kind'];

const ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):(stateMachine|activity|execution|express):(.+)$/;
/** A version qualifier: digits only (alias names must hold a non-digit). */
const VERSION = /^[1-9]\d{0,9}$/;

export function stateMachineArn(s: Scope, name: string): string {
  return `arn:aws:states:${s.region}:${s.account}:stateMachine:${name}`;
}

export function versionArn(s: Scope, name: string, version: number): string {
  return `${stateMachineArn(s, name)}:${version}`;
}

export function aliasArn(s: Scope, name: string, alias: string): string {
  return `${stateMachineArn(s, name)}:${alias}`;
}

export function activityArn(s: Scope, name: string): string {
  return `arn:aws:states:${s.region}:${s.account}:activity:${name}`;
}

export function executionArn(s: Scope, machine: string, execution: string, express = false): string {
  return `arn:aws:states:${s.region}:${s.account}:${express ? 'express' : 'execution'}:${machine}:${execution}`;
}

/** Any Step Functions ARN, or undefined when the text is not one. */
export function parseSfnArn(arn: string): SfnArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const scope = { region: m[1]!, account: m[2]! };
  const parts = m[4]!.split(':');
  if (parts.some((p) => p === '')) return undefined;
  switch (m[3]) {
    case 'stateMachine': {
      if (parts.length > 2) return undefined;
      const [base, qualifier] = parts as [string, string | undefined];
      const slash = base.indexOf('/');
      const name = slash < 0 ? base : base.slice(0, slash);
      const label = slash < 0 ? undefined : base.slice(slash + 1);
      if (name === '' || label === '' || (label !== undefined && qualifier !== undefined)) return undefined;
      if (label !== undefined) return { kind: 'stateMachine', ...scope, name, label };
      if (qualifier === undefined) return { kind: 'stateMachine', ...scope, name };
      return VERSION.test(qualifier) ? { kind: 'stateMachine', ...scope, name, version: Number(qualifier) } : { kind: 'stateMachine', ...scope, name, alias: qualifier };
    }
    case 'activity':
      return parts.length === 1 ? { kind: 'activity', ...scope, name: parts[0]! } : undefined;
    default: {
      // execution:<machine>:<name>, or with a version or alias between (executions of a qualified ARN).
      if (parts.length < 2 || parts.length > 3) return undefined;
      const express = m[3] === 'express';
      const machine = parts[0]!;
      const execution = parts[parts.length - 1]!;
      return parts.length === 3 ? { kind: 'execution', ...scope, express, machine, execution, qualifier: parts[1]! } : { kind: 'execution', ...scope, express, machine, execution };
    }
  }
}

/** The ARN as the kind an action takes; InvalidArn worded as AWS words it otherwise. */
export function expectArn<K extends SfnArnKind>(arn: string, kind: K): Extract<SfnArn, { kind: K }> {
  const parsed = parseSfnArn(arn);
  if (!parsed) throw new AwsError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  if (parsed.kind !== kind) throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${parsed.kind}'`);
  return parsed as Extract<SfnArn, { kind: K }>;
}

/** An IAM role ARN (AWS checks the form only; whether the role exists is found at run time). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const IAM_ARN = /^arn:aws[a-z-]*:iam::\d{12}:([a-z-]+)/;

export function checkRoleArn(arn: string): void {
  if (ROLE_ARN.test(arn)) return;
  const other = IAM_ARN.exec(arn);
  if (other) throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${other[1]}'`);
  throw new AwsError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
}
