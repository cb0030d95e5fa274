// The native FunctionService (proto/stratus/v1/functions.proto): Lambda over gRPC. Every RPC is
// the Lambda action of the same name, run by the generic machinery of action-grpc.ts (the same
// `runAction` as the HTTP front, requests and responses translated by walking the action's
// shapes), so the two fronts cannot drift apart and adding an RPC is a proto change.
import { type GrpcFrontOptions, type GrpcService, actionRunner, actionService } from './action-grpc.js';
import { type LambdaBackend } from './lambda/backend.js';
import { LAMBDA_ACTIONS, lambdaService } from './lambda/service.js';
import { services } from '../grpc/protos.js';

export type FunctionServiceOptions = GrpcFrontOptions;

export function functionService(backend: LambdaBackend, o: FunctionServiceOptions): GrpcService {
  // Lambda's names for the generic codes shared code raises (MissingParameter is
  // InvalidParameterValueException...), taken from the HTTP front's spec so both report the same.
  const { errorAliases } = lambdaService(backend);
  const runner = actionRunner({ name: 'FunctionService', awsService: 'lambda', actions: LAMBDA_ACTIONS, deps: backend, ...(errorAliases ? { errorAliases } : {}) }, o);
  return actionService(services().functions.service, runner, LAMBDA_ACTIONS);
}
