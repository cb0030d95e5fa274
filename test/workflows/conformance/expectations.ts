// Compares a run with a case's expectations. Shared by the plain and the crash runners so both
// hold the engine to the same AWS behaviour.
import { expect } from 'vitest';
import { type Case } from './case.js';
import { type RunResult } from './host.js';

function isSubsequence(wanted: string[], actual: string[]): boolean {
  let i = 0;
  for (const a of actual) if (i < wanted.length && a === wanted[i]) i++;
  return i === wanted.length;
}

export function checkResult(c: Case, r: RunResult): void {
  const e = c.expect;
  const summary = `status=${r.status} error=${r.error ?? ''} cause=${r.cause ?? ''}${r.stuck ? ' (stuck: nothing left to deliver)' : ''}`;
  expect(r.status, summary).toBe(e.status);
  if (e.error !== undefined) expect(r.error, summary).toBe(e.error);
  if (e.cause !== undefined) expect(r.cause, summary).toBe(e.cause);
  if ('output' in e) expect(r.output).toEqual(e.output);
  if (e.outputCheck !== undefined) {
    expect(r.output, 'no output').not.toBeUndefined();
    if (r.output !== undefined) expect(e.outputCheck(r.output)).toBeUndefined();
  }
  const times = r.invocations.map((i) => i.atMs);
  if (e.invocationTimesMs !== undefined) expect(times).toEqual(e.invocationTimesMs);
  if (e.invocationGapsWithinMs !== undefined) {
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.length, `gaps ${JSON.stringify(gaps)}`).toBe(e.invocationGapsWithinMs.length);
    e.invocationGapsWithinMs.forEach(([min, max], i) => {
      const g = gaps[i]!;
      expect(g >= min && g <= max, `gap ${i} = ${g} not within [${min}, ${max}] (gaps ${JSON.stringify(gaps)})`).toBe(true);
    });
  }
  if (e.invocationInputs !== undefined) expect(r.invocations.map((i) => i.input)).toEqual(e.invocationInputs);
  if (e.maxConcurrency !== undefined) expect(r.maxConcurrency, 'max concurrently open tasks').toBe(e.maxConcurrency);
  if (e.elapsedMs !== undefined) expect(r.elapsedMs, 'virtual elapsed ms').toBe(e.elapsedMs);
  const types = r.events.map((ev) => ev.type);
  if (e.eventTypes !== undefined) expect(types).toEqual(e.eventTypes);
  if (e.eventTypesInclude !== undefined) {
    expect(isSubsequence(e.eventTypesInclude, types), `events ${JSON.stringify(types)}`).toBe(true);
  }
  // History events are numbered 1, 2, 3… with no gap or repeat, whatever the case.
  expect(r.events.map((ev) => ev.id)).toEqual(r.events.map((_ev, i) => i + 1));
}
