import { defineAction } from '../../action.js';
import { type LambdaBackend } from '../backend.js';
import { buildMapping, createMappingInput } from '../mapping-config.js';
import { createMappingDoc, mappingConfiguration, mappingView } from '../mappings.js';

export const createEventSourceMapping = defineAction<LambdaBackend>()({
  name: 'CreateEventSourceMapping',
  http: { method: 'POST', uri: '/2015-03-31/event-source-mappings', code: 202 },
  input: createMappingInput,
  output: mappingConfiguration,
  async handler(input, ctx, lambda) {
    const doc = await buildMapping(lambda, input, ctx);
    await createMappingDoc(lambda, doc);
    // AWS answers a mapping created disabled with its settled state.
    return mappingView(doc, doc.enabled ? 'Creating' : 'Disabled', lambda.opts);
  },
});
