import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { modelByName } from './parts.js';
import { restApiIdLabel } from './shapes.js';

/** A mapping template copying the schema's top-level properties from the request body (AWS's default_template, one level deep). */
function templateFor(schema: Record<string, unknown>): string {
  const props = typeof schema.properties === 'object' && schema.properties !== null ? Object.keys(schema.properties) : [];
  const lines = props.map((p) => `  "${p}" : "$inputRoot.${p}"`);
  return `#set($inputRoot = $input.path('$'))\n{\n${lines.join(',\n')}\n}`;
}

export const getModelTemplate = defineAction<ApigwBackend>()({
  name: 'GetModelTemplate',
  http: { method: 'GET', uri: '/restapis/{restApiId}/models/{modelName}/default_template' },
  input: t.struct({ restApiId: restApiIdLabel, modelName: t.string({ required: true, location: 'uri' }) }),
  output: t.struct({ value: t.string() }),
  async handler(input, _ctx, backend) {
    const m = modelByName(await backend.restApi(input.restApiId), input.modelName);
    let schema: unknown;
    try {
      schema = JSON.parse(m.schema ?? '{}');
    } catch {
      schema = undefined;
    }
    if (typeof schema !== 'object' || schema === null) throw new AwsError('ApigwBadRequestException', 'Model schema is not valid JSON');
    return { value: templateFor(schema as Record<string, unknown>) };
  },
});
