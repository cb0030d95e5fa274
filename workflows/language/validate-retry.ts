// Retry and Catch arrays (Task, Parallel, Map). The catch-all States.ALL must stand alone and
// come last, because a later entry could never match after it.
import { States } from './errors.js';
import { type JsonObject } from './json.js';
import { at, type Collector, type StateScope } from './validate-context.js';
import { CATCHER_FIELDS, JSONATA_ONLY, JSONPATH_ONLY, MAX_DELAY_SECONDS, MAX_SECONDS, RETRIER_FIELDS } from './validate-fields.js';
import { checkAssign, checkJsonataStrings, checkResultPath } from './validate-paths.js';

function checkErrorEquals(c: Collector, entry: JsonObject, loc: string, isLast: boolean): void {
  const list = entry['ErrorEquals'];
  const here = at(loc, 'ErrorEquals');
  if (!c.nonEmptyArray(list, here)) return;
  list.forEach((name, i) => c.nonEmptyString(name, at(here, i)));
  if (list.includes(States.ALL) && (list.length > 1 || !isLast)) c.schema('States.ALL must appear alone and at end of list', here);
}

function checkRetrier(c: Collector, v: unknown, loc: string, isLast: boolean): void {
  if (!c.object(v, loc)) return;
  c.onlyFields(v, RETRIER_FIELDS, loc);
  if (c.required(v, ['ErrorEquals'], loc)) checkErrorEquals(c, v, loc, isLast);
  // IntervalSeconds 0 is accepted by AWS even though the spec asks for a positive integer.
  if ('IntervalSeconds' in v) c.integer(v['IntervalSeconds'], at(loc, 'IntervalSeconds'), 0, MAX_SECONDS);
  if ('MaxAttempts' in v) c.integer(v['MaxAttempts'], at(loc, 'MaxAttempts'), 0, MAX_SECONDS);
  if ('BackoffRate' in v) c.number(v['BackoffRate'], at(loc, 'BackoffRate'), 1, undefined, true);
  if ('MaxDelaySeconds' in v) c.integer(v['MaxDelaySeconds'], at(loc, 'MaxDelaySeconds'), 1, MAX_DELAY_SECONDS);
  if ('JitterStrategy' in v) c.enumeration(v['JitterStrategy'], ['FULL', 'NONE'], at(loc, 'JitterStrategy'));
  if ('Comment' in v) c.string(v['Comment'], at(loc, 'Comment'));
}

function checkCatcher(c: Collector, v: unknown, loc: string, isLast: boolean, scope: StateScope): void {
  if (!c.object(v, loc)) return;
  c.onlyFields(v, CATCHER_FIELDS, loc);
  for (const k of Object.keys(v)) {
    if (scope.language === 'JSONata' && JSONPATH_ONLY.has(k)) c.schema(`The QueryLanguage is set to 'JSONata', but field '${k}' is only supported for the 'JSONPath' QueryLanguage`, loc);
    if (scope.language === 'JSONPath' && JSONATA_ONLY.has(k)) c.schema(`The QueryLanguage is set to 'JSONPath', but field '${k}' is only supported for the 'JSONata' QueryLanguage`, loc);
  }
  c.required(v, ['ErrorEquals', 'Next'], loc);
  if ('ErrorEquals' in v) checkErrorEquals(c, v, loc, isLast);
  if ('Next' in v) c.nonEmptyString(v['Next'], at(loc, 'Next'));
  if ('ResultPath' in v && scope.language === 'JSONPath') checkResultPath(c, v['ResultPath'], at(loc, 'ResultPath'));
  if ('Output' in v && scope.language === 'JSONata') checkJsonataStrings(c, v['Output'], at(loc, 'Output'));
  if ('Assign' in v) checkAssign(c, v['Assign'], at(loc, 'Assign'), scope.language);
  if ('Comment' in v) c.string(v['Comment'], at(loc, 'Comment'));
}

export function checkRetryCatch(c: Collector, state: JsonObject, scope: StateScope): void {
  if ('Retry' in state) {
    const loc = at(scope.loc, 'Retry');
    const retry = state['Retry'];
    if (c.array(retry, loc)) retry.forEach((r, i) => checkRetrier(c, r, at(loc, i), i === retry.length - 1));
  }
  if ('Catch' in state) {
    const loc = at(scope.loc, 'Catch');
    const katch = state['Catch'];
    if (c.array(katch, loc)) katch.forEach((r, i) => checkCatcher(c, r, at(loc, i), i === katch.length - 1, scope));
  }
}
