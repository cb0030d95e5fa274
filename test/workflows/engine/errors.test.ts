import { describe, expect, it } from 'vitest';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';
import { ACTIVITY, FakeHost, fail, flaky, LAMBDA, ok, seeded, START_MS } from './host.js';

function timerTimes(h: FakeHost): number[] {
  return h.effects.flatMap((e) => (e.type === 'timer' ? [e.atMs - START_MS] : []));
}

describe('engine: Retry and Catch', () => {
  it('retries with IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Retry: [{ ErrorEquals: ['Boom'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 4, MaxDelaySeconds: 10 }],
          End: true,
        },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: flaky(4, 'Boom', 'ok') });
    await h.start({});
    await h.run();
    expect(h.state).toMatchObject({ status: 'SUCCEEDED', output: 'ok' });
    // Each retry waits from the failure: 2, then 6, then min(18,10), then min(54,10).
    expect(timerTimes(h)).toEqual([2000, 2000 + 6000, 8000 + 10000, 18000 + 10000]);
    expect(h.log).toHaveLength(5);
    // A retry gets a fresh task id and token; no new TaskStateEntered.
    expect(new Set(h.log.map((t) => t.id)).size).toBe(5);
    expect(h.types().filter((t) => t === 'TaskStateEntered')).toHaveLength(1);
    expect(h.types().filter((t) => t === 'LambdaFunctionFailed')).toHaveLength(4);
  });

  it('FULL jitter draws the delay uniformly from [0, delay] with the step random', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: LAMBDA, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 4, JitterStrategy: 'FULL', MaxAttempts: 2 }], End: true } },
    };
    const h = new FakeHost(def, { [LAMBDA]: fail('E') }, { random: seeded(42) });
    await h.start({});
    await h.run();
    const r = seeded(42);
    const d1 = Math.round(4000 * r());
    const d2 = Math.round(8000 * r());
    expect(timerTimes(h)).toEqual([d1, d1 + d2]);
    expect(h.state).toMatchObject({ status: 'FAILED', error: 'E' });
  });

  it('MaxAttempts 0 never retries; the first matching retrier decides; then Catch', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: LAMBDA,
          Retry: [
            { ErrorEquals: ['E'], MaxAttempts: 0 },
            { ErrorEquals: ['States.ALL'], MaxAttempts: 5 },
          ],
          Catch: [{ ErrorEquals: ['E'], ResultPath: '$.err', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: fail('E', 'why') });
    await h.start({ keep: 1 });
    await h.run();
    expect(h.log).toHaveLength(1);
    expect(h.state.output).toEqual({ keep: 1, err: { Error: 'E', Cause: 'why' } });
    // A caught error still writes TaskStateExited, with the catcher's output.
    expect(h.types().slice(1)).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('States.TaskFailed matches task errors but not States.Timeout; States.ALL does not take DataLimitExceeded', async () => {
    const big = 'x'.repeat(300 * 1024);
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: LAMBDA, TimeoutSeconds: 5, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }], End: true },
        Caught: { Type: 'Succeed' },
      },
    };
    const a = new FakeHost(def, { [LAMBDA]: fail('Custom') });
    await a.start({});
    await a.run();
    expect(a.state.status).toBe('SUCCEEDED');

    const b = new FakeHost(def, { [LAMBDA]: () => undefined });
    await b.start({});
    await b.run();
    expect(b.state).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(b.types()).toContain('LambdaFunctionTimedOut');
    // The timed-out invocation was cancelled.
    expect(b.effects).toContainEqual({ type: 'cancel', id: b.log[0]?.id });

    const defAll: StateMachineDefinition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: LAMBDA, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true }, Caught: { Type: 'Succeed' } },
    };
    const c = new FakeHost(defAll, { [LAMBDA]: ok(big) });
    await c.start({});
    await c.run();
    expect(c.state).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('activity heartbeats re-arm the heartbeat timer; silence is States.HeartbeatTimeout', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: ACTIVITY, HeartbeatSeconds: 10, TimeoutSeconds: 100, Catch: [{ ErrorEquals: ['States.HeartbeatTimeout'], Next: 'HB' }], End: true },
        HB: { Type: 'Pass', End: true },
      },
    };
    const h = new FakeHost(def, { [ACTIVITY]: () => undefined });
    await h.start({});
    const t = h.log[0];
    expect(t).toMatchObject({ token: `tok:exec1:${t?.id}`, heartbeatSeconds: 10, timeoutSeconds: 100 });
    expect(h.detail('ActivityScheduled')).toMatchObject({ resource: ACTIVITY, timeoutInSeconds: 100, heartbeatInSeconds: 10 });
    h.now += 5000;
    await h.feed({ type: 'taskStarted', id: t?.id as string, workerName: 'w1' });
    expect(h.detail('ActivityStarted')).toEqual({ workerName: 'w1' });
    h.now += 8000;
    await h.feed({ type: 'taskHeartbeat', id: t?.id as string });
    const hb = h.state.openTimers.find((x) => x.atMs === h.now + 10_000);
    expect(hb).toBeDefined();
    await h.run();
    expect(h.now).toBe(START_MS + 23_000);
    expect(h.detail('ActivityTimedOut')).toEqual({ error: 'States.HeartbeatTimeout' });
    expect(h.state.status).toBe('SUCCEEDED');
    expect(h.state.output).toEqual({ Error: 'States.HeartbeatTimeout', Cause: '' });
  });

  it('ResultPath that cannot apply is States.ResultPathMatchFailure, catchable', async () => {
    const def: StateMachineDefinition = {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: LAMBDA, ResultPath: '$.a.b', Catch: [{ ErrorEquals: ['States.ResultPathMatchFailure'], Next: 'C' }], End: true },
        C: { Type: 'Pass', End: true },
      },
    };
    const h = new FakeHost(def, { [LAMBDA]: ok(1) });
    await h.start({ a: 'str' });
    await h.run();
    expect(h.state.status).toBe('SUCCEEDED');
    expect((h.state.output as { Error: string }).Error).toBe('States.ResultPathMatchFailure');
  });
});
