// What every Step Functions action needs: the state machine and activity catalog (read through
// the placement cache, changed by meta proposals), ARNs, and AWS's errors for the catalog's
// refusals. Stateless apart from caches: several gateways serve the same catalog.
import { randomUUID } from 'node:crypto';
import { type CommandPayload } from '../../../storage/partitions/envelope.js';
import { encodeMetaCommand } from '../../../storage/partitions/meta-codec.js';
import {
  type ActivityRecord,
  type AliasRecord,
  type StateMachineRecord,
  type VersionRecord,
  type WorkflowCatalogCommand,
  type WorkflowCatalogResult,
  decodeWorkflowCatalogResult,
  refusalOf,
} from '../../../storage/partitions/meta-workflow-codec.js';
import { type ClusterClient } from '../../cluster/client.js';
import { META_GROUP, type Placement } from '../../cluster/placement.js';
import { Sequencer } from '../../cluster/sequencer.js';
import { AwsError } from '../errors.js';
import { type Scope, type SfnArn, activityArn, aliasArn, expectArn, stateMachineArn, versionArn } from './arns.js';
import { resourceNotFound, tooManyTags, validation } from './checks.js';
import { type Executions } from './executions.js';

export interface SfnLimits {
  /** AWS: 10,000 state machines per account (a soft quota). */
  stateMachineLimit: number;
  /** AWS: 10,000 activities per account. */
  activityLimit: number;
  /** AWS: 1,000 published versions per state machine. */
  versionLimit: number;
  /** AWS: 100 aliases per state machine. */
  aliasLimit: number;
}

export const DEFAULT_SFN_LIMITS: SfnLimits = { stateMachineLimit: 10_000, activityLimit: 10_000, versionLimit: 1_000, aliasLimit: 100 };

export interface SfnOptions extends SfnLimits {
  accountId: string;
  region: string;
  /** Replicas of each state machine's and activity's workflow group; capped by the nodes that are up. */
  replicationFactor: number;
  /** AWS: 1,000,000 open executions per account and Region; applied per state machine here. */
  maxOpenExecutions?: number;
  /** GetActivityTask's long poll (AWS: 60 s); tests shorten it. */
  activityPollMs?: number;
}

/** A state machine ARN resolved against the catalog: the machine, and the version or alias it names. */
export interface ResolvedMachine {
  machine: StateMachineRecord;
  version?: VersionRecord;
  alias?: AliasRecord;
  arn: Extract<SfnArn, { kind: 'stateMachine' }>;
}

export class SfnBackend {
  readonly sequencer = new Sequencer(`sfn-gw-${randomUUID()}`);
  readonly scope: Scope;
  /** The execution side (nodes/gateway/sfn/executions.ts), attached once the process's workflow runtime starts. */
  executions!: Executions;

  constructor(
    readonly client: ClusterClient,
    readonly placement: Placement,
    readonly opts: SfnOptions,
  ) {
    this.scope = { region: opts.region, account: opts.accountId };
  }

  propose(group: number, p: CommandPayload): Promise<Uint8Array> {
    return this.sequencer.propose(p, (bytes) => this.client.propose(group, bytes));
  }

  /**
   * A catalog change; throws the SFN error for what apply refused. With `missingOk`, a command
   * whose target is already gone answers undefined (AWS's deletes succeed then).
   */
  async meta(cmd: WorkflowCatalogCommand, opts: { missingOk?: boolean } = {}): Promise<WorkflowCatalogResult | undefined> {
    const r = decodeWorkflowCatalogResult(await this.propose(META_GROUP, encodeMetaCommand({ type: 'workflow', command: cmd })));
    await this.placement.refresh();
    if (r.ok) return r.value;
    if (opts.missingOk && r.code === 'NotFound') return undefined;
    throw this.refusalError(cmd, r.code, r.message);
  }

  /** meta() for commands that always answer a record when they succeed. */
  async change(cmd: WorkflowCatalogCommand): Promise<WorkflowCatalogResult> {
    const r = await this.meta(cmd);
    if (!r) throw new AwsError('InternalFailure', 'The catalog answered nothing.');
    return r;
  }

  private refusalError(cmd: WorkflowCatalogCommand, code: string, message: string): AwsError {
    const refusal = refusalOf(message);
    const machine = stateMachineArn(this.scope, cmd.name);
    const ofDetail = (detail: string): string => `${stateMachineArn(this.scope, detail.split(':')[0] ?? cmd.name)}:${detail.split(':').slice(1).join(':')}`;
    switch (refusal?.kind) {
      case 'StateMachineDoesNotExist':
        // Alias and tag actions name a missing state machine as a missing resource.
        if (cmd.type === 'createAlias' || cmd.type === 'updateAlias' || cmd.type === 'deleteAlias' || cmd.type === 'tagResource' || cmd.type === 'untagResource') {
          return resourceNotFound(`Resource not found: '${machine}'`, machine);
        }
        return new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${machine}'`);
      case 'StateMachineAlreadyExists':
        return new AwsError('StateMachineAlreadyExists', `State Machine Already Exists: '${machine}'`);
      case 'StateMachineLimitExceeded':
        return new AwsError('StateMachineLimitExceeded', `The maximum number of state machines (${this.opts.stateMachineLimit}) has been reached. Existing state machines must be deleted before a new state machine can be created.`);
      case 'VersionDoesNotExist':
        return resourceNotFound(`Resource not found: '${ofDetail(refusal.detail)}'`, ofDetail(refusal.detail));
      case 'VersionLimitExceeded':
        return new AwsError('SfnServiceQuotaExceededException', `The maximum number of versions (${this.opts.versionLimit}) for state machine '${machine}' has been reached. Delete versions before publishing new ones.`);
      case 'AliasDoesNotExist':
        return resourceNotFound(`Resource not found: '${ofDetail(refusal.detail)}'`, ofDetail(refusal.detail));
      case 'AliasAlreadyExists':
        return new AwsError('SfnConflictException', `Failed to create alias because an alias with the same name and a different routing configuration already exists: '${machine}:${refusal.detail}'`);
      case 'AliasLimitExceeded':
        return new AwsError('SfnServiceQuotaExceededException', `The maximum number of aliases (${this.opts.aliasLimit}) for state machine '${machine}' has been reached.`);
      case 'RevisionConflict':
        return new AwsError('SfnConflictException', `Failed to publish the State Machine version due to a revision conflict: ${refusal.detail}`);
      case 'VersionInUse':
        return new AwsError(
          'SfnConflictException',
          `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${refusal.detail
            .split(',')
            .map((a) => aliasArn(this.scope, cmd.name, a))
            .join(', ')}]`,
        );
      case 'InvalidRouting':
        return validation(`Invalid routing configuration: ${refusal.detail}`, 'INVALID_ROUTING_CONFIGURATION');
      case 'ActivityDoesNotExist': {
        const a = activityArn(this.scope, cmd.name);
        return cmd.type === 'tagResource' || cmd.type === 'untagResource' ? resourceNotFound(`Resource not found: '${a}'`, a) : new AwsError('ActivityDoesNotExist', `Activity Does Not Exist: '${a}'`);
      }
      case 'ActivityLimitExceeded':
        return new AwsError('ActivityLimitExceeded', `The maximum number of activities (${this.opts.activityLimit}) has been reached. Existing activities must be deleted before a new activity can be created.`);
      case 'TooManyTags':
        return tooManyTags(cmd.type === 'tagResource' && cmd.resource === 'activity' ? activityArn(this.scope, cmd.name) : machine);
      case 'Invalid':
        return validation(refusal.detail);
      default:
        return new AwsError('InternalFailure', `catalog refused (${code}): ${message}`);
    }
  }

  /** A fresh count of up nodes sizes a new group: the cache may predate nodes that registered since. */
  async replicationFactor(): Promise<number> {
    const up = (await this.placement.refresh()).nodes.filter((n) => n.state === 'up').length;
    return Math.max(1, Math.min(this.opts.replicationFactor, up));
  }

  async stateMachines(maxAgeMs = 1000): Promise<StateMachineRecord[]> {
    return (await this.placement.current(maxAgeMs)).stateMachines.filter((m) => m.account === this.opts.accountId);
  }

  async activities(maxAgeMs = 1000): Promise<ActivityRecord[]> {
    return (await this.placement.current(maxAgeMs)).activities.filter((a) => a.account === this.opts.accountId);
  }

  /** By name; a miss refreshes once, so one created through another gateway is found. */
  async findStateMachine(name: string): Promise<StateMachineRecord | undefined> {
    const own = (p: { stateMachines: StateMachineRecord[] }) => p.stateMachines.find((m) => m.name === name && m.account === this.opts.accountId);
    return own(await this.placement.current(5000)) ?? own(await this.placement.refresh());
  }

  async findActivity(name: string): Promise<ActivityRecord | undefined> {
    const own = (p: { activities: ActivityRecord[] }) => p.activities.find((a) => a.name === name && a.account === this.opts.accountId);
    return own(await this.placement.current(5000)) ?? own(await this.placement.refresh());
  }

  /** Another account's or region's ARN names nothing here. */
  private ours(a: { region: string; account: string }): boolean {
    return a.region === this.opts.region && a.account === this.opts.accountId;
  }

  /**
   * The state machine a (possibly qualified) ARN names; StateMachineDoesNotExist when it, or the
   * version or alias it names, is not there. Map-run labels are refused as AWS refuses them.
   */
  async resolveMachine(arnText: string, opts: { qualified?: boolean } = {}): Promise<ResolvedMachine> {
    const arn = expectArn(arnText, 'stateMachine');
    if (arn.label !== undefined) throw validation(`Unsupported Map Run ARN: '${arnText}'`, 'API_DOES_NOT_SUPPORT_LABELED_ARNS');
    if (!opts.qualified && (arn.version !== undefined || arn.alias !== undefined)) throw validation(`Qualified state machine ARN not supported: '${arnText}'`);
    const missing = new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arnText}'`);
    if (!this.ours(arn)) throw missing;
    const machine = await this.findStateMachine(arn.name);
    if (!machine) throw missing;
    if (arn.version !== undefined) {
      const version = machine.versions.find((v) => v.version === arn.version);
      if (!version) throw missing;
      return { machine, version, arn };
    }
    if (arn.alias !== undefined) {
      const alias = machine.aliases.find((a) => a.name === arn.alias);
      if (!alias) throw missing;
      return { machine, alias, arn };
    }
    return { machine, arn };
  }

  /** The alias an alias ARN names; ResourceNotFound as AWS answers for a missing alias or machine. */
  async resolveAlias(arnText: string): Promise<{ machine: StateMachineRecord; alias: AliasRecord }> {
    const arn = expectArn(arnText, 'stateMachine');
    if (arn.alias === undefined) throw validation(`Invalid alias ARN: '${arnText}'`);
    const machine = this.ours(arn) ? await this.findStateMachine(arn.name) : undefined;
    const alias = machine?.aliases.find((a) => a.name === arn.alias);
    if (!machine || !alias) throw resourceNotFound(`Resource not found: '${arnText}'`, arnText);
    return { machine, alias };
  }

  /** The activity an ARN names, or undefined (each action words the miss its own way). */
  async activityOf(arnText: string): Promise<{ name: string; activity: ActivityRecord | undefined }> {
    const arn = expectArn(arnText, 'activity');
    return { name: arn.name, activity: this.ours(arn) ? await this.findActivity(arn.name) : undefined };
  }

  stateMachineArn(name: string): string {
    return stateMachineArn(this.scope, name);
  }

  versionArn(name: string, version: number): string {
    return versionArn(this.scope, name, version);
  }

  aliasArn(name: string, alias: string): string {
    return aliasArn(this.scope, name, alias);
  }

  activityArn(name: string): string {
    return activityArn(this.scope, name);
  }

  /** A fresh revision id (apply has no randomness; the gateway proposes it). */
  newRevisionId(): string {
    return randomUUID();
  }
}
