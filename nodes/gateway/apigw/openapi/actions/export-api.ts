import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { type ApiV2Snapshot, asDeploymentDoc, deploymentDocName } from '../../model.js';
import { httpSnapshotOf } from '../apply-v2.js';
import { exportHttp } from '../export-v2.js';
import { apiOrigin, serialize } from '../serialize.js';

export const exportApi = defineAction<ApigwBackend>()({
  name: 'ExportApi',
  http: { method: 'GET', uri: '/v2/apis/{apiId}/exports/{specification}' },
  input: t.struct({
    apiId: t.string({ required: true, location: 'uri' }),
    specification: t.string({ required: true, location: 'uri' }),
    outputType: t.string({ required: true, location: 'querystring', locationName: 'outputType' }),
    exportVersion: t.string({ location: 'querystring', locationName: 'exportVersion' }),
    includeExtensions: t.boolean({ location: 'querystring', locationName: 'includeExtensions' }),
    stageName: t.string({ location: 'querystring', locationName: 'stageName' }),
  }),
  output: t.struct({ body: t.blob({ location: 'payload' }) }),
  async handler(input, ctx, backend) {
    if (input.specification !== 'OAS30') throw new AwsError('ApigwBadRequestException', `Unsupported specification ${input.specification}. Supported value is OAS30`);
    if (input.outputType !== 'JSON' && input.outputType !== 'YAML') throw new AwsError('ApigwBadRequestException', `Unsupported output type ${input.outputType}. Supported values are JSON, YAML`);
    if (input.exportVersion !== undefined && input.exportVersion !== '1.0') throw new AwsError('ApigwBadRequestException', `Unsupported export version ${input.exportVersion}. Supported value is 1.0`);
    const api = await backend.apiV2(input.apiId);
    if (api.protocolType !== 'HTTP') throw new AwsError('ApigwBadRequestException', 'Exporting is supported only for HTTP APIs');
    let snapshot: ApiV2Snapshot = httpSnapshotOf(api);
    let at = api.createdDate;
    if (input.stageName !== undefined) {
      const stage = api.stages[input.stageName];
      if (!stage) throw new AwsError('ApigwNotFoundException', `Invalid stage identifier specified ${input.stageName}`);
      if (stage.deploymentId === undefined) throw new AwsError('ApigwBadRequestException', `Stage ${input.stageName} has no deployment to export`);
      const d = await backend.store.get('apideploy', deploymentDocName(api.apiId, stage.deploymentId), asDeploymentDoc, 0);
      if (!d || d.kind !== 'v2') throw new AwsError('ApigwNotFoundException', `Invalid deployment identifier specified ${stage.deploymentId}`);
      snapshot = d.snapshot;
      at = d.createdDate;
    }
    const doc = exportHttp({
      api,
      snapshot,
      ...(input.stageName !== undefined ? { stageName: input.stageName } : {}),
      at,
      endpoint: apiOrigin(ctx.baseUrl, api.apiId),
      includeExtensions: input.includeExtensions ?? true,
    });
    return { body: new Uint8Array(Buffer.from(serialize(doc, input.outputType === 'YAML' ? 'yaml' : 'json'))) };
  },
});
