// Step Functions state machines (with their versions and aliases) and activities in the meta
// group: the records and the command bodies. A state machine's Standard executions live in its
// own Raft group of the `workflow` kind, as does an activity's task queue; the catalog holds what
// starting an execution needs: the definition, the role, the configuration, the versions.
// Definitions are opaque here: the gateway validates them before proposing.
// Records are rebuilt field by field on decode (and apply builds them through the same
// functions), so replicas that reloaded from the store re-encode them byte for byte.
import { DecodeError } from './codec.js';
import { type Decoded, type ErrorCode, decodeResultWith, errorResult } from './envelope.js';
import { type Obj, bool, num, object, str, stringMap, strings } from './meta-queue-codec.js';

export const STATE_MACHINE_TYPES = ['STANDARD', 'EXPRESS'] as const;
export type StateMachineType = (typeof STATE_MACHINE_TYPES)[number];
export const LOG_LEVELS = ['ALL', 'ERROR', 'FATAL', 'OFF'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const ENCRYPTION_TYPES = ['AWS_OWNED_KEY', 'CUSTOMER_MANAGED_KMS_KEY'] as const;
export type EncryptionType = (typeof ENCRYPTION_TYPES)[number];

export interface LoggingConfiguration {
  level: LogLevel;
  includeExecutionData: boolean;
  /** CloudWatch Logs log group ARNs (AWS allows one). */
  destinations: string[];
}

export interface TracingConfiguration {
  enabled: boolean;
}

export interface EncryptionConfiguration {
  type: EncryptionType;
  kmsKeyId?: string;
  kmsDataKeyReusePeriodSeconds?: number;
}

/** What a revision of a state machine is: a version freezes one. */
export interface MachineConfig {
  definition: string;
  roleArn: string;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: TracingConfiguration;
  encryptionConfiguration?: EncryptionConfiguration;
}

export interface VersionRecord extends MachineConfig {
  /** 1, 2, …; a deleted version's number is never given again. */
  version: number;
  revisionId: string;
  description?: string;
  creationDate: number;
}

export interface AliasRoute {
  version: number;
  /** 0–100; an alias's weights sum to 100. */
  weight: number;
}

export interface AliasRecord {
  name: string;
  description?: string;
  /** One or two routes to distinct versions. */
  routes: AliasRoute[];
  creationDate: number;
  updateDate: number;
}

export interface StateMachineRecord extends MachineConfig {
  name: string;
  account: string;
  /** The meta index that created this incarnation of the name. */
  id: number;
  type: StateMachineType;
  description?: string;
  revisionId: string;
  creationDate: number;
  updateDate?: number;
  tags: Record<string, string>;
  /** The `workflow` group holding the machine's Standard executions. */
  groupId: number;
  replicationFactor: number;
  nextVersion: number;
  /** Ascending by version. */
  versions: VersionRecord[];
  /** Ascending by name. */
  aliases: AliasRecord[];
}

export interface ActivityRecord {
  name: string;
  account: string;
  id: number;
  creationDate: number;
  tags: Record<string, string>;
  encryptionConfiguration?: EncryptionConfiguration;
  /** The `workflow` group holding the activity's task queue. */
  groupId: number;
  replicationFactor: number;
}

interface Named {
  name: string;
  account: string;
}

type ConfigChange = Partial<MachineConfig>;

export type WorkflowCatalogCommand =
  | ({
      type: 'createStateMachine';
      machineType: StateMachineType;
      description?: string;
      tags: Record<string, string>;
      /** Proposed by the gateway (apply has no randomness): the first revision's id. */
      revisionId: string;
      publish: boolean;
      versionDescription?: string;
      replicationFactor: number;
      stateMachineLimit: number;
    } & MachineConfig &
      Named)
  | ({ type: 'updateStateMachine'; revisionId: string; publish: boolean; versionDescription?: string; versionLimit: number } & ConfigChange & Named)
  | ({ type: 'deleteStateMachine' } & Named)
  | ({ type: 'publishVersion'; expectedRevisionId?: string; description?: string; versionLimit: number } & Named)
  | ({ type: 'deleteVersion'; version: number } & Named)
  | ({ type: 'createAlias'; alias: string; description?: string; routes: AliasRoute[]; aliasLimit: number } & Named)
  | ({ type: 'updateAlias'; alias: string; description?: string; routes?: AliasRoute[] } & Named)
  | ({ type: 'deleteAlias'; alias: string } & Named)
  | ({ type: 'tagResource'; resource: WorkflowResource; tags: Record<string, string>; tagLimit: number } & Named)
  | ({ type: 'untagResource'; resource: WorkflowResource; keys: string[] } & Named)
  | ({ type: 'createActivity'; tags: Record<string, string>; encryptionConfiguration?: EncryptionConfiguration; replicationFactor: number; activityLimit: number } & Named)
  | ({ type: 'deleteActivity' } & Named);

export type WorkflowResource = 'stateMachine' | 'activity';

export interface WorkflowCatalogResult {
  stateMachine?: StateMachineRecord;
  activity?: ActivityRecord;
  /** The version a command published, found or deleted. */
  version?: number;
  /** The command found what it would have created (idempotent create or publish). */
  existed?: boolean;
}

/**
 * Why apply refused: the first word of the error message, so the gateway answers the SFN error
 * that fits without parsing prose. The rest of the message is detail for logs.
 */
export const REFUSALS = {
  StateMachineDoesNotExist: 'NotFound',
  StateMachineAlreadyExists: 'AlreadyExists',
  StateMachineLimitExceeded: 'OutOfRange',
  VersionDoesNotExist: 'NotFound',
  VersionLimitExceeded: 'OutOfRange',
  AliasDoesNotExist: 'NotFound',
  AliasAlreadyExists: 'AlreadyExists',
  AliasLimitExceeded: 'OutOfRange',
  RevisionConflict: 'FailedPrecondition',
  VersionInUse: 'FailedPrecondition',
  InvalidRouting: 'InvalidArgument',
  ActivityDoesNotExist: 'NotFound',
  ActivityLimitExceeded: 'OutOfRange',
  TooManyTags: 'OutOfRange',
  Invalid: 'InvalidArgument',
} as const satisfies Record<string, ErrorCode>;
export type Refusal = keyof typeof REFUSALS;

export function refuse(kind: Refusal, detail: string): Uint8Array {
  return errorResult(REFUSALS[kind], `${kind}: ${detail}`);
}

/** The refusal an apply error names, or undefined for errors apply did not word (a malformed command). */
export function refusalOf(message: string): { kind: Refusal; detail: string } | undefined {
  const colon = message.indexOf(': ');
  const kind = colon < 0 ? '' : message.slice(0, colon);
  return Object.hasOwn(REFUSALS, kind) ? { kind: kind as Refusal, detail: message.slice(colon + 2) } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding (commands, stored records, results)

const optStr = (o: Obj, f: string): { [k: string]: string } => (o[f] === undefined ? {} : { [f]: str(o, f) });

function oneOf<T extends string>(o: Obj, f: string, values: readonly T[]): T {
  const v = str(o, f);
  const hit = values.find((x) => x === v);
  if (hit === undefined) throw new DecodeError(`${f} must be one of ${values.join(', ')}`);
  return hit;
}

export function toLogging(v: unknown): LoggingConfiguration {
  const o = object(v, 'loggingConfiguration');
  return { level: oneOf(o, 'level', LOG_LEVELS), includeExecutionData: bool(o, 'includeExecutionData'), destinations: strings(o, 'destinations') };
}

export function toTracing(v: unknown): TracingConfiguration {
  return { enabled: bool(object(v, 'tracingConfiguration'), 'enabled') };
}

export function toEncryption(v: unknown): EncryptionConfiguration {
  const o = object(v, 'encryptionConfiguration');
  return {
    type: oneOf(o, 'type', ENCRYPTION_TYPES),
    ...optStr(o, 'kmsKeyId'),
    ...(o.kmsDataKeyReusePeriodSeconds === undefined ? {} : { kmsDataKeyReusePeriodSeconds: num(o, 'kmsDataKeyReusePeriodSeconds') }),
  };
}

const optEncryption = (o: Obj): { encryptionConfiguration?: EncryptionConfiguration } =>
  o.encryptionConfiguration === undefined ? {} : { encryptionConfiguration: toEncryption(o.encryptionConfiguration) };

function toConfig(o: Obj): MachineConfig {
  return {
    definition: str(o, 'definition'),
    roleArn: str(o, 'roleArn'),
    loggingConfiguration: toLogging(o.loggingConfiguration),
    tracingConfiguration: toTracing(o.tracingConfiguration),
    ...optEncryption(o),
  };
}

function list<T>(o: Obj, f: string, each: (v: unknown) => T): T[] {
  const v = o[f];
  if (!Array.isArray(v)) throw new DecodeError(`${f} must be an array`);
  return v.map(each);
}

export function toRoute(v: unknown): AliasRoute {
  const o = object(v, 'route');
  return { version: num(o, 'version'), weight: num(o, 'weight') };
}

export function toVersionRecord(v: unknown): VersionRecord {
  const o = object(v, 'version');
  return { version: num(o, 'version'), revisionId: str(o, 'revisionId'), ...optStr(o, 'description'), creationDate: num(o, 'creationDate'), ...toConfig(o) };
}

export function toAliasRecord(v: unknown): AliasRecord {
  const o = object(v, 'alias');
  return { name: str(o, 'name'), ...optStr(o, 'description'), routes: list(o, 'routes', toRoute), creationDate: num(o, 'creationDate'), updateDate: num(o, 'updateDate') };
}

export function toStateMachineRecord(v: unknown): StateMachineRecord {
  const o = object(v, 'stateMachine');
  return {
    name: str(o, 'name'),
    account: str(o, 'account'),
    id: num(o, 'id'),
    type: oneOf(o, 'type', STATE_MACHINE_TYPES),
    ...optStr(o, 'description'),
    ...toConfig(o),
    revisionId: str(o, 'revisionId'),
    creationDate: num(o, 'creationDate'),
    ...(o.updateDate === undefined ? {} : { updateDate: num(o, 'updateDate') }),
    tags: stringMap(o, 'tags'),
    groupId: num(o, 'groupId'),
    replicationFactor: num(o, 'replicationFactor'),
    nextVersion: num(o, 'nextVersion'),
    versions: list(o, 'versions', toVersionRecord),
    aliases: list(o, 'aliases', toAliasRecord),
  };
}

export function toActivityRecord(v: unknown): ActivityRecord {
  const o = object(v, 'activity');
  return {
    name: str(o, 'name'),
    account: str(o, 'account'),
    id: num(o, 'id'),
    creationDate: num(o, 'creationDate'),
    tags: stringMap(o, 'tags'),
    ...optEncryption(o),
    groupId: num(o, 'groupId'),
    replicationFactor: num(o, 'replicationFactor'),
  };
}

export function decodeWorkflowCatalogCommand(o: Obj): WorkflowCatalogCommand {
  const named = { name: str(o, 'name'), account: str(o, 'account') };
  const type = str(o, 'type');
  switch (type) {
    case 'createStateMachine':
      return {
        type,
        ...named,
        machineType: oneOf(o, 'machineType', STATE_MACHINE_TYPES),
        ...toConfig(o),
        ...optStr(o, 'description'),
        tags: stringMap(o, 'tags'),
        revisionId: str(o, 'revisionId'),
        publish: bool(o, 'publish'),
        ...optStr(o, 'versionDescription'),
        replicationFactor: num(o, 'replicationFactor'),
        stateMachineLimit: num(o, 'stateMachineLimit'),
      };
    case 'updateStateMachine':
      return {
        type,
        ...named,
        ...optStr(o, 'definition'),
        ...optStr(o, 'roleArn'),
        ...(o.loggingConfiguration === undefined ? {} : { loggingConfiguration: toLogging(o.loggingConfiguration) }),
        ...(o.tracingConfiguration === undefined ? {} : { tracingConfiguration: toTracing(o.tracingConfiguration) }),
        ...optEncryption(o),
        revisionId: str(o, 'revisionId'),
        publish: bool(o, 'publish'),
        ...optStr(o, 'versionDescription'),
        versionLimit: num(o, 'versionLimit'),
      };
    case 'deleteStateMachine':
    case 'deleteActivity':
      return { type, ...named };
    case 'publishVersion':
      return { type, ...named, ...optStr(o, 'expectedRevisionId'), ...optStr(o, 'description'), versionLimit: num(o, 'versionLimit') };
    case 'deleteVersion':
      return { type, ...named, version: num(o, 'version') };
    case 'createAlias':
      return { type, ...named, alias: str(o, 'alias'), ...optStr(o, 'description'), routes: list(o, 'routes', toRoute), aliasLimit: num(o, 'aliasLimit') };
    case 'updateAlias':
      return { type, ...named, alias: str(o, 'alias'), ...optStr(o, 'description'), ...(o.routes === undefined ? {} : { routes: list(o, 'routes', toRoute) }) };
    case 'deleteAlias':
      return { type, ...named, alias: str(o, 'alias') };
    case 'tagResource':
      return { type, ...named, resource: oneOf(o, 'resource', ['stateMachine', 'activity'] as const), tags: stringMap(o, 'tags'), tagLimit: num(o, 'tagLimit') };
    case 'untagResource':
      return { type, ...named, resource: oneOf(o, 'resource', ['stateMachine', 'activity'] as const), keys: strings(o, 'keys') };
    case 'createActivity':
      return { type, ...named, tags: stringMap(o, 'tags'), ...optEncryption(o), replicationFactor: num(o, 'replicationFactor'), activityLimit: num(o, 'activityLimit') };
    default:
      throw new DecodeError(`unknown workflow command ${type}`);
  }
}

export function decodeWorkflowCatalogResult(bytes: Uint8Array): Decoded<WorkflowCatalogResult> {
  return decodeResultWith(bytes, (b) => {
    const o = object(JSON.parse(new TextDecoder().decode(b)) as unknown, 'result');
    return {
      ...(o.stateMachine === undefined ? {} : { stateMachine: toStateMachineRecord(o.stateMachine) }),
      ...(o.activity === undefined ? {} : { activity: toActivityRecord(o.activity) }),
      ...(o.version === undefined ? {} : { version: num(o, 'version') }),
      ...(o.existed === true ? { existed: true } : {}),
    };
  });
}
