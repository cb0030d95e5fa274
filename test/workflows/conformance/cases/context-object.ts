// The context object: $$.Execution.*, $$.State.*, $$.StateMachine.*, and $states.context in
// JSONata. Values come from the fake host's fixed execution (host.ts INFO) and virtual clock.
import { type Case, failThen, lambdaArn } from '../case.js';
import { INFO, START_ISO } from '../host.js';

const FN = lambdaArn('Flaky');

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
export const contextCases: Case[] = [
  {
    name: '$$.Execution, $$.StateMachine and $$.State fields',
    definition: {
      StartAt: 'Wait',
      States: {
        Wait: { Type: 'Wait', Seconds: 5, Next: 'Read' },
        Read: {
          Type: 'Pass',
          Parameters: {
            'id.$': '$$.Execution.Id',
            'name.$': '$$.Execution.Name',
            'start.$': '$$.Execution.StartTime',
            'input.$': '$$.Execution.Input',
            'role.$': '$$.Execution.RoleArn',
            'redrives.$': '$$.Execution.RedriveCount',
            'machineId.$': '$$.StateMachine.Id',
            'machineName.$': '$$.StateMachine.Name',
            'state.$': '$$.State.Name',
            'entered.$': '$$.State.EnteredTime',
            'retries.$': '$$.State.RetryCount',
          },
          End: true,
        },
      },
    },
    input: { order: 'o-1' },
    expect: {
      status: 'SUCCEEDED',
      output: {
        id: INFO.id,
        name: INFO.name,
        start: START_ISO,
        input: { order: 'o-1' },
        role: INFO.roleArn,
        redrives: 0,
        machineId: INFO.stateMachineId,
        machineName: INFO.stateMachineName,
        state: 'Read',
        entered: '2024-01-01T00:00:05.000Z',
        retries: 0,
      },
    },
  },
  {
    name: '$$.Execution.Input is the execution input whatever the states did to the data',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: 'replaced', Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'now.$': '$', 'original.$': '$$.Execution.Input.v' }, End: true },
      },
    },
    input: { v: 42 },
    expect: { status: 'SUCCEEDED', output: { now: 'replaced', original: 42 } },
  },
  {
    name: '$$.State.RetryCount counts the retries of the current state',
    definition: {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: FN,
          Parameters: { 'retry.$': '$$.State.RetryCount' },
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, BackoffRate: 1 }],
          End: true,
        },
      },
    },
    input: {},
    resources: { [FN]: failThen(['E', 'E'], 'ok') },
    expect: { status: 'SUCCEEDED', output: 'ok', invocationInputs: [{ retry: 0 }, { retry: 1 }, { retry: 2 }] },
  },
  {
    name: '$$.State.EnteredTime of a state entered after a task',
    definition: {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: FN, Next: 'R' },
        R: { Type: 'Pass', Parameters: { 'entered.$': '$$.State.EnteredTime' }, End: true },
      },
    },
    input: {},
    resources: { [FN]: () => ({ done: true }) },
    expect: { status: 'SUCCEEDED', output: { entered: START_ISO } },
  },
  {
    name: '$states.context in JSONata',
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'S',
      States: {
        S: {
          Type: 'Pass',
          Output: {
            name: '{% $states.context.Execution.Name %}',
            input: '{% $states.context.Execution.Input %}',
            state: '{% $states.context.State.Name %}',
            machine: '{% $states.context.StateMachine.Name %}',
          },
          End: true,
        },
      },
    },
    input: { a: 1 },
    expect: { status: 'SUCCEEDED', output: { name: 'exec-1', input: { a: 1 }, state: 'S', machine: 'Conformance' } },
  },
  {
    name: '$$.Map.Item and $$.Execution in ItemSelector',
    definition: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemSelector: { 'index.$': '$$.Map.Item.Index', 'execution.$': '$$.Execution.Name' },
          ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    },
    input: ['x', 'y'],
    expect: { status: 'SUCCEEDED', output: [{ index: 0, execution: 'exec-1' }, { index: 1, execution: 'exec-1' }] },
  },
];
