// A stopping node stops gracefully: it reports not ready at once, lets the invocations running
// in it finish, and hands the leadership of its groups to other voters before it goes, so the
// groups it led do not wait out an election timeout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { META_GROUP } from '../../nodes/cluster/placement.js';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { SLOW } from '../compat/lambda-fixtures.js';
import { lambdaClient } from '../compat/lambda-suite.js';
import { startEmbedded } from '../compat/targets.js';
import { freePorts } from '../ports.js';

async function waitFor<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('graceful stop', () => {
  it('finishes the invocations running in a stopping node, not ready meanwhile', async () => {
    const t = await startEmbedded();
    const lambda = lambdaClient(t.endpoint);
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'slow', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: SLOW } }));
      const running = lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: new Uint8Array(Buffer.from('{"ms":1500}')) }));
      // Stop once the handler is running (its environment counts as a concurrent execution).
      await waitFor('the invocation to run', async () => {
        const s = await t.node.metrics.query({ name: 'ConcurrentExecutions', labels: { function: 'slow' } });
        return s.some((x) => (x.value ?? 0) > 0) ? true : undefined;
      });
      const stopping = t.node.stop();
      const readiness = await t.node.ready();
      expect(readiness).toMatchObject({ ready: false, checks: { running: 'stopping' } });
      const r = await running;
      expect(r.StatusCode).toBe(200);
      expect(Buffer.from(r.Payload!).toString()).toBe('"done"');
      await stopping;
    } finally {
      lambda.destroy();
      await t.stop();
    }
  }, 60_000);

  it('hands the leadership of its groups over before it stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stratus-stop-'));
    const ports = await freePorts(4);
    const addr = (id: number): string => `127.0.0.1:${ports[id]!}`;
    const peers = [1, 2, 3].map((id) => `${id}=${addr(id)}`).join(',');
    const nodes = new Map<number, RunningNode>();
    try {
      // A 100 ms tick: an election after a silent leader takes 1-2 s, far longer than a hand-over.
      for (const id of [1, 2, 3]) nodes.set(id, await runNode(parseNodeOptions(['--role', 'storage', '--id', String(id), '--peers', peers, '--grpc-port', String(ports[id]!), '--data', join(dir, `n${id}`), '--tick-ms', '100', '--quiesce', 'off'], {}), () => undefined));
      const leader = await waitFor('a meta leader', () => [...nodes].find(([, n]) => n.storage!.replicas.get(META_GROUP)?.isLeader())?.[0]);
      const led = [...nodes.get(leader)!.storage!.replicas.values()].filter((r) => r.isLeader()).map((r) => r.group);
      expect(led).toContain(META_GROUP);
      await nodes.get(leader)!.stop();
      nodes.delete(leader);
      // No waiting: the groups it led already have a leader among the others.
      for (const g of led) {
        const leaders = [...nodes.values()].filter((n) => n.storage!.replicas.get(g)?.isLeader());
        expect(leaders, `group ${g}`).toHaveLength(1);
      }
    } finally {
      for (const n of nodes.values()) await n.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
