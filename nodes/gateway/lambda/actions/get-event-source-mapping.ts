import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { uuidLabel } from '../mapping-config.js';
import { asMappingDoc, mappingConfiguration, mappingNotFound, mappingView, settledState } from '../mappings.js';

export const getEventSourceMapping = defineAction<LambdaBackend>()({
  name: 'GetEventSourceMapping',
  http: { method: 'GET', uri: '/2015-03-31/event-source-mappings/{UUID}' },
  input: t.struct({ UUID: uuidLabel }),
  output: mappingConfiguration,
  async handler(input, _ctx, lambda) {
    const m = await lambda.catalog.get('mapping', input.UUID, asMappingDoc);
    if (!m) throw mappingNotFound();
    return mappingView(m.doc, settledState(m.doc), lambda.opts);
  },
});
