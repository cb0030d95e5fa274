// The crash variant: the host dies after every step and recovers from the committed (JSON
// round-tripped) state alone, re-issuing open tasks and timers. The execution must end exactly as
// without crashes, with the same history: no state entered twice, no transition repeated.
import { describe, expect, it } from 'vitest';
import { type Case } from './case.js';
import { topics } from './cases/index.js';
import { checkResult } from './expectations.js';
import { runCase } from './host.js';

const REPRESENTATIVE = [
  'a chain of Pass states',
  'waits add up, and a task after them starts when they end',
  'retriers count attempts separately across one state (ErrorA, ErrorB, ErrorC, ErrorB)',
  'TimeoutSeconds: a task that never answers fails with States.Timeout',
  'a Choice loop runs until its condition changes',
  'the output is the branch outputs in branch order, whatever finishes first',
  'a failing task in a branch fails the Parallel state; its Catch sees the branch error',
  'MaxConcurrency 2 keeps at most two iterations running',
  'Map iterations read variables of the enclosing scope',
  'heartbeats within HeartbeatSeconds keep a long callback task alive',
  'an activity picked up by a worker and completed',
  'the machine TimeoutSeconds times the execution out',
];

const all = topics.flatMap(([, cases]) => cases);
const chosen = REPRESENTATIVE.map((name): [string, Case] => {
  const c = all.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no case named ${name}`);
  return [name, c];
});

describe('conformance: crash and recover at every step', () => {
  it.each(chosen)('%s', async (_name, c) => {
    const plain = await runCase(c);
    const crashed = await runCase(c, { crash: true });
    checkResult(c, crashed);
    expect(crashed.output).toEqual(plain.output);
    expect(crashed.elapsedMs).toBe(plain.elapsedMs);
    const entered = (r: typeof plain): string[] =>
      r.events.filter((e) => e.type.endsWith('StateEntered')).map((e) => `${e.type}:${JSON.stringify(e.details?.value['name'] ?? null)}`);
    expect(entered(crashed)).toEqual(entered(plain));
    expect(crashed.events.map((e) => e.type)).toEqual(plain.events.map((e) => e.type));
  });
});
