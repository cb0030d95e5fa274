import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type RestApiDoc } from '../model.js';
import { newId } from '../store.js';
import { nowSeconds } from './lookup.js';
import { restApiShape, tagsShape } from './shapes.js';
import { checkTags } from './tags.js';
import { restApiView } from './views.js';

export const createRestApi = defineAction<ApigwBackend>()({
  name: 'CreateRestApi',
  http: { method: 'POST', uri: '/restapis', code: 201 },
  input: t.struct({
    name: t.string({ required: true }),
    description: t.string(),
    version: t.string(),
    cloneFrom: t.string(),
    binaryMediaTypes: t.list(t.string()),
    minimumCompressionSize: t.integer({ min: 0, max: 10_485_760 }),
    apiKeySource: t.string({ enum: ['HEADER', 'AUTHORIZER'] }),
    endpointConfiguration: t.struct({ types: t.list(t.string({ enum: ['REGIONAL', 'EDGE', 'PRIVATE'] })), vpcEndpointIds: t.list(t.string()) }),
    policy: t.string(),
    tags: tagsShape,
    disableExecuteApiEndpoint: t.boolean(),
  }),
  output: restApiShape,
  async handler(input, _ctx, backend) {
    checkTags(input.tags ?? {});
    if (input.name.trim() === '') throw new AwsError('ApigwBadRequestException', 'Invalid API name specified');
    let base: Partial<RestApiDoc> = {};
    if (input.cloneFrom !== undefined) base = structuredClone(await backend.restApi(input.cloneFrom));
    const id = newId();
    const rootResourceId = base.rootResourceId ?? newId();
    const doc: RestApiDoc = {
      resources: { [rootResourceId]: { id: rootResourceId, path: '/', resourceMethods: {} } },
      models: {},
      requestValidators: {},
      authorizers: {},
      gatewayResponses: {},
      ...base,
      kind: 'rest',
      id,
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.version !== undefined ? { version: input.version } : {}),
      createdDate: nowSeconds(),
      rootResourceId,
      binaryMediaTypes: input.binaryMediaTypes ?? base.binaryMediaTypes ?? [],
      ...(input.minimumCompressionSize !== undefined ? { minimumCompressionSize: input.minimumCompressionSize } : {}),
      apiKeySource: input.apiKeySource === 'AUTHORIZER' ? 'AUTHORIZER' : 'HEADER',
      endpointConfiguration: { types: input.endpointConfiguration?.types ?? ['EDGE'], ...(input.endpointConfiguration?.vpcEndpointIds ? { vpcEndpointIds: input.endpointConfiguration.vpcEndpointIds } : {}) },
      ...(input.policy !== undefined ? { policy: input.policy } : {}),
      disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
      tags: input.tags ?? {},
      stages: {},
      deploymentIds: [],
    };
    await backend.store.create('api', id, doc);
    return restApiView(doc);
  },
});
