import { defineAction } from '../../action.js';
import { type LambdaBackend } from '../backend.js';
import { planUpdate, updateMappingInput } from '../mapping-config.js';
import { asMappingDoc, changeMapping, mappingConfiguration, mappingNotFound, mappingView } from '../mappings.js';

export const updateEventSourceMapping = defineAction<LambdaBackend>()({
  name: 'UpdateEventSourceMapping',
  http: { method: 'PUT', uri: '/2015-03-31/event-source-mappings/{UUID}', code: 202 },
  input: updateMappingInput,
  output: mappingConfiguration,
  async handler(input, ctx, lambda) {
    const current = await lambda.catalog.fresh('mapping', input.UUID, asMappingDoc);
    if (!current) throw mappingNotFound();
    const apply = await planUpdate(lambda, current.doc, input, ctx);
    const { before, after } = await changeMapping(lambda, input.UUID, apply);
    const next = after!;
    const state = next.enabled === before.enabled ? 'Updating' : next.enabled ? 'Enabling' : 'Disabling';
    return mappingView(next, state, lambda.opts);
  },
});
