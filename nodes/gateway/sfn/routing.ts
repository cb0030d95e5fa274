// An alias's routing configuration: version ARNs of one state machine and their weights.
import { type AliasRoute, type StateMachineRecord } from '../../../storage/partitions/meta-workflow-codec.js';
import { expectArn } from './arns.js';
import { type SfnBackend } from './backend.js';
import { resourceNotFound, validation } from './checks.js';

export interface RouteInput {
  stateMachineVersionArn: string;
  weight: number;
}

/** The state machine every route's version belongs to, and the routes as the catalog keeps them. */
export async function routesOf(sfn: SfnBackend, routes: RouteInput[]): Promise<{ machine: StateMachineRecord; routes: AliasRoute[] }> {
  const parsed = routes.map((r) => ({ arn: expectArn(r.stateMachineVersionArn, 'stateMachine'), text: r.stateMachineVersionArn, weight: r.weight }));
  for (const p of parsed) {
    if (p.arn.version === undefined) throw validation(`Routing configuration must contain state machine version ARNs: '${p.text}'`, 'INVALID_ROUTING_CONFIGURATION');
  }
  const names = new Set(parsed.map((p) => `${p.arn.region}:${p.arn.account}:${p.arn.name}`));
  if (names.size > 1) throw validation('Routing configuration must contain versions of the same state machine', 'INVALID_ROUTING_CONFIGURATION');
  if (new Set(parsed.map((p) => p.arn.version)).size !== parsed.length) throw validation('Routing configuration must contain distinct state machine versions', 'INVALID_ROUTING_CONFIGURATION');
  if (parsed.reduce((s, p) => s + p.weight, 0) !== 100) throw validation('Sum of routing configuration weights must be equal to 100', 'INVALID_ROUTING_CONFIGURATION');
  const first = parsed[0]!;
  const machine = first.arn.region === sfn.opts.region && first.arn.account === sfn.opts.accountId ? await sfn.findStateMachine(first.arn.name) : undefined;
  for (const p of parsed) {
    if (!machine?.versions.some((v) => v.version === p.arn.version)) throw resourceNotFound(`Resource not found: '${p.text}'`, p.text);
  }
  return { machine: machine!, routes: parsed.map((p) => ({ version: p.arn.version!, weight: p.weight })) };
}

export function routesOut(sfn: SfnBackend, machine: string, routes: AliasRoute[]): RouteInput[] {
  return routes.map((r) => ({ stateMachineVersionArn: sfn.versionArn(machine, r.version), weight: r.weight }));
}
