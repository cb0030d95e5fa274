// The Kinesis service as the gateway dispatches it: JSON 1.1 (`Kinesis_20131202.*`), and CBOR
// for the Java SDK and the KCL. Shape violations are ValidationException, as AWS's front says.
import { type ServiceSpec, actionMap, eraseService } from '../action.js';
import { type KinesisBackend } from './backend.js';
import { KINESIS_ACTIONS } from './actions/index.js';
import { withLooseInput } from './validation.js';

export function kinesisService(k: KinesisBackend): ServiceSpec<unknown> {
  const spec: ServiceSpec<KinesisBackend> = {
    signingName: 'kinesis',
    targetPrefix: 'Kinesis_20131202',
    jsonVersion: '1.1',
    queryCompatible: false,
    // The HTTP front checks only types before an action runs (validation.ts words every
    // constraint as AWS does): a value of the wrong JSON type is AWS's SerializationException.
    errorAliases: { InvalidParameterValue: 'SerializationException', MissingParameter: 'ValidationException', InternalFailure: 'InternalFailureException' },
    cbor: true,
    queryVersion: '2013-12-02',
    xmlNamespace: 'http://kinesis.amazonaws.com/doc/2013-12-02/',
    // AWS: PutRecords carries up to 5 MiB of records; base64 adds a third.
    maxBodyBytes: 8 * 1024 * 1024,
    actions: actionMap(KINESIS_ACTIONS.map(withLooseInput)),
    deps: k,
  };
  return eraseService(spec);
}
