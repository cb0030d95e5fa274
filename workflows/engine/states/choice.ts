// Choice: the first rule that matches picks Next (else Default, else States.NoChoiceMatched).
import { type Json, isJsonObject } from '../../language/json.js';
import { StatesError, States } from '../../language/errors.js';
import { type ChoiceState } from '../../language/definition.js';
import { selectPath } from '../../language/payload.js';
import { evaluateChoiceRule } from '../../language/choice.js';
import { evalJsonata, isJsonataExpression, jsonataBody, resolveJsonataTemplate } from '../../language/jsonata.js';
import { bindings, contextObject, pathEnv, type Run, type Scope } from '../run.js';
import { type Frame } from '../frames.js';
import { assignOf, isJsonata } from '../io.js';
import { finishState, type StateResult } from '../flow.js';

function asAssign(v: Json | undefined): Record<string, Json> | undefined {
  return isJsonObject(v) ? v : undefined;
}

function noMatch(): StateResult {
  return { k: 'fail', error: States.NoChoiceMatched, cause: 'No Matches!' };
}

export async function actChoice(run: Run, f: Frame, scope: Scope, state: ChoiceState): Promise<StateResult> {
  const ctx = contextObject(run, f);
  if (isJsonata(scope, state)) {
    const b = bindings(run, scope, f, ctx);
    for (let i = 0; i < state.Choices.length; i++) {
      const rule = state.Choices[i] as ChoiceState['Choices'][number];
      const cond = rule.Condition;
      const hit = isJsonataExpression(cond) ? await evalJsonata(jsonataBody(cond), b, `Choices[${i}]/Condition`) : cond;
      if (typeof hit !== 'boolean') {
        throw new StatesError(States.QueryEvaluationError, `The Condition of Choices[${i}] must evaluate to a boolean, but was ${JSON.stringify(hit)}`);
      }
      if (!hit) continue;
      // A matching rule's own Output/Assign apply; the state's are for Default.
      const out = rule.Output === undefined ? f.in : await resolveJsonataTemplate(rule.Output, b, `Choices[${i}]/Output`);
      const vars = await assignOf(run, scope, f, true, asAssign(rule.Assign), ctx, f.in);
      return finishState(run, f, state, out, vars, rule.Next);
    }
    if (state.Default === undefined) return noMatch();
    const out = state.Output === undefined ? f.in : await resolveJsonataTemplate(state.Output, b, 'Output');
    return finishState(run, f, state, out, await assignOf(run, scope, f, true, state.Assign, ctx, f.in), state.Default);
  }
  const env = pathEnv(run, scope, f, ctx);
  const eff = selectPath(state.InputPath, f.in, env);
  const out = selectPath(state.OutputPath, eff, env);
  for (const rule of state.Choices) {
    if (!evaluateChoiceRule(rule, eff, env)) continue;
    return finishState(run, f, state, out, await assignOf(run, scope, f, false, asAssign(rule.Assign), ctx, eff), rule.Next);
  }
  if (state.Default === undefined) return noMatch();
  return finishState(run, f, state, out, await assignOf(run, scope, f, false, state.Assign, ctx, eff), state.Default);
}
