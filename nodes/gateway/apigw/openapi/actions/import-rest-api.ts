import { defineAction } from '../../../action.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { newId } from '../../store.js';
import { restApiShape } from '../../v1/shapes.js';
import { restApiView } from '../../v1/views.js';
import { applyRestDefinition, emptyRestApi } from '../apply-rest.js';
import { importRestDefinition } from '../import-rest.js';
import { ImportReport } from '../report.js';
import { basePathMode, definitionText, endpointTypes } from './import-options.js';

export const importRestApi = defineAction<ApigwBackend>()({
  name: 'ImportRestApi',
  http: { method: 'POST', uri: '/restapis?mode=import', code: 201 },
  input: t.struct({
    body: t.blob({ required: true, location: 'payload' }),
    failOnWarnings: t.boolean({ location: 'querystring', locationName: 'failonwarnings' }),
    parameters: t.map(t.string(), { location: 'querystring' }),
  }),
  output: restApiShape,
  async handler(input, ctx, backend) {
    const params = input.parameters ?? {};
    const basepath = basePathMode(params.basepath);
    const types = endpointTypes(params.endpointConfigurationTypes);
    const id = newId();
    const report = new ImportReport();
    const def = importRestDefinition(definitionText(input.body), { apiId: id, basepath, region: ctx.region, accountId: ctx.accountId }, report);
    if (def.title === undefined || def.title.trim() === '') report.error('Invalid API name specified: the definition needs info.title');
    report.verdict(input.failOnWarnings ?? false);
    const api = emptyRestApi(id, newId(), def.title ?? '', Math.floor(Date.now() / 1000), types);
    if (def.vpcEndpointIds !== undefined) api.endpointConfiguration.vpcEndpointIds = def.vpcEndpointIds;
    applyRestDefinition(api, def, 'overwrite', { resource: () => newId(), short: () => newId(6) });
    await backend.store.create('api', id, api);
    return { ...restApiView(api), ...(report.warnings.length > 0 ? { warnings: report.warnings } : {}) };
  },
});
