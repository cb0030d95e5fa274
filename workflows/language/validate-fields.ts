// Which fields each state type accepts, and which belong to one query language only. The tables
// follow what AWS accepts (a field outside its type's set is refused with "Field 'X' is not
// supported"), so a definition that passes here is one CreateStateMachine would store.

export const STATE_TYPES = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;
export type StateType = (typeof STATE_TYPES)[number];

export function isStateType(v: unknown): v is StateType {
  return typeof v === 'string' && (STATE_TYPES as readonly string[]).includes(v);
}

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const IO = ['InputPath', 'OutputPath', 'Output'];
const TRANSITION = ['Next', 'End'];
const ERRORS = ['Retry', 'Catch'];

export const ALLOWED_FIELDS: Record<StateType, ReadonlySet<string>> = {
  Pass: new Set([...COMMON, ...IO, ...TRANSITION, 'Result', 'ResultPath', 'Parameters', 'Assign']),
  Task: new Set([
    ...COMMON, ...IO, ...TRANSITION, ...ERRORS, 'Resource', 'Parameters', 'Arguments', 'ResultSelector', 'ResultPath', 'Assign',
    'Credentials', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath',
  ]),
  Choice: new Set([...COMMON, ...IO, 'Assign', 'Choices', 'Default']),
  Wait: new Set([...COMMON, ...IO, ...TRANSITION, 'Assign', 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath']),
  Succeed: new Set([...COMMON, ...IO]),
  Fail: new Set([...COMMON, 'Error', 'Cause', 'ErrorPath', 'CausePath']),
  Parallel: new Set([...COMMON, ...IO, ...TRANSITION, ...ERRORS, 'Branches', 'Parameters', 'Arguments', 'ResultSelector', 'ResultPath', 'Assign']),
  Map: new Set([
    ...COMMON, ...IO, ...TRANSITION, ...ERRORS, 'ItemProcessor', 'Iterator', 'ItemsPath', 'Items', 'ItemSelector', 'Parameters',
    'ResultSelector', 'ResultPath', 'Assign', 'ItemReader', 'ItemBatcher', 'ResultWriter', 'Label',
    'MaxConcurrency', 'MaxConcurrencyPath', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
    'ToleratedFailureCount', 'ToleratedFailureCountPath',
  ]),
};

/** Fields a JSONata state may not carry (AWS: "... is only supported for the 'JSONPath' QueryLanguage"). */
export const JSONPATH_ONLY = new Set([
  'InputPath', 'OutputPath', 'ResultPath', 'Parameters', 'ResultSelector', 'Result', 'ItemsPath',
  'TimeoutSecondsPath', 'HeartbeatSecondsPath', 'SecondsPath', 'TimestampPath', 'MaxConcurrencyPath',
  'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath', 'ErrorPath', 'CausePath',
]);

/** Fields a JSONPath state may not carry. */
export const JSONATA_ONLY = new Set(['Arguments', 'Output', 'Items']);

export const TOP_LEVEL_FIELDS = new Set(['Comment', 'QueryLanguage', 'StartAt', 'TimeoutSeconds', 'Version', 'States']);
export const BRANCH_FIELDS = new Set(['Comment', 'QueryLanguage', 'StartAt', 'States']);
/** ItemProcessor/Iterator: the language is inherited from the machine and may not be declared here. */
export const PROCESSOR_FIELDS = new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']);

export const RETRIER_FIELDS = new Set(['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy', 'Comment']);
export const CATCHER_FIELDS = new Set(['ErrorEquals', 'Next', 'ResultPath', 'Output', 'Assign', 'Comment']);

/** Choice comparators and the JSON type their operand takes (a `*Path` operand is a reference path). */
export const COMPARATORS: Record<string, 'string' | 'number' | 'boolean' | 'timestamp' | 'path'> = {
  StringEquals: 'string', StringLessThan: 'string', StringGreaterThan: 'string', StringLessThanEquals: 'string',
  StringGreaterThanEquals: 'string', StringMatches: 'string',
  NumericEquals: 'number', NumericLessThan: 'number', NumericGreaterThan: 'number', NumericLessThanEquals: 'number',
  NumericGreaterThanEquals: 'number',
  BooleanEquals: 'boolean',
  TimestampEquals: 'timestamp', TimestampLessThan: 'timestamp', TimestampGreaterThan: 'timestamp',
  TimestampLessThanEquals: 'timestamp', TimestampGreaterThanEquals: 'timestamp',
  IsNull: 'boolean', IsPresent: 'boolean', IsNumeric: 'boolean', IsString: 'boolean', IsBoolean: 'boolean', IsTimestamp: 'boolean',
  StringEqualsPath: 'path', StringLessThanPath: 'path', StringGreaterThanPath: 'path', StringLessThanEqualsPath: 'path',
  StringGreaterThanEqualsPath: 'path', NumericEqualsPath: 'path', NumericLessThanPath: 'path', NumericGreaterThanPath: 'path',
  NumericLessThanEqualsPath: 'path', NumericGreaterThanEqualsPath: 'path', BooleanEqualsPath: 'path',
  TimestampEqualsPath: 'path', TimestampLessThanPath: 'path', TimestampGreaterThanPath: 'path',
  TimestampLessThanEqualsPath: 'path', TimestampGreaterThanEqualsPath: 'path',
};

/** RFC 3339 as ASL narrows it: uppercase T, and Z unless a numeric offset is given. */
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The spec caps state names at 80 characters. */
export const MAX_STATE_NAME_LENGTH = 80;
/** Upper bound shared by TimeoutSeconds, HeartbeatSeconds, Seconds and MaxAttempts. */
export const MAX_SECONDS = 99_999_999;
/** One year and a day: the most a retrier may wait between attempts. */
export const MAX_DELAY_SECONDS = 31_622_400;
