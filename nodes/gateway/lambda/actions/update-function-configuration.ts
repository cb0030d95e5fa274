import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { applyConfig, configurationOf } from '../config.js';
import { checkRevision, updateFunction } from '../functions.js';
import { deadLetterConfig, environment, ephemeralStorage, functionConfiguration, functionNameLabel, layerList, tracingConfig } from '../shapes.js';

export const updateFunctionConfiguration = defineAction<LambdaBackend>()({
  name: 'UpdateFunctionConfiguration',
  http: { method: 'PUT', uri: '/2015-03-31/functions/{FunctionName}/configuration' },
  input: t.struct({
    FunctionName: functionNameLabel,
    Role: t.string(),
    Handler: t.string(),
    Description: t.string(),
    Timeout: t.integer(),
    MemorySize: t.integer(),
    Environment: environment,
    Runtime: t.string(),
    DeadLetterConfig: deadLetterConfig,
    TracingConfig: tracingConfig,
    RevisionId: t.string(),
    Layers: layerList,
    EphemeralStorage: ephemeralStorage,
  }),
  output: functionConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    if (id.qualifier !== undefined) throw new AwsError('InvalidParameterValueException', 'Only the unqualified function ($LATEST) can be updated.');
    const current = await lambda.function(id.name);
    // Checked (and environments sealed) once, outside the compare-and-set retries.
    const fields = await applyConfig(lambda, current.doc.latest, input);
    const doc = await updateFunction(lambda, id.name, (d) => {
      checkRevision(d.latest.revisionId, input.RevisionId);
      d.latest = { ...d.latest, ...fields };
      return d;
    });
    return configurationOf(lambda, doc, doc.latest);
  },
});
