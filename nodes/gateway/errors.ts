// The one table of errors the AWS front returns. Code raises `new AwsError(code, message)`;
// the protocol layer maps it once, at the wire, to the status, the JSON `__type` and
// `x-amzn-query-error` header, or the Query protocol's <ErrorResponse>.

export interface ErrorSpec {
  status: number;
  /** Sender: the caller's fault; Receiver: ours. */
  fault: 'Sender' | 'Receiver';
  /** The code the Query protocol (and SQS's `x-amzn-query-error`) uses, when it differs. */
  queryCode?: string;
  /** The JSON `__type` shape name, when it differs from the code (the service model's shape). */
  jsonType?: string;
  /** AWS words some errors differently in the Query protocol. */
  queryMessage?: string;
}

const sender = (status = 400, queryCode?: string, more: Partial<ErrorSpec> = {}): ErrorSpec => ({ status, fault: 'Sender', ...(queryCode ? { queryCode } : {}), ...more });
const receiver = (status: number): ErrorSpec => ({ status, fault: 'Receiver' });

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
  ResourceNotFoundException: sender(404, 'ResourceNotFoundException'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class AwsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
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
