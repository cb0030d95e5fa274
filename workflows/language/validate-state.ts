// One state, whatever its type: the fields its type allows, the fields its query language
// allows, and the shape of each field. Map and Parallel hand their sub-machines back to the
// caller (`SubCheck`) so the machine-level walk owns recursion and depth.
import { type QueryLanguage } from './definition.js';
import { type JsonObject } from './json.js';
import { at, isJsonataString, type Collector, Codes, type StateScope } from './validate-context.js';
import { checkChoices } from './validate-choice.js';
import { ALLOWED_FIELDS, isStateType, JSONATA_ONLY, JSONPATH_ONLY, MAX_SECONDS, STATE_TYPES, TIMESTAMP, type StateType } from './validate-fields.js';
import { checkAssign, checkJsonataStrings, checkPathOrIntrinsic, checkReferencePathField, checkResultPath, checkSelectPathField, checkTemplate } from './validate-paths.js';
import { checkResource } from './validate-resource.js';
import { checkRetryCatch } from './validate-retry.js';

/** Validates a Parallel branch or a Map processor found at `loc`. */
export type SubCheck = (v: unknown, loc: string, kind: 'branch' | 'processor') => void;

const TRANSITIONS: ReadonlySet<StateType> = new Set(['Pass', 'Task', 'Wait', 'Parallel', 'Map']);

/** The language a state's own QueryLanguage field gives it (anything but JSONPath reads as JSONata). */
export function ownLanguage(state: JsonObject, inherited: QueryLanguage | undefined): QueryLanguage {
  const q = state['QueryLanguage'];
  if (q === undefined) return inherited ?? 'JSONPath';
  return q === 'JSONPath' ? 'JSONPath' : 'JSONata';
}

/** A number field that JSONata states may also give as a `{% %}` expression. */
function numberField(c: Collector, s: JsonObject, field: string, scope: StateScope, min: number, max?: number, decimals = false): void {
  if (!(field in s)) return;
  const v = s[field];
  const loc = at(scope.loc, field);
  if (scope.language === 'JSONata' && typeof v === 'string') {
    if (!isJsonataString(v)) c.schema('JSONata string must start with {% and end with %}', loc);
    return;
  }
  c.integer(v, loc, min, max, decimals);
}

function pathField(c: Collector, s: JsonObject, field: string, scope: StateScope): void {
  if (field in s && scope.language === 'JSONPath') checkReferencePathField(c, s[field], at(scope.loc, field), { variables: true });
}

/** Parameters-like payload fields: a `.$` template under JSONPath, JSONata strings under JSONata. */
function payloadField(c: Collector, s: JsonObject, field: string, scope: StateScope): void {
  if (!(field in s)) return;
  if (scope.language === 'JSONPath') checkTemplate(c, s[field], at(scope.loc, field));
  else checkJsonataStrings(c, s[field], at(scope.loc, field));
}

function checkTransition(c: Collector, s: JsonObject, loc: string): void {
  if ('End' in s) c.boolean(s['End'], at(loc, 'End'));
  if ('Next' in s) c.nonEmptyString(s['Next'], at(loc, 'Next'));
  const ends = s['End'] === true;
  if ('Next' in s && ends) c.schema('There should only be one of the following fields: [Next, End]', loc);
  else if (!('Next' in s) && !ends) c.schema('This object should have only one of the following fields: [Next, End]', loc);
}

function checkLanguage(c: Collector, s: JsonObject, scope: StateScope): void {
  if ('QueryLanguage' in s) {
    c.enumeration(s['QueryLanguage'], ['JSONPath', 'JSONata'], at(scope.loc, 'QueryLanguage'));
    if (s['QueryLanguage'] === 'JSONPath' && scope.machineLanguage === 'JSONata') {
      c.schema("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", scope.loc);
    }
  }
  for (const k of Object.keys(s)) {
    if (scope.language === 'JSONata' && JSONPATH_ONLY.has(k)) c.schema(`The QueryLanguage is set to 'JSONata', but field '${k}' is only supported for the 'JSONPath' QueryLanguage`, scope.loc);
    if (scope.language === 'JSONPath' && JSONATA_ONLY.has(k)) c.schema(`The QueryLanguage is set to 'JSONPath', but field '${k}' is only supported for the 'JSONata' QueryLanguage`, scope.loc);
  }
}

function checkPass(c: Collector, s: JsonObject, scope: StateScope): void {
  payloadField(c, s, 'Parameters', scope);
  if ('ResultPath' in s && scope.language === 'JSONPath') checkResultPath(c, s['ResultPath'], at(scope.loc, 'ResultPath'));
  const result = s['Result'];
  if (result !== null && typeof result === 'object' && JSON.stringify(result).includes('.$"')) {
    c.warn(Codes.PassResultIsStatic, "The Result of a Pass state is static: its '.$' fields are not resolved; use Parameters to select from the input", at(scope.loc, 'Result'));
  }
}

function checkTask(c: Collector, s: JsonObject, scope: StateScope): void {
  if (c.required(s, ['Resource'], scope.loc)) checkResource(c, s, scope);
  payloadField(c, s, 'Parameters', scope);
  payloadField(c, s, 'Arguments', scope);
  payloadField(c, s, 'ResultSelector', scope);
  if ('ResultPath' in s && scope.language === 'JSONPath') checkResultPath(c, s['ResultPath'], at(scope.loc, 'ResultPath'));
  c.oneOf(s, ['TimeoutSeconds', 'TimeoutSecondsPath'], scope.loc, false);
  c.oneOf(s, ['HeartbeatSeconds', 'HeartbeatSecondsPath'], scope.loc, false);
  numberField(c, s, 'TimeoutSeconds', scope, 1, MAX_SECONDS);
  numberField(c, s, 'HeartbeatSeconds', scope, 1, MAX_SECONDS);
  pathField(c, s, 'TimeoutSecondsPath', scope);
  pathField(c, s, 'HeartbeatSecondsPath', scope);
  const timeout = s['TimeoutSeconds'];
  const heartbeat = s['HeartbeatSeconds'];
  if (typeof timeout === 'number' && typeof heartbeat === 'number' && heartbeat >= timeout) {
    c.schema('HeartbeatSeconds must be smaller than TimeoutSeconds', at(scope.loc, 'HeartbeatSeconds'));
  }
  checkRetryCatch(c, s, scope);
}

function checkWait(c: Collector, s: JsonObject, scope: StateScope): void {
  c.oneOf(s, ['SecondsPath', 'Seconds', 'TimestampPath', 'Timestamp'], scope.loc, true);
  numberField(c, s, 'Seconds', scope, 0, MAX_SECONDS);
  pathField(c, s, 'SecondsPath', scope);
  pathField(c, s, 'TimestampPath', scope);
  if ('Timestamp' in s) {
    const v = s['Timestamp'];
    const loc = at(scope.loc, 'Timestamp');
    if (scope.language === 'JSONata' && isJsonataString(v)) return;
    if (c.string(v, loc) && !TIMESTAMP.test(v)) c.schema('String does not match RFC3339 timestamp', loc);
  }
}

function checkFail(c: Collector, s: JsonObject, scope: StateScope): void {
  c.oneOf(s, ['Error', 'ErrorPath'], scope.loc, false);
  c.oneOf(s, ['Cause', 'CausePath'], scope.loc, false);
  for (const f of ['Error', 'Cause']) {
    if (!(f in s)) continue;
    if (scope.language === 'JSONata') checkJsonataStrings(c, s[f], at(scope.loc, f));
    c.string(s[f], at(scope.loc, f));
  }
  for (const f of ['ErrorPath', 'CausePath']) if (f in s && scope.language === 'JSONPath') checkPathOrIntrinsic(c, s[f], at(scope.loc, f));
}

function checkParallel(c: Collector, s: JsonObject, scope: StateScope, sub: SubCheck): void {
  if (c.required(s, ['Branches'], scope.loc)) {
    const loc = at(scope.loc, 'Branches');
    const branches = s['Branches'];
    if (c.nonEmptyArray(branches, loc)) branches.forEach((b, i) => sub(b, at(loc, i), 'branch'));
  }
  payloadField(c, s, 'Parameters', scope);
  payloadField(c, s, 'Arguments', scope);
  payloadField(c, s, 'ResultSelector', scope);
  if ('ResultPath' in s && scope.language === 'JSONPath') checkResultPath(c, s['ResultPath'], at(scope.loc, 'ResultPath'));
  checkRetryCatch(c, s, scope);
}

function checkMap(c: Collector, s: JsonObject, scope: StateScope, sub: SubCheck): void {
  c.oneOf(s, ['ItemProcessor', 'Iterator'], scope.loc, true);
  for (const f of ['ItemProcessor', 'Iterator']) if (f in s) sub(s[f], at(scope.loc, f), 'processor');
  c.oneOf(s, ['ItemSelector', 'Parameters'], scope.loc, false);
  payloadField(c, s, 'ItemSelector', scope);
  payloadField(c, s, 'Parameters', scope);
  payloadField(c, s, 'ResultSelector', scope);
  if ('ResultPath' in s && scope.language === 'JSONPath') checkResultPath(c, s['ResultPath'], at(scope.loc, 'ResultPath'));
  // ItemsPath is the one path field that may read the context object.
  if ('ItemsPath' in s && scope.language === 'JSONPath') checkReferencePathField(c, s['ItemsPath'], at(scope.loc, 'ItemsPath'), { context: true, variables: true });
  if ('Items' in s && scope.language === 'JSONata') {
    const items = s['Items'];
    if (!Array.isArray(items) && !isJsonataString(items)) c.schema('Expected value of type Array', at(scope.loc, 'Items'));
    else checkJsonataStrings(c, items, at(scope.loc, 'Items'));
  }
  for (const [f, min, max, decimals] of [['MaxConcurrency', 0, undefined, false], ['ToleratedFailureCount', 0, undefined, false], ['ToleratedFailurePercentage', 0, 100, true]] as const) {
    c.oneOf(s, [f, `${f}Path`], scope.loc, false);
    if (f === 'ToleratedFailurePercentage' && typeof s[f] === 'number') c.number(s[f], at(scope.loc, f), min, max, decimals);
    else numberField(c, s, f, scope, min, max, decimals);
    pathField(c, s, `${f}Path`, scope);
  }
  for (const f of ['ItemReader', 'ItemBatcher', 'ResultWriter']) {
    if (!(f in s)) continue;
    if (c.object(s[f], at(scope.loc, f)) && scope.language === 'JSONata') checkJsonataStrings(c, s[f], at(scope.loc, f));
  }
  if ('Label' in s) c.string(s['Label'], at(scope.loc, 'Label'));
  checkRetryCatch(c, s, scope);
}

/** Checks one state; `scope.language` must already be the state's effective language. */
export function checkState(c: Collector, state: unknown, scope: StateScope, sub: SubCheck): void {
  if (!c.object(state, scope.loc)) return;
  if (!c.required(state, ['Type'], scope.loc)) return;
  const type = state['Type'];
  if (!isStateType(type)) {
    c.schema(`Value should be one of the following: [${STATE_TYPES.join(', ')}]`, at(scope.loc, 'Type'));
    return;
  }
  c.onlyFields(state, ALLOWED_FIELDS[type], scope.loc);
  checkLanguage(c, state, scope);
  if ('Comment' in state) c.string(state['Comment'], at(scope.loc, 'Comment'));
  if (TRANSITIONS.has(type)) checkTransition(c, state, scope.loc);
  if (scope.language === 'JSONPath') {
    for (const f of ['InputPath', 'OutputPath']) if (f in state) checkSelectPathField(c, state[f], at(scope.loc, f));
  } else if ('Output' in state) {
    checkJsonataStrings(c, state['Output'], at(scope.loc, 'Output'));
  }
  if ('Assign' in state) checkAssign(c, state['Assign'], at(scope.loc, 'Assign'), scope.language);
  switch (type) {
    case 'Pass': return checkPass(c, state, scope);
    case 'Task': return checkTask(c, state, scope);
    case 'Choice': return void (c.required(state, ['Choices'], scope.loc) && checkChoices(c, state, scope));
    case 'Wait': return checkWait(c, state, scope);
    case 'Succeed': return;
    case 'Fail': return checkFail(c, state, scope);
    case 'Parallel': return checkParallel(c, state, scope, sub);
    case 'Map': return checkMap(c, state, scope, sub);
  }
}
