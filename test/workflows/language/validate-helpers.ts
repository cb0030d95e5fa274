// Builders shared by the validation tests: a machine around one or more states, and the error
// diagnostics reduced to what AWS prints (code, message, location).
import { type Diagnostic, validateDefinition } from '../../../workflows/language/validate.js';

export const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:f';

/** A machine starting at the first of `states`. */
export function machine(states: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ StartAt: Object.keys(states)[0], States: states, ...extra });
}

/** A machine holding one state A (End: true added unless the state says otherwise). */
export function one(state: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const terminal = ['Choice', 'Succeed', 'Fail'].includes(String(state['Type']));
  const s = terminal || 'Next' in state || 'End' in state ? state : { ...state, End: true };
  return machine({ A: s }, extra);
}

export function errors(diagnostics: Diagnostic[]): { code: string; message: string; location?: string }[] {
  return diagnostics.filter((d) => d.severity === 'ERROR').map(({ code, message, location }) => (location === undefined ? { code, message } : { code, message, location }));
}

export function errorsOf(text: string, type?: 'STANDARD' | 'EXPRESS'): { code: string; message: string; location?: string }[] {
  const v = validateDefinition(text, type === undefined ? undefined : { type });
  return errors(v.diagnostics);
}
