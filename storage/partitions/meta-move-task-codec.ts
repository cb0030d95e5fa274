// Message move tasks (SQS dead-letter-queue redrive) in the meta group: command bodies, the
// task record and decoders. Records are JSON like the rest of the catalog, rebuilt field by
// field so a replica that reloaded from the store re-encodes them byte for byte.
import { DecodeError, fromUtf8 } from './codec.js';
import { type Decoded, decodeResultWith } from './envelope.js';
import { type Obj, num, object, str } from './meta-queue-codec.js';

export const MOVE_TASK_STATUSES = ['RUNNING', 'COMPLETED', 'CANCELLING', 'CANCELLED', 'FAILED'] as const;
export type MoveTaskStatus = (typeof MOVE_TASK_STATUSES)[number];
/** The statuses an executor may end a task with (cancelling is the caller's, by CancelMoveTask). */
export const MOVE_TASK_OUTCOMES = ['COMPLETED', 'FAILED'] as const;
export type MoveTaskOutcome = (typeof MOVE_TASK_OUTCOMES)[number];

/** AWS's words (recorded), so the gateway can pass them on. */
export const TASK_RUNNING_MESSAGE = 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.';
export const TASK_MISSING_MESSAGE = 'Task does not exist.';

export interface MoveTaskRecord {
  /** Opaque to meta: the gateway makes it (and decodes the source back out of it). */
  handle: string;
  /** The dead-letter queue's name. */
  source: string;
  /** A queue name; absent: each message goes back to the queue it was dead-lettered from. */
  destination?: string;
  /** 1-500; absent: as fast as the executors go. */
  maxPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  /** The source's message count when the task started (ApproximateNumberOfMessagesToMove). */
  toMove: number;
  startedAtMs: number;
  failureReason?: string;
}

export type MoveTaskCommand =
  | { type: 'startMoveTask'; handle: string; source: string; destination?: string; maxPerSecond?: number; toMove: number }
  /** Adds `moved`; `status` ends a running task. */
  | { type: 'updateMoveTask'; source: string; handle: string; moved: number; status?: MoveTaskOutcome; failureReason?: string }
  | { type: 'cancelMoveTask'; source: string; handle: string };

export type MoveTaskQuery = { type: 'listMoveTasks'; source?: string };

const optNum = (o: Obj, f: string): number | undefined => (o[f] === undefined ? undefined : num(o, f));
const optStr = (o: Obj, f: string): string | undefined => (o[f] === undefined ? undefined : str(o, f));

function oneOf<T extends string>(o: Obj, f: string, values: readonly T[]): T {
  const v = str(o, f);
  const found = values.find((x) => x === v);
  if (found === undefined) throw new DecodeError(`${f} must be one of ${values.join(', ')}`);
  return found;
}

export function decodeMoveTaskCommand(type: MoveTaskCommand['type'], o: Obj): MoveTaskCommand {
  switch (type) {
    case 'startMoveTask': {
      const cmd: MoveTaskCommand = { type, handle: str(o, 'handle'), source: str(o, 'source'), toMove: num(o, 'toMove') };
      const destination = optStr(o, 'destination');
      const maxPerSecond = optNum(o, 'maxPerSecond');
      if (destination !== undefined) cmd.destination = destination;
      if (maxPerSecond !== undefined) cmd.maxPerSecond = maxPerSecond;
      return cmd;
    }
    case 'updateMoveTask': {
      const cmd: MoveTaskCommand = { type, source: str(o, 'source'), handle: str(o, 'handle'), moved: num(o, 'moved') };
      if (o.status !== undefined) cmd.status = oneOf(o, 'status', MOVE_TASK_OUTCOMES);
      const reason = optStr(o, 'failureReason');
      if (reason !== undefined) cmd.failureReason = reason;
      return cmd;
    }
    case 'cancelMoveTask':
      return { type, source: str(o, 'source'), handle: str(o, 'handle') };
  }
}

export function toMoveTaskRecord(v: unknown): MoveTaskRecord {
  const o = object(v);
  const destination = optStr(o, 'destination');
  const maxPerSecond = optNum(o, 'maxPerSecond');
  const reason = optStr(o, 'failureReason');
  // Field order matches MoveTaskTable's literals, so re-encoding is stable.
  return {
    handle: str(o, 'handle'),
    source: str(o, 'source'),
    ...(destination !== undefined ? { destination } : {}),
    ...(maxPerSecond !== undefined ? { maxPerSecond } : {}),
    status: oneOf(o, 'status', MOVE_TASK_STATUSES),
    moved: num(o, 'moved'),
    toMove: num(o, 'toMove'),
    startedAtMs: num(o, 'startedAtMs'),
    ...(reason !== undefined ? { failureReason: reason } : {}),
  };
}

export function toMoveTaskList(v: unknown, what = 'tasks'): MoveTaskRecord[] {
  if (!Array.isArray(v)) throw new DecodeError(`${what} must be an array`);
  return v.map(toMoveTaskRecord);
}

const parse = (b: Uint8Array): unknown => {
  try {
    return JSON.parse(fromUtf8(b)) as unknown;
  } catch (e) {
    throw new DecodeError(`invalid JSON body: ${e instanceof Error ? e.message : String(e)}`);
  }
};

/** Result of StartMoveTask, UpdateMoveTask and CancelMoveTask: the task as it now is. */
export function decodeMoveTaskResult(bytes: Uint8Array): Decoded<MoveTaskRecord> {
  return decodeResultWith(bytes, (b) => toMoveTaskRecord(parse(b)));
}

/** Answer to listMoveTasks: a source's tasks newest first, or every running task by source. */
export function decodeMoveTaskListResult(bytes: Uint8Array): Decoded<MoveTaskRecord[]> {
  return decodeResultWith(bytes, (b) => toMoveTaskList(object(parse(b)).tasks));
}
