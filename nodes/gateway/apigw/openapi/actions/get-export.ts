import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { asDeploymentDoc, deploymentDocName } from '../../model.js';
import { type ExportExtension, type RestExportType, exportRest, exportVersion } from '../export-rest.js';
import { type ExportFormat, apiOrigin, serialize } from '../serialize.js';

const EXTENSIONS: readonly ExportExtension[] = ['integrations', 'authorizers', 'apigateway', 'postman'];

/** The export's media type from Accept: JSON unless YAML is asked for; anything else is refused. */
function formatOf(accept: string | undefined): { format: ExportFormat; contentType: string } {
  const types = (accept ?? '').split(',').map((x) => x.split(';')[0]!.trim().toLowerCase()).filter((x) => x !== '');
  if (types.length === 0 || types.includes('*/*')) return { format: 'json', contentType: 'application/octet-stream' };
  if (types.includes('application/json')) return { format: 'json', contentType: 'application/json' };
  if (types.includes('application/yaml')) return { format: 'yaml', contentType: 'application/yaml' };
  throw new AwsError('ApigwBadRequestException', `Unsupported Accept header value: ${accept}. Supported values are application/json and application/yaml`);
}

export const getExport = defineAction<ApigwBackend>()({
  name: 'GetExport',
  http: { method: 'GET', uri: '/restapis/{restApiId}/stages/{stageName}/exports/{exportType}' },
  input: t.struct({
    restApiId: t.string({ required: true, location: 'uri' }),
    stageName: t.string({ required: true, location: 'uri' }),
    exportType: t.string({ required: true, location: 'uri' }),
    parameters: t.map(t.string(), { location: 'querystring' }),
    accepts: t.string({ location: 'header', locationName: 'Accept' }),
  }),
  output: t.struct({
    contentType: t.string({ location: 'header', locationName: 'Content-Type' }),
    contentDisposition: t.string({ location: 'header', locationName: 'Content-Disposition' }),
    body: t.blob({ location: 'payload' }),
  }),
  async handler(input, ctx, backend) {
    const type = input.exportType.toLowerCase();
    if (type !== 'oas30' && type !== 'swagger') throw new AwsError('ApigwBadRequestException', `Invalid export type specified: ${input.exportType}. Valid values are oas30, swagger`);
    const { format, contentType } = formatOf(input.accepts);
    const extensions = new Set<ExportExtension>();
    for (const raw of (input.parameters?.extensions ?? '').split(',')) {
      const x = EXTENSIONS.find((e) => e === raw.trim().toLowerCase());
      if (x !== undefined) extensions.add(x);
    }
    const api = await backend.restApi(input.restApiId);
    const stage = api.stages[input.stageName];
    if (!stage) throw new AwsError('ApigwNotFoundException', 'Invalid stage identifier specified');
    const deployment = await backend.store.get('apideploy', deploymentDocName(api.id, stage.deploymentId), asDeploymentDoc, 0);
    if (!deployment || deployment.kind !== 'rest') throw new AwsError('ApigwNotFoundException', 'Invalid Deployment identifier specified');
    const doc = exportRest({
      api,
      snapshot: deployment.snapshot,
      stageName: stage.stageName,
      deployedAt: deployment.createdDate,
      origin: apiOrigin(ctx.baseUrl, api.id),
      type: type as RestExportType,
      extensions,
    });
    const version = exportVersion(api.version, deployment.createdDate);
    return {
      contentType,
      contentDisposition: `attachment; filename="${type}_${version}.${format}"`,
      body: new Uint8Array(Buffer.from(serialize(doc, format))),
    };
  },
});
