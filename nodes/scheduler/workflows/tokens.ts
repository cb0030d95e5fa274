// Task tokens route a callback (SendTaskSuccess, GetActivityTask's token) back to its execution:
// the state machine's group and the execution's name, then the task's id within the execution.
// Opaque to clients; AWS allows up to 2,048 characters.

export interface TaskTokenParts {
  group: number;
  name: string;
  taskId: string;
}

const SEPARATOR = '.';

export function taskTokenPrefix(group: number, name: string): string {
  return `${Buffer.from(JSON.stringify([group, name]), 'utf8').toString('base64url')}${SEPARATOR}`;
}

/** undefined: not a token this cluster made. */
export function parseTaskToken(token: string): TaskTokenParts | undefined {
  const at = token.indexOf(SEPARATOR);
  if (at <= 0 || at === token.length - 1) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(token.slice(0, at), 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 2 || !Number.isInteger(v[0]) || typeof v[1] !== 'string') return undefined;
    return { group: v[0] as number, name: v[1] as string, taskId: token.slice(at + 1) };
  } catch {
    return undefined;
  }
}
