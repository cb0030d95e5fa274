import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { uuidLabel } from '../mapping-config.js';
import { changeMapping, mappingConfiguration, mappingView } from '../mappings.js';

export const deleteEventSourceMapping = defineAction<LambdaBackend>()({
  name: 'DeleteEventSourceMapping',
  http: { method: 'DELETE', uri: '/2015-03-31/event-source-mappings/{UUID}', code: 202 },
  input: t.struct({ UUID: uuidLabel }),
  output: mappingConfiguration,
  async handler(input, _ctx, lambda) {
    const { before } = await changeMapping(lambda, input.UUID, () => null);
    return mappingView(before, 'Deleting', lambda.opts);
  },
});
