import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ResourceDoc, type RestApiDoc } from '../model.js';
import { PATH_PART, badPathPart, checkSiblings } from './create-resource.js';
import { editRestApi, resourceOf } from './lookup.js';
import { type PatchRules, applyPatch, badRequest, required } from './patch.js';
import { patchOperations, resourceIdLabel, resourceShape, restApiIdLabel } from './shapes.js';
import { resourceView } from './views.js';

/** Recomputes the paths of `r` and its subtree after a rename or a move. */
function repath(api: RestApiDoc, r: ResourceDoc): void {
  const parent = resourceOf(api, r.parentId!);
  r.path = `${parent.path === '/' ? '' : parent.path}/${r.pathPart!}`;
  for (const child of Object.values(api.resources)) if (child.parentId === r.id) repath(api, child);
}

function rules(api: RestApiDoc): PatchRules<ResourceDoc> {
  return {
    '/pathPart': {
      set: (r, v, _a, p) => {
        const part = required(v, p);
        if (!PATH_PART.test(part)) throw badPathPart();
        checkSiblings(api, r.parentId!, part, r.id);
        r.pathPart = part;
      },
      get: (r) => r.pathPart,
    },
    '/parentId': {
      set: (r, v, _a, p) => {
        const parentId = required(v, p);
        // A resource cannot move under itself or its own subtree.
        for (let at: string | undefined = parentId; at !== undefined; at = resourceOf(api, at).parentId) {
          if (at === r.id) throw badRequest('Cannot move a resource under itself or one of its descendants');
        }
        checkSiblings(api, parentId, r.pathPart!, r.id);
        r.parentId = parentId;
      },
      get: (r) => r.parentId,
    },
  };
}

export const updateResource = defineAction<ApigwBackend>()({
  name: 'UpdateResource',
  http: { method: 'PATCH', uri: '/restapis/{restApiId}/resources/{resourceId}' },
  input: t.struct({ restApiId: restApiIdLabel, resourceId: resourceIdLabel, patchOperations }),
  output: resourceShape,
  async handler(input, _ctx, backend) {
    const r = await editRestApi(backend, input.restApiId, (api) => {
      const res = resourceOf(api, input.resourceId);
      if (res.id === api.rootResourceId) throw badRequest('Cannot update the root resource');
      applyPatch(res, input.patchOperations ?? [], rules(api));
      repath(api, res);
      return res;
    });
    return resourceView(r, false);
  },
});
