// Stepping in place (what the hosts do) must give the same steps as stepping on copies: the
// effects are the difference between what was open before and after, so the "before" must not
// be the rewritten state.
import { describe, expect, it } from 'vitest';
import { newExecution, step } from '../../../workflows/engine/index.js';
import { type EngineInput, type ExecutionInfo, type Step } from '../../../workflows/engine/types.js';
import { type StateMachineDefinition } from '../../../workflows/language/definition.js';

const info: ExecutionInfo = {
  id: 'arn:aws:states:us-east-1:000000000000:execution:m:e',
  name: 'e',
  startTime: '2024-01-01T00:00:00.000Z',
  roleArn: 'arn:aws:iam::000000000000:role/r',
  stateMachineId: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
  stateMachineName: 'm',
  redriveCount: 0,
  taskTokenPrefix: 't.',
};

const def: StateMachineDefinition = {
  StartAt: 'W',
  States: {
    W: { Type: 'Wait', Seconds: 5, Next: 'T' },
    T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { 'v.$': '$.v' }, TimeoutSeconds: 30, Next: 'P' },
    P: { Type: 'Pass', End: true },
  },
};

async function run(inPlace: boolean): Promise<Step[]> {
  let state = newExecution();
  const steps: Step[] = [];
  let now = Date.parse(info.startTime);
  const feed = async (input: EngineInput): Promise<Step> => {
    const s = await step(def, info, state, input, { nowMs: now, random: () => 0.5 }, { inPlace });
    state = s.state;
    steps.push(structuredClone(s));
    return s;
  };
  const first = await feed({ type: 'start', input: { v: 1 } });
  const timer = first.effects.find((e) => e.type === 'timer');
  if (timer?.type !== 'timer') throw new Error('expected a timer');
  now = timer.atMs;
  const second = await feed({ type: 'timerFired', id: timer.id });
  const task = second.effects.find((e) => e.type === 'task');
  if (task?.type !== 'task') throw new Error('expected a task');
  await feed({ type: 'taskSucceeded', id: task.id, output: { ok: true } });
  return steps;
}

describe('stepping in place', () => {
  it('gives the same events, effects and states as stepping on copies', async () => {
    const copied = await run(false);
    const inPlace = await run(true);
    expect(inPlace).toEqual(copied);
    // The timer fired: its step starts the task and arms its timeout; the task's step cancels that timeout.
    expect(inPlace[1]!.effects.map((e) => e.type).sort()).toEqual(['task', 'timer']);
    expect(inPlace[2]!.effects.map((e) => e.type)).toEqual(['cancel']);
    expect(inPlace[2]!.state.status).toBe('SUCCEEDED');
  });
});
