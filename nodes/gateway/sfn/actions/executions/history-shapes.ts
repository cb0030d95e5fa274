// GetExecutionHistory's event shape: every `<type>EventDetails` member of AWS's HistoryEvent.
// Details are written by the interpreter in AWS's own layout, so they leave as they are: a
// map shape passes nested values through the JSON writer unchanged.
import { t } from '../../../shapes.js';
import { timestamp } from '../../shapes.js';

export const DETAIL_KEYS = [
  'activityFailedEventDetails',
  'activityScheduleFailedEventDetails',
  'activityScheduledEventDetails',
  'activityStartedEventDetails',
  'activitySucceededEventDetails',
  'activityTimedOutEventDetails',
  'taskFailedEventDetails',
  'taskScheduledEventDetails',
  'taskStartFailedEventDetails',
  'taskStartedEventDetails',
  'taskSubmitFailedEventDetails',
  'taskSubmittedEventDetails',
  'taskSucceededEventDetails',
  'taskTimedOutEventDetails',
  'executionFailedEventDetails',
  'executionStartedEventDetails',
  'executionSucceededEventDetails',
  'executionAbortedEventDetails',
  'executionTimedOutEventDetails',
  'executionRedrivenEventDetails',
  'mapStateStartedEventDetails',
  'mapIterationStartedEventDetails',
  'mapIterationSucceededEventDetails',
  'mapIterationFailedEventDetails',
  'mapIterationAbortedEventDetails',
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionScheduleFailedEventDetails',
  'lambdaFunctionScheduledEventDetails',
  'lambdaFunctionStartFailedEventDetails',
  'lambdaFunctionSucceededEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'stateEnteredEventDetails',
  'stateExitedEventDetails',
  'mapRunStartedEventDetails',
  'mapRunFailedEventDetails',
  'mapRunRedrivenEventDetails',
  'evaluationFailedEventDetails',
] as const;

const details = t.map(t.string());

export const historyEvent = t.struct({
  timestamp,
  type: t.string(),
  id: t.integer(),
  previousEventId: t.integer(),
  ...(Object.fromEntries(DETAIL_KEYS.map((k) => [k, details])) as Record<(typeof DETAIL_KEYS)[number], typeof details>),
});

/** Members that carry execution data, left out when the caller asks for none. */
export const DATA_MEMBERS = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails', 'assignedVariables', 'assignedVariablesDetails']);
