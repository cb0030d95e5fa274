// Three storage nodes in separate processes; clients append continuously with exactly-once
// retries; the group's leader is SIGKILLed and later restarted, then a follower is frozen with
// SIGSTOP. Afterwards every acknowledged record must be present exactly once, at the offset it
// was acknowledged with, in offset order, on every replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a 3-node cluster under kills and pauses', () => {
  let c: TestCluster;
  beforeAll(async () => {
    // Snapshots every 300 entries: the restarted and paused nodes must catch up past a truncated log.
    c = await TestCluster.start(3, ['--snapshot-entries', '300']);
  }, 60_000);
  afterAll(async () => c?.cleanup(), 30_000);

  it('keeps every acknowledged append exactly once, in order, on every replica', async () => {
    await c.log.createLog('fault', 1, 3);
    const group = await c.groupOf('fault', 0);

    const acked = new Map<string, number>();
    const ackTimes: number[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let seq = 1; !stop; seq++) {
        const value = `w${w}-${seq}`;
        // Retry the same (client id, sequence) until it is acknowledged: applied once whatever happens.
        for (;;) {
          try {
            const r = await c.log.append('fault', [value], { partition: 0, clientId: `writer-${w}`, sequence: seq, lowestUnacknowledged: seq, timeoutMs: 4000 });
            acked.set(value, r.firstOffset);
            ackTimes.push(Date.now());
            break;
          } catch {
            await sleep(20);
          }
        }
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));

    await sleep(1500);
    const leader = await c.leaderOf(group);
    const killedAt = Date.now();
    c.kill(leader, 'SIGKILL');
    // Wait (generously: CI machines are slow) until writes flow again: 50 acknowledgements
    // after the kill.
    const resumeBy = Date.now() + 30_000;
    while (ackTimes.filter((t) => t > killedAt).length < 50 && Date.now() < resumeBy) await sleep(20);
    const after = ackTimes.filter((t) => t > killedAt);
    expect(after.length, 'appends resumed after the leader was killed').toBeGreaterThanOrEqual(50);
    // Failover time: the longest pause in acknowledgements around the kill (requests in flight
    // keep being retried, so the first acknowledgement after the pause is the new leader's).
    const around = ackTimes.filter((t) => t >= killedAt - 500 && t <= after[49]!).sort((a, b) => a - b);
    let failoverMs = 0;
    for (let i = 1; i < around.length; i++) failoverMs = Math.max(failoverMs, around[i]! - around[i - 1]!);
    await sleep(1000);
    c.restart(leader);
    await sleep(2000);
    const now = await c.leaderOf(group);
    const follower = c.storageIds().find((id) => id !== now)!;
    c.kill(follower, 'SIGSTOP');
    await sleep(2000);
    c.kill(follower, 'SIGCONT');
    await sleep(1000);
    stop = true;
    await Promise.all(writers);
    console.log(`failover: acknowledgements paused ${failoverMs} ms around the SIGKILL of the leader (node ${leader}); ${acked.size} records acknowledged`);
    expect(acked.size).toBeGreaterThan(100);

    // Every replica converges to the same log.
    const expected = await c.log.readAll('fault', 0);
    const until = Date.now() + 30_000;
    for (const id of c.storageIds()) {
      let got = await c.replicaRecords(id, group).catch(() => []);
      while (got.length < expected.length && Date.now() < until) {
        await sleep(200);
        got = await c.replicaRecords(id, group).catch(() => []);
      }
      expect(got.map((r) => [r.offset, Buffer.from(r.value).toString()]), `replica on node ${id}`).toEqual(expected.map((r) => [r.offset, Buffer.from(r.value).toString()]));
    }

    // Dense offsets from 0, each value once, each acknowledged value at its acknowledged offset.
    expect(expected.map((r) => r.offset)).toEqual(expected.map((_, i) => i));
    const values = expected.map((r) => Buffer.from(r.value).toString());
    expect(new Set(values).size).toBe(values.length);
    for (const [value, offset] of acked) expect(values[offset], `acknowledged ${value}`).toBe(value);
  }, 120_000);
});
