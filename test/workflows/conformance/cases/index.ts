// Every conformance case, grouped by topic (the describe blocks of the suite).
import { type Case } from '../case.js';
import { callbackActivityCases } from './callbacks-activities.js';
import { choiceCases } from './choice.js';
import { contextCases } from './context-object.js';
import { errorCases } from './errors.js';
import { intrinsicCases } from './intrinsics.js';
import { jsonataCases } from './jsonata.js';
import { jsonataStateCases } from './jsonata-states.js';
import { mapCases } from './map.js';
import { parallelCases } from './parallel.js';
import { passAndPathsCases } from './pass-and-paths.js';
import { taskRetryCatchCases } from './task-retry-catch.js';
import { variableCases } from './variables.js';
import { waitCases } from './wait.js';

export const topics: Array<[string, Case[]]> = [
  ['pass and paths', passAndPathsCases],
  ['choice', choiceCases],
  ['wait', waitCases],
  ['task, retry and catch', taskRetryCatchCases],
  ['parallel', parallelCases],
  ['map', mapCases],
  ['intrinsics', intrinsicCases],
  ['jsonata', jsonataCases],
  ['jsonata state fields', jsonataStateCases],
  ['variables', variableCases],
  ['errors and limits', errorCases],
  ['callbacks and activities', callbackActivityCases],
  ['context object', contextCases],
];
