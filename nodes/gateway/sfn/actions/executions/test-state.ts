import { randomUUID } from 'node:crypto';
import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type State } from '../../../../../workflows/language/definition.js';
import { StatesError } from '../../../../../workflows/language/errors.js';
import { type Json, isJsonObject } from '../../../../../workflows/language/json.js';
import { invalidDefinitionMessage, validateDefinition, validateStateDefinition } from '../../../../../workflows/language/validate.js';
import { testState } from '../../../../../workflows/engine/index.js';
import { checkRoleArn } from '../../arns.js';
import { type SfnBackend } from '../../backend.js';
import { validation } from '../../checks.js';
import { definition } from '../../shapes.js';
import { cause, errorName } from './shapes.js';

const jsonOf = (text: string | undefined, what: string): Json | undefined => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw validation(`Invalid ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
};

/** TestState: one state (or, with stateName, one state of a whole machine) run on its own. */
export const testStateAction = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'TestState',
    input: t.struct({
      definition: t.string({ required: true, min: 1, max: 1_048_576 }),
      roleArn: t.string({ min: 1, max: 256 }),
      input: t.string({ max: 262_144 }),
      inspectionLevel: t.string({ enum: ['INFO', 'DEBUG', 'TRACE'] }),
      revealSecrets: t.boolean(),
      variables: t.string({ max: 262_144 }),
      stateName: t.string({ min: 1, max: 80 }),
      mock: t.struct({ result: t.string(), errorOutput: t.struct({ error: errorName, cause }), fieldValidationMode: t.string({ enum: ['STRICT', 'PRESENT', 'NONE'] }) }),
      context: t.string(),
      stateConfiguration: t.struct({ retrierRetryCount: t.integer({ min: 0 }), errorCausedByState: t.string(), mapIterationFailureCount: t.integer({ min: 0 }), mapItemReaderData: t.string() }),
    }),
    output: t.struct({
      output: t.string(),
      error: errorName,
      cause,
      inspectionData: t.struct({
        input: t.string(),
        afterArguments: t.string(),
        afterInputPath: t.string(),
        afterParameters: t.string(),
        result: t.string(),
        afterResultSelector: t.string(),
        afterResultPath: t.string(),
        variables: t.string(),
        errorDetails: t.struct({ catchIndex: t.integer(), retryIndex: t.integer(), retryBackoffIntervalSeconds: t.integer() }),
      }),
      nextState: t.string(),
      status: t.string(),
    }),
    async handler(input, _ctx, sfn) {
      if (input.roleArn !== undefined) checkRoleArn(input.roleArn);
      let state: State;
      let name = input.stateName;
      if (input.stateName !== undefined) {
        const v = validateDefinition(input.definition);
        if (!v.ok) throw new AwsError('InvalidDefinition', invalidDefinitionMessage(v.diagnostics));
        const s = v.definition.States[input.stateName];
        if (!s) throw validation(`State '${input.stateName}' does not exist in the definition`);
        state = v.ok && v.definition.QueryLanguage !== undefined && s.QueryLanguage === undefined ? { ...s, QueryLanguage: v.definition.QueryLanguage } : s;
      } else {
        const v = validateStateDefinition(input.definition);
        if (!v.ok) throw new AwsError('InvalidDefinition', invalidDefinitionMessage(v.diagnostics));
        state = v.state;
        name ??= 'TestState';
      }
      const variables = jsonOf(input.variables, 'variables');
      const context = jsonOf(input.context, 'context');
      const mockError = input.mock?.errorOutput;
      const tasks = sfn.executions.tasks;
      const r = await testState(
        state,
        jsonOf(input.input, 'input') ?? {},
        {
          ...(input.inspectionLevel !== undefined ? { inspectionLevel: input.inspectionLevel as 'INFO' | 'DEBUG' | 'TRACE' } : {}),
          ...(input.mock?.result !== undefined ? { mockResult: jsonOf(input.mock.result, 'mock result') ?? null } : {}),
          ...(mockError ? { mockError: { error: mockError.error ?? '', cause: mockError.cause ?? '' } } : {}),
          ...(isJsonObject(variables) ? { variables } : {}),
          ...(context !== undefined ? { context } : {}),
          ...(name !== undefined ? { stateName: name } : {}),
          ...(input.stateConfiguration?.retrierRetryCount !== undefined ? { retrierRetryCount: input.stateConfiguration.retrierRetryCount } : {}),
          invoke: async (resource, taskInput) => {
            const ac = new AbortController();
            const o = await tasks.run({ type: 'task', id: randomUUID(), resource, input: taskInput, state: name ?? 'TestState' }, { signal: ac.signal });
            if (o.kind === 'succeeded') return o.output;
            if (o.kind === 'failed') throw new StatesError(o.error, o.cause);
            throw validation('TestState does not wait for callbacks or activity workers; give a mock result');
          },
        },
        { nowMs: Date.now(), random: Math.random },
      );
      return r;
    },
  }),
);
