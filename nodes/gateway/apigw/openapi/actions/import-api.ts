import { defineAction } from '../../../action.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { newId } from '../../store.js';
import { applyHttpDefinition, emptyHttpApi } from '../apply-v2.js';
import { importHttpDefinition } from '../import-v2.js';
import { ImportReport } from '../report.js';
import { basePathMode } from './import-options.js';
import { apiV2Shape, apiV2View } from './v2-output.js';

export const importApi = defineAction<ApigwBackend>()({
  name: 'ImportApi',
  http: { method: 'PUT', uri: '/v2/apis', code: 201 },
  input: t.struct({
    body: t.string({ required: true }),
    basepath: t.string({ location: 'querystring', locationName: 'basepath' }),
    failOnWarnings: t.boolean({ location: 'querystring', locationName: 'failOnWarnings' }),
  }),
  output: apiV2Shape,
  async handler(input, ctx, backend) {
    const report = new ImportReport();
    const def = importHttpDefinition(input.body, { region: ctx.region, accountId: ctx.accountId }, basePathMode(input.basepath), report);
    if (def.title === undefined || def.title.trim() === '') report.error('Invalid API name specified: the definition needs info.title');
    report.verdict(input.failOnWarnings ?? false);
    const id = newId();
    const api = applyHttpDefinition(emptyHttpApi(id, def.title ?? '', Math.floor(Date.now() / 1000)), def, () => newId(7));
    await backend.store.create('api', id, api);
    return apiV2View(api, ctx.baseUrl, report.warnings);
  },
});
