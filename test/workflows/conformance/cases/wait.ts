// Wait state: Seconds, Timestamp, SecondsPath, TimestampPath, measured on the virtual clock.
import { type Case, echo, lambdaArn, single } from '../case.js';

const ECHO = lambdaArn('Echo');

// https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
export const waitCases: Case[] = [
  {
    name: 'Seconds waits that long and passes the input through',
    definition: single({ Type: 'Wait', Seconds: 10 }),
    input: { a: 1 },
    expect: {
      status: 'SUCCEEDED',
      output: { a: 1 },
      elapsedMs: 10_000,
      eventTypes: ['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded'],
    },
  },
  {
    name: 'Timestamp waits until that instant',
    definition: single({ Type: 'Wait', Timestamp: '2024-01-01T00:01:00Z' }),
    input: {},
    expect: { status: 'SUCCEEDED', output: {}, elapsedMs: 60_000 },
  },
  {
    name: 'SecondsPath reads the wait from the input',
    definition: single({ Type: 'Wait', SecondsPath: '$.expirydate' }),
    input: { expirydate: 7 },
    expect: { status: 'SUCCEEDED', output: { expirydate: 7 }, elapsedMs: 7_000 },
  },
  {
    name: 'TimestampPath reads the instant from the input',
    definition: single({ Type: 'Wait', TimestampPath: '$.expirydate' }),
    input: { expirydate: '2024-01-01T01:00:00Z' },
    expect: { status: 'SUCCEEDED', output: { expirydate: '2024-01-01T01:00:00Z' }, elapsedMs: 3_600_000 },
  },
  {
    name: 'a Timestamp in the past does not wait',
    definition: single({ Type: 'Wait', Timestamp: '2016-03-14T01:59:00Z' }),
    input: {},
    expect: { status: 'SUCCEEDED', output: {}, elapsedMs: 0 },
  },
  {
    name: 'Seconds 0 does not wait',
    definition: single({ Type: 'Wait', Seconds: 0 }),
    input: 'x',
    expect: { status: 'SUCCEEDED', output: 'x', elapsedMs: 0 },
  },
  {
    name: 'Wait with InputPath and OutputPath',
    definition: single({ Type: 'Wait', Seconds: 1, InputPath: '$.a', OutputPath: '$.b' }),
    input: { a: { b: 2 } },
    expect: { status: 'SUCCEEDED', output: 2, elapsedMs: 1_000 },
  },
  {
    name: 'waits add up, and a task after them starts when they end',
    definition: {
      StartAt: 'W1',
      States: {
        W1: { Type: 'Wait', Seconds: 5, Next: 'W2' },
        W2: { Type: 'Wait', SecondsPath: '$.more', Next: 'T' },
        T: { Type: 'Task', Resource: ECHO, End: true },
      },
    },
    input: { more: 3 },
    resources: { [ECHO]: echo() },
    expect: { status: 'SUCCEEDED', output: { more: 3 }, elapsedMs: 8_000, invocationTimesMs: [8_000] },
  },
  {
    name: 'a SecondsPath that is not a number fails with States.Runtime',
    definition: single({ Type: 'Wait', SecondsPath: '$.s' }),
    input: { s: 'soon' },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'a TimestampPath that is not a timestamp fails with States.Runtime',
    definition: single({ Type: 'Wait', TimestampPath: '$.t' }),
    input: { t: 'tomorrow' },
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
  {
    name: 'a missing SecondsPath fails with States.Runtime',
    definition: single({ Type: 'Wait', SecondsPath: '$.nothing' }),
    input: {},
    expect: { status: 'FAILED', error: 'States.Runtime' },
  },
];
