import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type ResourceDoc, type RestApiDoc } from '../model.js';
import { newId } from '../store.js';
import { editRestApi, resourceOf } from './lookup.js';
import { resourceShape, restApiIdLabel } from './shapes.js';
import { resourceView } from './views.js';

/** A literal segment, `{name}` or a greedy `{name+}` (AWS: letters, digits and `-._~:@!$&'()*+,;=` in literals). */
export const PATH_PART = /^(?:[A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z0-9_.-]+\+?\})$/;

export const badPathPart = (): AwsError =>
  new AwsError('ApigwBadRequestException', `Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.`);

/** A new child `pathPart` of `parentId` must not clash with its siblings (`except`: the resource being moved or renamed). */
export function checkSiblings(api: RestApiDoc, parentId: string, pathPart: string, except?: string): void {
  const parent = resourceOf(api, parentId);
  if (parent.pathPart?.endsWith('+}')) throw new AwsError('ApigwBadRequestException', `Cannot create a child of a resource with a greedy path variable: ${parent.path}`);
  const siblings = Object.values(api.resources).filter((r) => r.parentId === parentId && r.id !== except);
  const isVar = (p: string | undefined): boolean => p !== undefined && p.startsWith('{');
  for (const s of siblings) {
    if (s.pathPart === pathPart) throw new AwsError('ApigwConflictException', `Another resource with the same parent already has this name: ${pathPart}`);
    // One variable per level: `{id}` and `{name}` under one parent would make routing ambiguous.
    if (isVar(s.pathPart) && isVar(pathPart)) throw new AwsError('ApigwBadRequestException', `A sibling (${s.pathPart}) of this resource already has a variable path part -- only one is allowed`);
  }
}

export const createResource = defineAction<ApigwBackend>()({
  name: 'CreateResource',
  http: { method: 'POST', uri: '/restapis/{restApiId}/resources/{parentId}', code: 201 },
  input: t.struct({ restApiId: restApiIdLabel, parentId: t.string({ required: true, location: 'uri' }), pathPart: t.string({ required: true }) }),
  output: resourceShape,
  async handler(input, _ctx, backend) {
    if (!PATH_PART.test(input.pathPart)) throw badPathPart();
    const resource = await editRestApi(backend, input.restApiId, (api) => {
      const parent = resourceOf(api, input.parentId);
      checkSiblings(api, parent.id, input.pathPart);
      const r: ResourceDoc = { id: newId(), parentId: parent.id, pathPart: input.pathPart, path: `${parent.path === '/' ? '' : parent.path}/${input.pathPart}`, resourceMethods: {} };
      api.resources[r.id] = r;
      return r;
    });
    return resourceView(resource, false);
  },
});
