import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { storeZip } from '../code.js';
import { applyConfig, configurationOf } from '../config.js';
import { createFunctionDoc } from '../functions.js';
import { type FunctionDoc } from '../model.js';
import { deadLetterConfig, environment, ephemeralStorage, functionConfiguration, layerList, tags, tracingConfig } from '../shapes.js';
import { publishedVersion } from '../versions.js';

export const createFunction = defineAction<LambdaBackend>()({
  name: 'CreateFunction',
  http: { method: 'POST', uri: '/2015-03-31/functions', code: 201 },
  input: t.struct({
    FunctionName: t.string({ required: true }),
    Runtime: t.string(),
    Role: t.string({ required: true }),
    Handler: t.string(),
    Code: t.struct({ ZipFile: t.blob(), S3Bucket: t.string(), S3Key: t.string(), S3ObjectVersion: t.string(), ImageUri: t.string() }, { required: true }),
    Description: t.string(),
    Timeout: t.integer(),
    MemorySize: t.integer(),
    Publish: t.boolean(),
    PackageType: t.string(),
    Environment: environment,
    Layers: layerList,
    EphemeralStorage: ephemeralStorage,
    DeadLetterConfig: deadLetterConfig,
    TracingConfig: tracingConfig,
    Tags: tags,
    Architectures: t.list(t.string()),
  }),
  output: functionConfiguration,
  async handler(input, ctx, lambda) {
    const id = lambda.id(input.FunctionName, undefined, ctx);
    if (id.qualifier !== undefined) throw new AwsError('InvalidParameterValueException', 'A function name cannot be qualified when creating a function.');
    if (input.PackageType !== undefined && input.PackageType !== 'Zip') throw new AwsError('InvalidParameterValueException', 'Stratus supports PackageType Zip only.');
    const arch = input.Architectures ?? ['x86_64'];
    if (arch.length !== 1 || (arch[0] !== 'x86_64' && arch[0] !== 'arm64')) throw new AwsError('ValidationException', `1 validation error detected: Value '${arch.join(',')}' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1`);
    if ((await lambda.catalog.get('function', id.name, (v) => v, 0)) !== undefined) throw new AwsError('ResourceConflictException', `Function already exist: ${id.name}`);
    if (input.Runtime === undefined) throw new AwsError('InvalidParameterValueException', 'Runtime is required for deployment packages of type Zip.');
    if (input.Handler === undefined) throw new AwsError('InvalidParameterValueException', 'Handler is required for deployment packages of type Zip.');
    // Configuration is checked before the package is stored: a bad request stores nothing.
    const fields = await applyConfig(lambda, undefined, input);
    const stored = await storeZip(lambda, input.Code.ZipFile, 'CreateFunction');
    const latest = { ...fields, code: stored.code, codeSha256: stored.codeSha256 };
    const doc: FunctionDoc = {
      name: id.name,
      createdMs: Date.now(),
      latest,
      versions: [],
      nextVersion: 1,
      aliases: [],
      tags: input.Tags ?? {},
      reserved: null,
      invokeConfigs: [],
      provisioned: [],
      urls: [],
      policy: [],
    };
    if (input.Publish) {
      doc.versions.push(publishedVersion(latest, 1, latest.description));
      doc.nextVersion = 2;
    }
    await lambda.logs.ensure(id.name);
    await createFunctionDoc(lambda, doc);
    const shown = input.Publish ? doc.versions[0]! : latest;
    return configurationOf(lambda, doc, shown);
  },
});

