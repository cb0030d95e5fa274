import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { t } from '../../../shapes.js';
import { type ApigwBackend } from '../../backend.js';
import { type RestApiDoc, asApiDoc } from '../../model.js';
import { newId } from '../../store.js';
import { restApiShape } from '../../v1/shapes.js';
import { restApiView } from '../../v1/views.js';
import { applyRestDefinition } from '../apply-rest.js';
import { importRestDefinition } from '../import-rest.js';
import { ImportReport } from '../report.js';
import { basePathMode, definitionText } from './import-options.js';

const notFound = (): AwsError => new AwsError('ApigwNotFoundException', 'Invalid API identifier specified');

export const putRestApi = defineAction<ApigwBackend>()({
  name: 'PutRestApi',
  http: { method: 'PUT', uri: '/restapis/{restApiId}' },
  input: t.struct({
    restApiId: t.string({ required: true, location: 'uri' }),
    body: t.blob({ required: true, location: 'payload' }),
    mode: t.string({ location: 'querystring', enum: ['merge', 'overwrite'] }),
    failOnWarnings: t.boolean({ location: 'querystring', locationName: 'failonwarnings' }),
    parameters: t.map(t.string(), { location: 'querystring' }),
  }),
  output: restApiShape,
  async handler(input, ctx, backend) {
    const params = input.parameters ?? {};
    const basepath = basePathMode(params.basepath);
    const report = new ImportReport();
    // AWS reads the definition first: an unreadable one is "Invalid OpenAPI input." whatever the API.
    const def = importRestDefinition(definitionText(input.body), { apiId: input.restApiId, basepath, region: ctx.region, accountId: ctx.accountId }, report);
    report.verdict(input.failOnWarnings ?? false);
    const mode = input.mode === 'overwrite' ? 'overwrite' : 'merge';
    const asRest = (v: unknown): RestApiDoc => {
      const doc = asApiDoc(v);
      if (doc.kind !== 'rest') throw notFound();
      return doc;
    };
    const api = await backend.store.update('api', input.restApiId, asRest, notFound, (doc) => applyRestDefinition(doc, def, mode, { resource: () => newId(), short: () => newId(6) }));
    if (!api) throw notFound();
    return { ...restApiView(api), ...(report.warnings.length > 0 ? { warnings: report.warnings } : {}) };
  },
});
