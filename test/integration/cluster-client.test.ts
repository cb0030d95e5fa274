// The cluster client against fake storage nodes: it follows NotLeader hints, caches the leader,
// backs off while no leader answers, and resends a write only byte for byte.
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterClient, UnavailableError } from '../../nodes/cluster/client.js';
import { services } from '../../nodes/grpc/protos.js';

type Batch = { group: number; commands: Uint8Array[] };
type Reply = { outcomes: { result?: Uint8Array; error?: string; message?: string }[] } | grpc.ServiceError;

class FakeNode {
  readonly server = new grpc.Server();
  readonly received: Batch[] = [];
  address = '';
  constructor(private readonly answer: (b: Batch, n: number) => Reply) {}

  async start(): Promise<void> {
    const proposeBatch = (call: grpc.ServerUnaryCall<Batch, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      this.received.push({ group: call.request.group, commands: call.request.commands.map((c) => Buffer.from(c)) });
      const r = this.answer(call.request, this.received.length);
      if ('code' in r) cb(r);
      else cb(null, r);
    };
    this.server.addService(services().storage.service, { proposeBatch });
    const port = await new Promise<number>((res, rej) => this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
    this.address = `127.0.0.1:${port}`;
  }
}

function notLeader(leaderAddress: string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  metadata.set('stratus-error', 'NotLeader');
  metadata.set('stratus-leader', '2');
  metadata.set('stratus-leader-address', leaderAddress);
  return Object.assign(new Error('not the leader'), { code: grpc.status.UNAVAILABLE, details: 'not the leader', metadata });
}

const ok = (b: Batch) => ({ outcomes: b.commands.map((c) => ({ result: Buffer.concat([Buffer.from('ok:'), c]) })) });
const nodes: FakeNode[] = [];
afterAll(() => nodes.forEach((n) => n.server.forceShutdown()));

describe('ClusterClient', () => {
  it('follows a NotLeader hint to the leader and remembers it', async () => {
    const leader = new FakeNode((b) => ok(b));
    await leader.start();
    const follower = new FakeNode(() => notLeader(leader.address));
    await follower.start();
    nodes.push(leader, follower);
    const c = new ClusterClient({ seeds: [follower.address] });
    expect(Buffer.from(await c.propose(7, Buffer.from('a'))).toString()).toBe('ok:a');
    expect(Buffer.from(await c.propose(7, Buffer.from('b'))).toString()).toBe('ok:b');
    expect(follower.received).toHaveLength(1); // the second went straight to the cached leader
    expect(leader.received.map((r) => r.commands.map((x) => x.toString()))).toEqual([['a'], ['b']]);
    c.close();
  });

  it('resends a command whose outcome is unknown byte for byte, and batches concurrent ones', async () => {
    const node = new FakeNode((b, n) => (n === 1 ? { outcomes: b.commands.map(() => ({ error: 'OutcomeUnknown', message: 'leader changed' })) } : ok(b)));
    await node.start();
    nodes.push(node);
    const c = new ClusterClient({ seeds: [node.address], baseBackoffMs: 1 });
    const commands = Array.from({ length: 20 }, (_, i) => Buffer.from(`cmd-${i}`));
    const results = await Promise.all(commands.map((cmd) => c.propose(3, cmd)));
    expect(results.map((r) => Buffer.from(r).toString())).toEqual(commands.map((x) => `ok:${x.toString()}`));
    // Fewer RPCs than commands: concurrent proposals share batches.
    expect(node.received.length).toBeLessThan(commands.length);
    // Every command arrived only as its own identical bytes (the first batch's outcome was unknown).
    const sent = node.received.flatMap((r) => r.commands.map((x) => x.toString()));
    for (const cmd of commands) expect(sent.filter((s) => s === cmd.toString()).length).toBeGreaterThanOrEqual(1);
    expect(sent.every((s) => commands.some((cmd) => cmd.toString() === s))).toBe(true);
    c.close();
  });

  it('gives up with UnavailableError when no leader answers in time, after backing off', async () => {
    const down = new FakeNode(() => Object.assign(new Error('down'), { code: grpc.status.UNAVAILABLE, details: 'down', metadata: new grpc.Metadata() }));
    await down.start();
    nodes.push(down);
    const c = new ClusterClient({ seeds: [down.address], totalTimeoutMs: 600, baseBackoffMs: 20, maxBackoffMs: 200 });
    const started = Date.now();
    await expect(c.propose(1, Buffer.from('x'))).rejects.toBeInstanceOf(UnavailableError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // Backoff: a handful of attempts, not a busy loop.
    expect(down.received.length).toBeGreaterThan(1);
    expect(down.received.length).toBeLessThan(30);
    c.close();
  });
});
