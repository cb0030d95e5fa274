import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { type ApiV2Doc, asApiDoc } from '../../model.js';
import { newId } from '../../store.js';
import { applyHttpDefinition } from '../apply-v2.js';
import { importHttpDefinition } from '../import-v2.js';
import { ImportReport } from '../report.js';
import { basePathMode } from './import-options.js';
import { autoDeploy } from './v2-auto-deploy.js';
import { apiV2Shape, apiV2View } from './v2-output.js';

export const reimportApi = defineAction<ApigwBackend>()({
  name: 'ReimportApi',
  http: { method: 'PUT', uri: '/v2/apis/{apiId}', code: 201 },
  input: t.struct({
    apiId: t.string({ required: true, location: 'uri' }),
    body: t.string({ required: true }),
    basepath: t.string({ location: 'querystring', locationName: 'basepath' }),
    failOnWarnings: t.boolean({ location: 'querystring', locationName: 'failOnWarnings' }),
  }),
  output: apiV2Shape,
  async handler(input, ctx, backend) {
    const notFound = (): AwsError => new AwsError('ApigwNotFoundException', `Invalid API identifier specified ${input.apiId}`);
    const report = new ImportReport();
    const def = importHttpDefinition(input.body, { region: ctx.region, accountId: ctx.accountId }, basePathMode(input.basepath), report);
    report.verdict(input.failOnWarnings ?? false);
    const asHttp = (v: unknown): ApiV2Doc => {
      const doc = asApiDoc(v);
      if (doc.kind !== 'v2') throw notFound();
      if (doc.protocolType !== 'HTTP') throw new AwsError('ApigwBadRequestException', 'Reimporting is supported only for HTTP APIs');
      return doc;
    };
    const api = await backend.store.update('api', input.apiId, asHttp, notFound, (doc) => applyHttpDefinition(doc, def, () => newId(7)));
    if (!api) throw notFound();
    return apiV2View(await autoDeploy(backend, api, notFound), ctx.baseUrl, report.warnings);
  },
});
