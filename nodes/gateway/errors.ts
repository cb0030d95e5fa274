// The one table of errors the AWS front returns. Code raises `new AwsError(code, message)`;
// the protocol layer maps it once, at the wire, to the status, the JSON `__type` and
// `x-amzn-query-error` header, the restJson1 `x-amzn-ErrorType` header and body, or the Query
// protocol's <ErrorResponse>. A key here is Stratus's name for an error; what goes on the wire is
// `jsonType ?? key` (JSON protocols) or `queryCode ?? key` (Query). A REST service may re-map the
// generic codes shared code raises to its own (RestServiceSpec.errorAliases in action.ts).

export interface ErrorSpec {
  status: number;
  /** Sender: the caller's fault; Receiver: ours. */
  fault: 'Sender' | 'Receiver';
  /** The code the Query protocol (and SQS's `x-amzn-query-error`) uses, when it differs. */
  queryCode?: string;
  /**
   * The error's shape name in JSON protocols (`__type`, restJson1's `x-amzn-ErrorType`), when it
   * differs from the code (the service model's shape).
   */
  jsonType?: string;
  /** AWS words some errors differently in the Query protocol. */
  queryMessage?: string;
  /**
   * The restJson1 body key of the message: the model's member name. Lambda's models disagree
   * (`message` for most, `Message` for some), and the SDK fills the typed member from that key.
   */
  messageKey?: 'message' | 'Message';
}

const sender = (status = 400, queryCode?: string, more: Partial<ErrorSpec> = {}): ErrorSpec => ({ status, fault: 'Sender', ...(queryCode ? { queryCode } : {}), ...more });
const receiver = (status: number, more: Partial<ErrorSpec> = {}): ErrorSpec => ({ status, fault: 'Receiver', ...more });
/** Lambda's shapes (from its model: status, fault, and the message member's spelling). */
const lambdaUser = (status: number, messageKey: 'message' | 'Message' = 'message'): ErrorSpec => sender(status, undefined, { messageKey });
const lambdaService = (status: number, messageKey: 'message' | 'Message' = 'Message'): ErrorSpec => receiver(status, { messageKey });

export const ERRORS = {
  // Common to every service (AWS's "common errors" page).
  // SQS's JSON protocol names these two by shapes that are not in its model (recorded from AWS).
  MissingParameter: sender(400, undefined, { jsonType: 'MissingRequiredParameterException' }),
  InvalidParameterValue: sender(400, undefined, { jsonType: 'InvalidParameterValueException' }),
  InvalidParameterCombination: sender(),
  InvalidQueryParameter: sender(),
  MalformedQueryString: sender(404),
  InvalidAction: sender(),
  MissingAction: sender(),
  UnknownOperationException: sender(),
  // A REST request whose method and path match no operation: AWS's restJson1 front answers 404
  // with the same error name the JSON protocols use with 400 for an unknown target.
  UnknownRoute: sender(404, undefined, { jsonType: 'UnknownOperationException' }),
  SerializationException: sender(),
  ValidationError: sender(),
  AccessDenied: sender(403),
  RequestEntityTooLarge: sender(413),
  InternalFailure: receiver(500),
  ServiceUnavailable: receiver(503),
  // Authentication (SigV4).
  MissingAuthenticationToken: sender(403),
  IncompleteSignature: sender(400),
  InvalidClientTokenId: sender(403),
  SignatureDoesNotMatch: sender(403),
  RequestExpired: sender(400),
  // SNS (awsQueryError codes from the service's API model). Batch errors share SQS's names but
  // not their `AWS.SimpleQueueService.` prefix, hence their own keys.
  InvalidParameter: sender(400),
  SnsInvalidParameterValue: sender(400, 'ParameterValueInvalid'),
  NotFound: sender(404),
  AuthorizationError: sender(403),
  InternalError: receiver(500),
  TopicLimitExceeded: sender(403),
  SubscriptionLimitExceeded: sender(403),
  FilterPolicyLimitExceeded: sender(403),
  TagLimitExceeded: sender(400),
  Throttled: sender(429),
  EndpointDisabled: sender(400),
  SnsTooManyEntriesInBatchRequest: sender(400, 'TooManyEntriesInBatchRequest'),
  SnsEmptyBatchRequest: sender(400, 'EmptyBatchRequest'),
  SnsBatchEntryIdsNotDistinct: sender(400, 'BatchEntryIdsNotDistinct'),
  SnsBatchRequestTooLong: sender(400, 'BatchRequestTooLong'),
  SnsInvalidBatchEntryId: sender(400, 'InvalidBatchEntryId'),
  // SQS (awsQueryError codes from the service's API model).
  QueueDoesNotExist: sender(400, 'AWS.SimpleQueueService.NonExistentQueue', { queryMessage: 'The specified queue does not exist for this wsdl version.' }),
  QueueAlreadyExists: sender(400, 'QueueAlreadyExists', { jsonType: 'QueueNameExists' }),
  QueueDeletedRecently: sender(400, 'AWS.SimpleQueueService.QueueDeletedRecently'),
  InvalidAttributeName: sender(400, 'InvalidAttributeName'),
  InvalidAttributeValue: sender(400, 'InvalidAttributeValue'),
  InvalidAddress: sender(404, 'InvalidAddress'),
  InvalidSecurity: sender(403, 'InvalidSecurity'),
  InvalidMessageContents: sender(400, 'InvalidMessageContents'),
  InvalidIdFormat: sender(400, 'InvalidIdFormat'),
  ReceiptHandleIsInvalid: sender(404, 'ReceiptHandleIsInvalid'),
  MessageNotInflight: sender(400, 'AWS.SimpleQueueService.MessageNotInflight'),
  PurgeQueueInProgress: sender(403, 'AWS.SimpleQueueService.PurgeQueueInProgress'),
  TooManyEntriesInBatchRequest: sender(400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest'),
  EmptyBatchRequest: sender(400, 'AWS.SimpleQueueService.EmptyBatchRequest'),
  BatchEntryIdsNotDistinct: sender(400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'),
  BatchRequestTooLong: sender(400, 'AWS.SimpleQueueService.BatchRequestTooLong'),
  InvalidBatchEntryId: sender(400, 'AWS.SimpleQueueService.InvalidBatchEntryId'),
  UnsupportedOperation: sender(400, 'AWS.SimpleQueueService.UnsupportedOperation'),
  OverLimit: sender(403, 'OverLimit'),
  RequestThrottled: sender(403, 'RequestThrottled'),
  // Shared by SQS (JSON and Query) and Lambda (whose model spells the member `Message`).
  ResourceNotFoundException: sender(404, 'ResourceNotFoundException', { messageKey: 'Message' }),
  // Lambda (restJson1), from its API model. None clashes with an SQS code; the generic codes
  // shared code raises (InvalidParameterValue, MissingParameter, SerializationException,
  // RequestEntityTooLarge, InternalFailure...) become these through the service's errorAliases.
  InvalidParameterValueException: lambdaUser(400),
  // Not in Lambda's model: the generic answer of AWS's front to a constraint violation
  // ("1 validation error detected: …"); SDKs surface it as the service's base exception.
  ValidationException: lambdaUser(400),
  InvalidRequestContentException: lambdaUser(400),
  ResourceConflictException: lambdaUser(409),
  ResourceInUseException: lambdaUser(400, 'Message'),
  CodeStorageExceededException: lambdaUser(400),
  PolicyLengthExceededException: lambdaUser(400),
  PreconditionFailedException: lambdaUser(412),
  ProvisionedConcurrencyConfigNotFoundException: lambdaUser(404),
  /** Carries `Reason` in the body and `Retry-After` as a header (AwsError's extra). */
  TooManyRequestsException: lambdaUser(429),
  RequestTooLargeException: lambdaUser(413),
  /** An asynchronous invocation's event above 256 KB. */
  SerializedRequestEntityTooLargeException: lambdaUser(413),
  UnsupportedMediaTypeException: lambdaUser(415),
  RecursiveInvocationException: lambdaUser(400, 'Message'),
  ServiceException: lambdaService(500),
  InvalidRuntimeException: lambdaService(502),
  InvalidZipFileException: lambdaService(502),
  ResourceNotReadyException: lambdaService(502, 'message'),
  // Kinesis (awsJson1_1), from its API model: all client errors with status 400.
  InvalidArgumentException: sender(400),
  LimitExceededException: sender(400),
  ExpiredIteratorException: sender(400),
  ExpiredNextTokenException: sender(400),
  ProvisionedThroughputExceededException: sender(400),
  KMSAccessDeniedException: sender(400),
  /** Kinesis's own InternalFailureException (SubscribeToShard's event stream names it). */
  InternalFailureException: receiver(500),
  // Step Functions (awsJson1_0), from its API model: every error is the caller's, 400 unless the
  // model says otherwise. Shape names other services also use (or might) get an Sfn key with the
  // shape as jsonType, so no other service's entry changes. Members beside `message` travel in
  // AwsError's extra.fields: ValidationException's `reason`, ResourceNotFound's and TooManyTags'
  // `resourceName`, KmsInvalidStateException's `kmsKeyState`.
  ActivityAlreadyExists: sender(400),
  ActivityDoesNotExist: sender(400),
  ActivityLimitExceeded: sender(400),
  ActivityWorkerLimitExceeded: sender(400),
  ExecutionAlreadyExists: sender(400),
  ExecutionDoesNotExist: sender(400),
  ExecutionLimitExceeded: sender(400),
  ExecutionNotRedrivable: sender(400),
  InvalidArn: sender(400),
  InvalidDefinition: sender(400),
  InvalidEncryptionConfiguration: sender(400),
  InvalidExecutionInput: sender(400),
  InvalidLoggingConfiguration: sender(400),
  InvalidName: sender(400),
  InvalidOutput: sender(400),
  InvalidToken: sender(400),
  InvalidTracingConfiguration: sender(400),
  StateMachineAlreadyExists: sender(400),
  StateMachineDeleting: sender(400),
  StateMachineDoesNotExist: sender(400),
  StateMachineLimitExceeded: sender(400),
  StateMachineTypeNotSupported: sender(400),
  TaskDoesNotExist: sender(400),
  TaskTimedOut: sender(400),
  TooManyTags: sender(400),
  SfnConflictException: sender(409, undefined, { jsonType: 'ConflictException' }),
  SfnResourceNotFound: sender(404, undefined, { jsonType: 'ResourceNotFound' }),
  SfnServiceQuotaExceededException: sender(402, undefined, { jsonType: 'ServiceQuotaExceededException' }),
  SfnValidationException: sender(400, undefined, { jsonType: 'ValidationException' }),
  SfnMissingRequiredParameter: sender(400, undefined, { jsonType: 'MissingRequiredParameter' }),
  SfnKmsAccessDeniedException: sender(400, undefined, { jsonType: 'KmsAccessDeniedException' }),
  SfnKmsInvalidStateException: sender(400, undefined, { jsonType: 'KmsInvalidStateException' }),
  SfnKmsThrottlingException: sender(400, undefined, { jsonType: 'KmsThrottlingException' }),
  // API Gateway v1 and v2 (restJson1, from their API models; both name them alike). Apigw keys
  // keep other services' entries of the same shape names untouched.
  ApigwBadRequestException: sender(400, undefined, { jsonType: 'BadRequestException' }),
  ApigwNotFoundException: sender(404, undefined, { jsonType: 'NotFoundException' }),
  ApigwConflictException: sender(409, undefined, { jsonType: 'ConflictException' }),
  ApigwLimitExceededException: sender(429, undefined, { jsonType: 'LimitExceededException' }),
  ApigwTooManyRequestsException: sender(429, undefined, { jsonType: 'TooManyRequestsException' }),
  ApigwUnauthorizedException: sender(401, undefined, { jsonType: 'UnauthorizedException' }),
  ApigwAccessDeniedException: sender(403, undefined, { jsonType: 'AccessDeniedException' }),
  ApigwServiceUnavailableException: receiver(503, { jsonType: 'ServiceUnavailableException' }),
  /** ApiGatewayManagementApi (`@connections`): the connection is gone. */
  ApigwGoneException: sender(410, undefined, { jsonType: 'GoneException' }),
  ApigwForbiddenException: sender(403, undefined, { jsonType: 'ForbiddenException' }),
  ApigwPayloadTooLargeException: sender(413, undefined, { jsonType: 'PayloadTooLargeException' }),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** What some errors carry besides code and message (restJson1 writes both; other protocols drop them). */
export interface ErrorExtra {
  /** Members of the error shape sent in the body, e.g. TooManyRequestsException's `Reason`. */
  fields?: Readonly<Record<string, string | number | boolean>>;
  /** Members bound to headers, e.g. `Retry-After`. */
  headers?: Readonly<Record<string, string>>;
}

export class AwsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: ErrorExtra = {},
  ) {
    super(message);
    this.name = 'AwsError';
  }

  get spec(): ErrorSpec {
    return ERRORS[this.code];
  }
}

/** Any thrown value as an AwsError: unknown failures become InternalFailure (logged by the caller). */
export function asAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  if (err instanceof Error && err.name === 'UnavailableError') return new AwsError('ServiceUnavailable', 'The service is unavailable. Please retry.');
  return new AwsError('InternalFailure', 'We encountered an internal error. Please try again.');
}
