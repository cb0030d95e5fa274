import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { type MethodResponseDoc } from '../model.js';
import { editRestApi, methodOf } from './lookup.js';
import { httpMethodLabel, methodResponseShape, resourceIdLabel, restApiIdLabel, statusCodeLabel } from './shapes.js';

export const STATUS_CODE = /^[1-5]\d\d$/;

export const putMethodResponse = defineAction<ApigwBackend>()({
  name: 'PutMethodResponse',
  http: { method: 'PUT', uri: '/restapis/{restApiId}/resources/{resourceId}/methods/{httpMethod}/responses/{statusCode}', code: 201 },
  input: t.struct({
    restApiId: restApiIdLabel,
    resourceId: resourceIdLabel,
    httpMethod: httpMethodLabel,
    statusCode: statusCodeLabel,
    responseParameters: t.map(t.boolean()),
    responseModels: t.map(t.string()),
  }),
  output: methodResponseShape,
  async handler(input, _ctx, backend) {
    if (!STATUS_CODE.test(input.statusCode)) throw new AwsError('ApigwBadRequestException', 'Invalid Response status code specified');
    return editRestApi(backend, input.restApiId, (api) => {
      const m = methodOf(api, input.resourceId, input.httpMethod);
      if (m.methodResponses[input.statusCode]) throw new AwsError('ApigwConflictException', 'Response already exists for this resource');
      const r: MethodResponseDoc = { statusCode: input.statusCode, responseParameters: input.responseParameters ?? {}, responseModels: input.responseModels ?? {} };
      m.methodResponses[input.statusCode] = r;
      return r;
    });
  },
});
