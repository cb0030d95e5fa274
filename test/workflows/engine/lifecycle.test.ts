import { describe, expect, it } from 'vitest';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { step } from '../../../workflows/engine/index.js';
import { FakeHost, infoFor, LAMBDA, type Resource, seeded, START_MS } from './host.js';

const waitAndTask: StateMachineDefinition = {
  StartAt: 'W',
  TimeoutSeconds: 60,
  States: {
    W: { Type: 'Wait', Seconds: 5, Next: 'P' },
    P: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 3 }], End: true } } },
        {
          StartAt: 'M',
          States: {
            M: {
              Type: 'Map',
              MaxConcurrency: 2,
              ItemProcessor: { StartAt: 'T2', States: { T2: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 9, End: true } } },
              End: true,
            },
          },
        },
      ],
      End: true,
    },
  },
};

/** Answers in a deterministic but interleaved way: the first call of each input fails as Flaky. */
function scripted(): Resource {
  const seen = new Set<string>();
  return (input) => {
    const key = JSON.stringify(input);
    if (!seen.has(key)) {
      seen.add(key);
      return { error: 'Flaky', cause: key };
    }
    return { output: { done: input } };
  };
}

describe('engine: execution lifecycle', () => {
  it('gives the same history whether or not the state is JSON round-tripped between steps', async () => {
    const runOnce = async (roundTrip: boolean): Promise<FakeHost> => {
      const h = new FakeHost(waitAndTask, { [LAMBDA]: scripted() }, { roundTrip });
      await h.start([1, 2, 3]);
      await h.run();
      return h;
    };
    const a = await runOnce(false);
    const b = await runOnce(true);
    expect(a.state.status).toBe('FAILED');
    expect(b.events).toEqual(a.events);
    expect(b.state).toEqual(a.state);
  });

  it('ignores inputs for ids that are not open, duplicates and late reports', async () => {
    const def: StateMachineDefinition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } };
    const h = new FakeHost(def, { [LAMBDA]: () => undefined });
    await h.start({});
    const before = h.state;
    const env = { nowMs: START_MS, random: seeded(1) };
    for (const input of [
      { type: 'taskSucceeded' as const, id: 'nope', output: 1 },
      { type: 'timerFired' as const, id: 'nope' },
      { type: 'start' as const, input: {} },
      { type: 'redrive' as const },
    ]) {
      const r = await step(def, h.info, before, input, env);
      expect(r).toEqual({ state: before, events: [], effects: [], transitions: 0 });
    }
    const id = h.state.openTasks[0]?.id as string;
    await h.feed({ type: 'taskSucceeded', id, output: 'first' });
    const r = await step(def, h.info, h.state, { type: 'taskSucceeded', id, output: 'again' }, env);
    expect(r.events).toEqual([]);
    expect(r.state.output).toBe('first');
  });

  it('StopExecution aborts, cancels everything open and writes ExecutionAborted', async () => {
    const h = new FakeHost(waitAndTask, { [LAMBDA]: () => undefined });
    await h.start([1, 2, 3]);
    h.now += 5000;
    await h.feed({ type: 'timerFired', id: h.state.openTimers.find((t) => t.atMs === h.now)?.id as string });
    expect(h.state.openTasks).toHaveLength(3);
    const open = [...h.state.openTasks.map((t) => t.id), ...h.state.openTimers.map((t) => t.id)];
    h.effects = [];
    await h.feed({ type: 'stop', error: 'User', cause: 'enough' });
    expect(h.state).toMatchObject({ status: 'ABORTED', error: 'User', cause: 'enough', openTasks: [], openTimers: [] });
    expect(h.effects.map((e) => (e.type === 'cancel' ? e.id : '?')).sort()).toEqual(open.sort());
    expect(h.types().at(-1)).toBe('ExecutionAborted');
    expect(h.detail('ExecutionAborted')).toEqual({ error: 'User', cause: 'enough' });
  });

  it('TimeoutSeconds times the execution out', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'W',
      TimeoutSeconds: 60,
      States: { W: { Type: 'Wait', Seconds: 5, Next: 'T' }, T: { Type: 'Task', Resource: LAMBDA, HeartbeatSeconds: 100, End: true } },
    };
    const h = new FakeHost(def, { [LAMBDA]: () => undefined });
    await h.start([1]);
    await h.run();
    expect(h.state.status).toBe('TIMED_OUT');
    expect(h.now).toBe(START_MS + 60_000);
    expect(h.types().at(-1)).toBe('ExecutionTimedOut');
    expect(h.state.openTasks).toEqual([]);
  });

  it('maxDurationSeconds (Express) bounds the execution too', async () => {
    const def: StateMachineDefinition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1000, End: true } } };
    const h = new FakeHost(def, {}, { step: { maxDurationSeconds: 300 } });
    await h.start({});
    await h.run();
    expect(h.state.status).toBe('TIMED_OUT');
    expect(h.now).toBe(START_MS + 300_000);
  });

  it('redrive re-runs only the failed Map iterations, from the failed state with its input', async () => {
    let broken = true;
    const calls: number[] = [];
    const r: Resource = (input) => {
      const v = input as number;
      calls.push(v);
      return broken && v === 2 ? { error: 'Down', cause: 'x' } : { output: v * 10 };
    };
    const def: StateMachineDefinition = {
      StartAt: 'Prep',
      States: {
        Prep: { Type: 'Pass', Next: 'M' },
        M: { Type: 'Map', MaxConcurrency: 1, ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } }, Next: 'Done' },
        Done: { Type: 'Pass', End: true },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: r }, { roundTrip: true });
    await h.start([1, 2, 3]);
    await h.run();
    expect(h.state).toMatchObject({ status: 'FAILED', error: 'Down' });
    expect(calls).toEqual([1, 2]);
    broken = false;
    h.info = { ...h.info, redriveCount: 1 };
    await h.feed({ type: 'redrive' });
    await h.run();
    expect(h.state).toMatchObject({ status: 'SUCCEEDED', output: [10, 20, 30] });
    expect(calls).toEqual([1, 2, 2, 3]);
    expect(h.detail('ExecutionRedriven')).toEqual({ redriveCount: 1 });
    // Prep ran once: the redrive resumed inside the Map.
    expect(h.types().filter((t) => t === 'PassStateEntered')).toHaveLength(2);
    expect(h.state.error).toBeUndefined();
  });

  it('redrive after a stop re-enters the state that was running', async () => {
    const def: StateMachineDefinition = { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'in', Next: 'T' }, T: { Type: 'Task', Resource: LAMBDA, End: true } } };
    let answer = false;
    const h = new FakeHost(def, { [LAMBDA]: (i) => (answer ? { output: i } : undefined) });
    await h.start({});
    await h.feed({ type: 'stop' });
    expect(h.state.status).toBe('ABORTED');
    answer = true;
    await h.feed({ type: 'redrive' });
    await h.run();
    expect(h.state).toMatchObject({ status: 'SUCCEEDED', output: 'in' });
    expect(h.log).toHaveLength(2);
  });

  it('fails the execution when the history would pass maxEvents, keeping the last slot for ExecutionFailed', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'L',
      States: {
        L: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.stop', BooleanEquals: true, Next: 'End' }], Default: 'L' },
        End: { Type: 'Succeed' },
      },
    };
    const h = new FakeHost(def, {}, { step: { maxEvents: 50 } });
    await h.start({ stop: false });
    expect(h.state.status).toBe('FAILED');
    expect(h.state.error).toBe('States.Runtime');
    expect(h.events.at(-1)).toMatchObject({ id: 50, type: 'ExecutionFailed' });
    expect(h.state.nextEventId).toBe(51);
  });

  it('leaves the input state untouched unless inPlace', async () => {
    const def: StateMachineDefinition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: LAMBDA, End: true } } };
    const h = new FakeHost(def, { [LAMBDA]: () => undefined });
    await h.start({});
    const snapshot = JSON.stringify(h.state);
    const id = h.state.openTasks[0]?.id as string;
    await step(def, infoFor(), h.state, { type: 'taskSucceeded', id, output: 1 }, { nowMs: START_MS, random: seeded(1) });
    expect(JSON.stringify(h.state)).toBe(snapshot);
  });
});
