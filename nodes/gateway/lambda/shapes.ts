// Shapes Lambda's actions share (names and members as in the Lambda API model).
import { t } from '../shapes.js';

export const functionNameLabel = t.string({ required: true, location: 'uri', locationName: 'FunctionName' });
export const qualifierQuery = t.string({ location: 'querystring', locationName: 'Qualifier' });
export const markerQuery = t.string({ location: 'querystring', locationName: 'Marker' });
export const maxItemsQuery = t.integer({ location: 'querystring', locationName: 'MaxItems', min: 1, max: 10_000 });

export const environment = t.struct({ Variables: t.map(t.string()) });
export const environmentResponse = t.struct({ Variables: t.map(t.string()), Error: t.struct({ ErrorCode: t.string(), Message: t.string() }) });
export const tracingConfig = t.struct({ Mode: t.string() });
export const deadLetterConfig = t.struct({ TargetArn: t.string() });
export const ephemeralStorage = t.struct({ Size: t.integer({ required: true }) });
export const layerList = t.list(t.string());
export const tags = t.map(t.string());

export const functionConfiguration = t.struct({
  FunctionName: t.string(),
  FunctionArn: t.string(),
  Runtime: t.string(),
  Role: t.string(),
  Handler: t.string(),
  CodeSize: t.integer(),
  Description: t.string(),
  Timeout: t.integer(),
  MemorySize: t.integer(),
  LastModified: t.string(),
  CodeSha256: t.string(),
  Version: t.string(),
  Environment: environmentResponse,
  TracingConfig: tracingConfig,
  RevisionId: t.string(),
  Layers: t.list(t.struct({ Arn: t.string(), CodeSize: t.integer() })),
  State: t.string(),
  LastUpdateStatus: t.string(),
  PackageType: t.string(),
  Architectures: t.list(t.string()),
  EphemeralStorage: ephemeralStorage,
  DeadLetterConfig: deadLetterConfig,
  LoggingConfig: t.struct({ LogFormat: t.string(), LogGroup: t.string() }),
});

export const aliasConfiguration = t.struct({
  AliasArn: t.string(),
  Name: t.string(),
  FunctionVersion: t.string(),
  Description: t.string(),
  RoutingConfig: t.struct({ AdditionalVersionWeights: t.map(t.double()) }),
  RevisionId: t.string(),
});

export const destinationConfig = t.struct({
  OnSuccess: t.struct({ Destination: t.string() }),
  OnFailure: t.struct({ Destination: t.string() }),
});

export const invokeConfigShape = t.struct({
  LastModified: t.double(),
  FunctionArn: t.string(),
  MaximumRetryAttempts: t.integer(),
  MaximumEventAgeInSeconds: t.integer(),
  DestinationConfig: destinationConfig,
});
