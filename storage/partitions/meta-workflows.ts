// Step Functions state machines and activities in the meta state machine (group 0). Apply
// decides what must be decided once for every gateway: whether a name exists (and whether an
// existing one is the same, for the idempotent creates), version numbers, which versions aliases
// route to, the account limits, and each resource's `workflow` Raft group. Definitions, roles
// and names are checked by the gateway (AWS's rules and messages) before it proposes.
import { prefixEnd, utf8 } from './codec.js';
import { okResult } from './envelope.js';
import { type ApplyContext, type PartitionStore } from './kind.js';
import { type GroupAllocator } from './meta-queues.js';
import {
  type ActivityRecord,
  type AliasRecord,
  type AliasRoute,
  type MachineConfig,
  type StateMachineRecord,
  type VersionRecord,
  type WorkflowCatalogCommand,
  type WorkflowCatalogResult,
  refuse,
  toActivityRecord,
  toAliasRecord,
  toStateMachineRecord,
  toVersionRecord,
} from './meta-workflow-codec.js';

/** AWS: 1–80 characters, none of whitespace, brackets, wildcards, `"#%\^|~`$&,;:/` or control characters. */
export const WORKFLOW_NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;
/** AWS (CharacterRestrictedName): letters, digits, `_-.`, not digits only (a version number). */
export const ALIAS_NAME_PATTERN = /^(?=.*[a-zA-Z_.-])[a-zA-Z0-9_.-]{1,80}$/;
// Every catalog loads by scanning its own prefix whole, so prefixes must not be shared.
const MACHINE_PREFIX = 'W/';
const ACTIVITY_PREFIX = 'A/';

type Create = Extract<WorkflowCatalogCommand, { type: 'createStateMachine' }>;
type Update = Extract<WorkflowCatalogCommand, { type: 'updateStateMachine' }>;

const json = (v: unknown): Uint8Array => utf8(JSON.stringify(v));
const keyOf = (account: string, name: string): string => `${account}/${name}`;
const byKey = (a: { account: string; name: string }, b: { account: string; name: string }): number => {
  const x = keyOf(a.account, a.name);
  const y = keyOf(b.account, b.name);
  return x < y ? -1 : x > y ? 1 : 0;
};

async function scan(store: PartitionStore, prefix: string): Promise<unknown[]> {
  const gte = utf8(prefix);
  const out: unknown[] = [];
  for await (const [, v] of store.scan({ gte, lt: prefixEnd(gte) as Uint8Array })) out.push(JSON.parse(new TextDecoder().decode(v)) as unknown);
  return out;
}

/** Equal configurations: what makes a repeated CreateStateMachine the same request (AWS ignores the role and tags). */
function sameConfig(a: MachineConfig & { type: string }, b: MachineConfig & { type: string }): boolean {
  const pick = (c: MachineConfig & { type: string }) => JSON.stringify([c.type, c.definition, c.loggingConfiguration, c.tracingConfiguration, c.encryptionConfiguration ?? null]);
  return pick(a) === pick(b);
}

const configOf = (m: MachineConfig): MachineConfig => ({
  definition: m.definition,
  roleArn: m.roleArn,
  loggingConfiguration: m.loggingConfiguration,
  tracingConfiguration: m.tracingConfiguration,
  ...(m.encryptionConfiguration ? { encryptionConfiguration: m.encryptionConfiguration } : {}),
});

export class WorkflowCatalog {
  private machines = new Map<string, StateMachineRecord>();
  private activities = new Map<string, ActivityRecord>();

  async load(store: PartitionStore): Promise<void> {
    const machines = new Map<string, StateMachineRecord>();
    for (const v of await scan(store, MACHINE_PREFIX)) {
      const m = toStateMachineRecord(v);
      machines.set(keyOf(m.account, m.name), m);
    }
    const activities = new Map<string, ActivityRecord>();
    for (const v of await scan(store, ACTIVITY_PREFIX)) {
      const a = toActivityRecord(v);
      activities.set(keyOf(a.account, a.name), a);
    }
    this.machines = machines;
    this.activities = activities;
  }

  /** Sorted by account, then name. */
  sortedStateMachines(): StateMachineRecord[] {
    return [...this.machines.values()].sort(byKey);
  }

  sortedActivities(): ActivityRecord[] {
    return [...this.activities.values()].sort(byKey);
  }

  apply(cmd: WorkflowCatalogCommand, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    if (!WORKFLOW_NAME_PATTERN.test(cmd.name)) return refuse('Invalid', `invalid name ${JSON.stringify(cmd.name)}`);
    switch (cmd.type) {
      case 'createStateMachine':
        return this.create(cmd, now, ctx, groups);
      case 'createActivity':
        return this.createActivity(cmd, now, ctx, groups);
      case 'deleteActivity': {
        const a = this.activities.get(keyOf(cmd.account, cmd.name));
        if (a === undefined) return refuse('ActivityDoesNotExist', cmd.name);
        this.activities.delete(keyOf(a.account, a.name));
        ctx.ops.push({ type: 'del', key: utf8(ACTIVITY_PREFIX + keyOf(a.account, a.name)) });
        groups.release([a.groupId], ctx.ops);
        groups.touch(ctx);
        return result({ activity: a });
      }
      case 'tagResource':
      case 'untagResource':
        if (cmd.resource === 'activity') return this.tagActivity(cmd, ctx, groups);
        break;
      default:
        break;
    }
    const m = this.machines.get(keyOf(cmd.account, cmd.name));
    if (m === undefined) return refuse('StateMachineDoesNotExist', cmd.name);
    switch (cmd.type) {
      case 'updateStateMachine':
        return this.update(m, cmd, now, ctx, groups);
      case 'deleteStateMachine':
        this.machines.delete(keyOf(m.account, m.name));
        ctx.ops.push({ type: 'del', key: utf8(MACHINE_PREFIX + keyOf(m.account, m.name)) });
        groups.release([m.groupId], ctx.ops);
        groups.touch(ctx);
        return result({ stateMachine: m });
      case 'publishVersion': {
        if (cmd.expectedRevisionId !== undefined && cmd.expectedRevisionId !== m.revisionId) {
          return refuse('RevisionConflict', `revision ${cmd.expectedRevisionId} is not the current revision ${m.revisionId}`);
        }
        return this.publish(m, cmd.description, cmd.versionLimit, now, ctx, groups);
      }
      case 'deleteVersion': {
        const v = m.versions.find((x) => x.version === cmd.version);
        if (v === undefined) return refuse('VersionDoesNotExist', `${m.name}:${cmd.version}`);
        const users = m.aliases.filter((a) => a.routes.some((r) => r.version === v.version)).map((a) => a.name);
        if (users.length > 0) return refuse('VersionInUse', users.join(','));
        return this.put({ ...m, versions: m.versions.filter((x) => x !== v) }, ctx, groups, { version: v.version });
      }
      case 'createAlias': {
        const existing = m.aliases.find((a) => a.name === cmd.alias);
        const bad = this.checkRoutes(m, cmd.routes, cmd.alias);
        if (bad) return bad;
        if (existing) {
          const same = existing.description === cmd.description && JSON.stringify(existing.routes) === JSON.stringify(sortedRoutes(cmd.routes));
          return same ? result({ stateMachine: m, existed: true }) : refuse('AliasAlreadyExists', cmd.alias);
        }
        if (m.aliases.length >= cmd.aliasLimit) return refuse('AliasLimitExceeded', `${m.name} has ${m.aliases.length} aliases`);
        const alias = toAliasRecord({ name: cmd.alias, description: cmd.description, routes: sortedRoutes(cmd.routes), creationDate: now, updateDate: now });
        return this.put({ ...m, aliases: [...m.aliases, alias].sort((a, b) => (a.name < b.name ? -1 : 1)) }, ctx, groups);
      }
      case 'updateAlias': {
        const existing = m.aliases.find((a) => a.name === cmd.alias);
        if (existing === undefined) return refuse('AliasDoesNotExist', `${m.name}:${cmd.alias}`);
        if (cmd.routes) {
          const bad = this.checkRoutes(m, cmd.routes, cmd.alias);
          if (bad) return bad;
        }
        const updated: AliasRecord = toAliasRecord({
          ...existing,
          ...(cmd.description === undefined ? {} : { description: cmd.description }),
          ...(cmd.routes ? { routes: sortedRoutes(cmd.routes) } : {}),
          updateDate: now,
        });
        return this.put({ ...m, aliases: m.aliases.map((a) => (a === existing ? updated : a)) }, ctx, groups);
      }
      case 'deleteAlias': {
        if (!m.aliases.some((a) => a.name === cmd.alias)) return refuse('AliasDoesNotExist', `${m.name}:${cmd.alias}`);
        return this.put({ ...m, aliases: m.aliases.filter((a) => a.name !== cmd.alias) }, ctx, groups);
      }
      case 'tagResource': {
        const tags = sortedMap({ ...m.tags, ...cmd.tags });
        if (Object.keys(tags).length > cmd.tagLimit) return refuse('TooManyTags', m.name);
        return this.put({ ...m, tags }, ctx, groups);
      }
      case 'untagResource': {
        const tags = sortedMap(m.tags);
        for (const k of cmd.keys) delete tags[k];
        return this.put({ ...m, tags }, ctx, groups);
      }
    }
  }

  private create(cmd: Create, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const existing = this.machines.get(keyOf(cmd.account, cmd.name));
    if (existing) {
      if (!sameConfig(existing, { ...cmd, type: cmd.machineType })) return refuse('StateMachineAlreadyExists', cmd.name);
      if (!cmd.publish) return result({ stateMachine: existing, existed: true });
      // Publishing again is the same request only when it published this revision, described alike.
      const v = existing.versions.find((x) => x.revisionId === existing.revisionId);
      if (v === undefined || v.description !== cmd.versionDescription) return refuse('StateMachineAlreadyExists', cmd.name);
      return result({ stateMachine: existing, version: v.version, existed: true });
    }
    if (this.machines.size >= cmd.stateMachineLimit) return refuse('StateMachineLimitExceeded', `${this.machines.size} state machines`);
    let groupId: number;
    try {
      [groupId] = groups.allocate('workflow', `${cmd.account}:stateMachine:${cmd.name}`, 1, cmd.replicationFactor, ctx.ops) as [number];
    } catch (e) {
      return refuse('Invalid', e instanceof Error ? e.message : String(e));
    }
    const config = configOf(cmd);
    const version: VersionRecord[] = cmd.publish
      ? [toVersionRecord({ version: 1, revisionId: cmd.revisionId, description: cmd.versionDescription, creationDate: now, ...config })]
      : [];
    const m = toStateMachineRecord({
      name: cmd.name,
      account: cmd.account,
      id: ctx.index,
      type: cmd.machineType,
      description: cmd.description,
      ...config,
      revisionId: cmd.revisionId,
      creationDate: now,
      tags: sortedMap(cmd.tags),
      groupId,
      replicationFactor: cmd.replicationFactor,
      nextVersion: cmd.publish ? 2 : 1,
      versions: version,
      aliases: [],
    });
    return this.put(m, ctx, groups, cmd.publish ? { version: 1 } : {});
  }

  private update(m: StateMachineRecord, cmd: Update, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const next = configOf({
      definition: cmd.definition ?? m.definition,
      roleArn: cmd.roleArn ?? m.roleArn,
      loggingConfiguration: cmd.loggingConfiguration ?? m.loggingConfiguration,
      tracingConfiguration: cmd.tracingConfiguration ?? m.tracingConfiguration,
      ...((cmd.encryptionConfiguration ?? m.encryptionConfiguration) ? { encryptionConfiguration: cmd.encryptionConfiguration ?? m.encryptionConfiguration } : {}),
    });
    // A new revision only when something changed: publishing after a no-op update finds the version of the old one.
    const changed = !sameConfig({ ...m }, { ...next, type: m.type }) || next.roleArn !== m.roleArn;
    const updated = toStateMachineRecord({ ...m, ...next, revisionId: changed ? cmd.revisionId : m.revisionId, updateDate: now });
    if (!cmd.publish) return this.put(updated, ctx, groups);
    // Refused publishing leaves the update unapplied too: the request fails as a whole.
    return this.publish(updated, cmd.versionDescription, cmd.versionLimit, now, ctx, groups, true);
  }

  /** AWS: publishing a revision that already has a version answers that version. */
  private publish(m: StateMachineRecord, description: string | undefined, limit: number, now: number, ctx: ApplyContext, groups: GroupAllocator, dirty = false): Uint8Array {
    const found = m.versions.find((v) => v.revisionId === m.revisionId);
    if (found) return dirty ? this.put(m, ctx, groups, { version: found.version, existed: true }) : result({ stateMachine: m, version: found.version, existed: true });
    if (m.versions.length >= limit) return refuse('VersionLimitExceeded', `${m.name} has ${m.versions.length} versions`);
    const v = toVersionRecord({ version: m.nextVersion, revisionId: m.revisionId, description, creationDate: now, ...configOf(m) });
    return this.put({ ...m, nextVersion: m.nextVersion + 1, versions: [...m.versions, v] }, ctx, groups, { version: v.version });
  }

  private checkRoutes(m: StateMachineRecord, routes: AliasRoute[], alias: string): Uint8Array | undefined {
    if (!ALIAS_NAME_PATTERN.test(alias)) return refuse('Invalid', `invalid alias name ${JSON.stringify(alias)}`);
    if (routes.length < 1 || routes.length > 2) return refuse('InvalidRouting', 'an alias routes to one or two versions');
    if (new Set(routes.map((r) => r.version)).size !== routes.length) return refuse('InvalidRouting', 'routes must name distinct versions');
    if (routes.some((r) => !Number.isInteger(r.weight) || r.weight < 0 || r.weight > 100)) return refuse('InvalidRouting', 'weights are integers 0-100');
    if (routes.reduce((s, r) => s + r.weight, 0) !== 100) return refuse('InvalidRouting', 'weights must sum to 100');
    const missing = routes.find((r) => !m.versions.some((v) => v.version === r.version));
    return missing ? refuse('VersionDoesNotExist', `${m.name}:${missing.version}`) : undefined;
  }

  private createActivity(cmd: Extract<WorkflowCatalogCommand, { type: 'createActivity' }>, now: number, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const existing = this.activities.get(keyOf(cmd.account, cmd.name));
    // AWS: idempotent by name; different tags are ignored.
    if (existing) return result({ activity: existing, existed: true });
    if (this.activities.size >= cmd.activityLimit) return refuse('ActivityLimitExceeded', `${this.activities.size} activities`);
    let groupId: number;
    try {
      [groupId] = groups.allocate('workflow', `${cmd.account}:activity:${cmd.name}`, 1, cmd.replicationFactor, ctx.ops) as [number];
    } catch (e) {
      return refuse('Invalid', e instanceof Error ? e.message : String(e));
    }
    const a = toActivityRecord({
      name: cmd.name,
      account: cmd.account,
      id: ctx.index,
      creationDate: now,
      tags: sortedMap(cmd.tags),
      encryptionConfiguration: cmd.encryptionConfiguration,
      groupId,
      replicationFactor: cmd.replicationFactor,
    });
    return this.putActivity(a, ctx, groups);
  }

  private tagActivity(cmd: Extract<WorkflowCatalogCommand, { type: 'tagResource' | 'untagResource' }>, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const a = this.activities.get(keyOf(cmd.account, cmd.name));
    if (a === undefined) return refuse('ActivityDoesNotExist', cmd.name);
    const tags = sortedMap(cmd.type === 'tagResource' ? { ...a.tags, ...cmd.tags } : a.tags);
    if (cmd.type === 'untagResource') for (const k of cmd.keys) delete tags[k];
    else if (Object.keys(tags).length > cmd.tagLimit) return refuse('TooManyTags', a.name);
    return this.putActivity({ ...a, tags }, ctx, groups);
  }

  private put(m: StateMachineRecord, ctx: ApplyContext, groups: GroupAllocator, more: Omit<WorkflowCatalogResult, 'stateMachine'> = {}): Uint8Array {
    const rec = toStateMachineRecord(m);
    this.machines.set(keyOf(rec.account, rec.name), rec);
    ctx.ops.push({ type: 'put', key: utf8(MACHINE_PREFIX + keyOf(rec.account, rec.name)), value: json(rec) });
    groups.touch(ctx);
    return result({ stateMachine: rec, ...more });
  }

  private putActivity(a: ActivityRecord, ctx: ApplyContext, groups: GroupAllocator): Uint8Array {
    const rec = toActivityRecord(a);
    this.activities.set(keyOf(rec.account, rec.name), rec);
    ctx.ops.push({ type: 'put', key: utf8(ACTIVITY_PREFIX + keyOf(rec.account, rec.name)), value: json(rec) });
    groups.touch(ctx);
    return result({ activity: rec });
  }
}

function result(r: WorkflowCatalogResult): Uint8Array {
  return okResult(json(r));
}

/** Routes in version order, so equal routings compare and encode equally. */
function sortedRoutes(routes: AliasRoute[]): AliasRoute[] {
  return [...routes].sort((a, b) => a.version - b.version).map((r) => ({ version: r.version, weight: r.weight }));
}

function sortedMap(m: Record<string, string>): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}
