import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { editRestApi, resourceOf } from './lookup.js';
import { resourceIdLabel, restApiIdLabel } from './shapes.js';

export const deleteResource = defineAction<ApigwBackend>()({
  name: 'DeleteResource',
  http: { method: 'DELETE', uri: '/restapis/{restApiId}/resources/{resourceId}', code: 202 },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel }),
  output: t.struct({}),
  async handler(input, _ctx, backend) {
    await editRestApi(backend, input.restApiId, (api) => {
      const r = resourceOf(api, input.resourceId);
      if (r.id === api.rootResourceId) throw new AwsError('ApigwBadRequestException', 'Cannot delete root resource');
      // The resource goes with its whole subtree.
      const doomed = new Set([r.id]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const x of Object.values(api.resources)) {
          if (x.parentId !== undefined && doomed.has(x.parentId) && !doomed.has(x.id)) {
            doomed.add(x.id);
            grew = true;
          }
        }
      }
      for (const id of doomed) delete api.resources[id];
    });
    return {};
  },
});
