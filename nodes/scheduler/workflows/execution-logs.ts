// CloudWatch-style execution logs: when a state machine's loggingConfiguration names a log group
// and a level other than OFF, each history event at that level becomes one JSON line, in the
// layout AWS writes to CloudWatch Logs (`id`, `type`, `details`, `previous_event_id`,
// `event_timestamp`, `execution_arn`; numbers as strings), stored in the cluster log of that
// group (`stratus logs tail --log-group NAME` prints it). Express executions have no other
// record of their steps; Standard ones log besides their history.
import { createHash } from 'node:crypto';
import { type LoggingConfiguration } from '../../../storage/partitions/meta-workflow-codec.js';
import { type HistoryEvent } from '../../../workflows/engine/types.js';
import { type FunctionLogs } from '../function-logs.js';

/** The cluster log of a CloudWatch log group name (log names allow [A-Za-z0-9_.-] only, 128 at most). */
export function workflowLogName(logGroup: string): string {
  const b = Buffer.from(logGroup, 'utf8').toString('base64url');
  return b.length <= 120 ? `states.${b}` : `states.h${createHash('sha256').update(logGroup).digest('hex').slice(0, 64)}`;
}

/** `arn:aws:logs:<region>:<account>:log-group:<name>:*` → name. */
export function logGroupOf(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(arn)?.[1];
}

const FATAL = new Set(['ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);
const isError = (type: string): boolean => FATAL.has(type) || /(Failed|TimedOut|ScheduleFailed|StartFailed|SubmitFailed)$/.test(type);
const DATA = new Set(['input', 'output', 'parameters', 'inputDetails', 'outputDetails']);

/** Whether AWS logs an event of this type at this level. */
export function loggedAt(level: LoggingConfiguration['level'], type: string): boolean {
  switch (level) {
    case 'ALL':
      return true;
    case 'ERROR':
      return isError(type);
    case 'FATAL':
      return FATAL.has(type);
    default:
      return false;
  }
}

export function logLine(e: HistoryEvent, executionArn: string, includeData: boolean): string {
  const details = e.details ? (includeData ? e.details.value : Object.fromEntries(Object.entries(e.details.value).filter(([k]) => !DATA.has(k)))) : {};
  return JSON.stringify({ id: String(e.id), type: e.type, details, previous_event_id: String(e.previousEventId), event_timestamp: String(e.timestamp), execution_arn: executionArn });
}

export class ExecutionLogs {
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(
    private readonly logs: FunctionLogs,
    private readonly log: (line: string) => void,
  ) {}

  /** Logs the events a step produced, as the machine's configuration asks; never throws. */
  record(config: LoggingConfiguration | undefined, executionArn: string, events: HistoryEvent[]): void {
    if (!config || config.level === 'OFF' || events.length === 0) return;
    const group = config.destinations.map(logGroupOf).find((g) => g !== undefined);
    if (group === undefined) return;
    const lines = events.filter((e) => loggedAt(config.level, e.type)).map((e) => logLine(e, executionArn, config.includeExecutionData));
    if (lines.length === 0) return;
    let ready = this.ensured.get(group);
    if (!ready) {
      ready = this.logs.ensure(group);
      ready.catch(() => this.ensured.delete(group));
      this.ensured.set(group, ready);
    }
    ready.then(
      () => this.logs.add(group, executionArn, lines.join('\n')),
      (err: unknown) => this.log(`workflow logs: log group ${group}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}
