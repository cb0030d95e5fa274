import { validateDefinition } from '../../../../workflows/language/validate.js';
import { defineAction } from '../../action.js';
import { withModelChecks } from '../../kinesis/validation.js';
import { t } from '../../shapes.js';
import { type SfnBackend } from '../backend.js';
import { definition, stateMachineType } from '../shapes.js';

/**
 * AWS: `severity` is the least severe level answered (ERROR: errors only; WARNING: both);
 * `maxResults` (default and most 100) caps the diagnostics, `truncated` says some were left out.
 */
export const validateStateMachineDefinition = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'ValidateStateMachineDefinition',
    input: t.struct({
      definition: { ...definition, required: true },
      type: stateMachineType,
      severity: t.string({ enum: ['ERROR', 'WARNING'] }),
      maxResults: t.integer({ min: 0, max: 100 }),
    }),
    output: t.struct({
      result: t.string(),
      diagnostics: t.list(t.struct({ severity: t.string(), code: t.string(), message: t.string(), location: t.string() })),
      truncated: t.boolean(),
    }),
    async handler(input) {
      const v = validateDefinition(input.definition, { type: (input.type ?? 'STANDARD') as 'STANDARD' | 'EXPRESS' });
      const wanted = v.diagnostics.filter((d) => input.severity === 'WARNING' || d.severity === 'ERROR');
      // Errors first: a cap must not hide why the definition failed.
      const ordered = [...wanted.filter((d) => d.severity === 'ERROR'), ...wanted.filter((d) => d.severity !== 'ERROR')];
      const max = input.maxResults === undefined || input.maxResults === 0 ? 100 : input.maxResults;
      return {
        result: v.ok ? 'OK' : 'FAIL',
        diagnostics: ordered.slice(0, max).map((d) => ({ severity: d.severity, code: d.code, message: d.message, ...(d.location !== undefined ? { location: d.location } : {}) })),
        truncated: ordered.length > max,
      };
    },
  }),
);
