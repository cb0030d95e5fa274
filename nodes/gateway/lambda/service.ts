// The Lambda service as the gateway dispatches it: the REST-JSON protocol, routes from each
// action's HTTP binding (API version paths such as /2015-03-31/functions).
import { type RestServiceSpec, actionMap, eraseService } from '../action.js';
import { createAlias } from './actions/create-alias.js';
import { createFunction } from './actions/create-function.js';
import { deleteAlias } from './actions/delete-alias.js';
import { deleteFunction } from './actions/delete-function.js';
import { deleteFunctionConcurrency } from './actions/delete-function-concurrency.js';
import { deleteFunctionEventInvokeConfig } from './actions/delete-function-event-invoke-config.js';
import { deleteLayerVersion } from './actions/delete-layer-version.js';
import { getAccountSettings } from './actions/get-account-settings.js';
import { getAlias } from './actions/get-alias.js';
import { getFunction } from './actions/get-function.js';
import { getFunctionConcurrency } from './actions/get-function-concurrency.js';
import { getFunctionConfiguration } from './actions/get-function-configuration.js';
import { getFunctionEventInvokeConfig } from './actions/get-function-event-invoke-config.js';
import { getLayerVersion } from './actions/get-layer-version.js';
import { invoke } from './actions/invoke.js';
import { listAliases } from './actions/list-aliases.js';
import { listFunctionEventInvokeConfigs } from './actions/list-function-event-invoke-configs.js';
import { listFunctions } from './actions/list-functions.js';
import { listLayerVersions } from './actions/list-layer-versions.js';
import { listLayers } from './actions/list-layers.js';
import { listTags } from './actions/list-tags.js';
import { listVersionsByFunction } from './actions/list-versions-by-function.js';
import { publishLayerVersion } from './actions/publish-layer-version.js';
import { publishVersion } from './actions/publish-version.js';
import { putFunctionConcurrency } from './actions/put-function-concurrency.js';
import { putFunctionEventInvokeConfig } from './actions/put-function-event-invoke-config.js';
import { tagResource } from './actions/tag-resource.js';
import { untagResource } from './actions/untag-resource.js';
import { updateAlias } from './actions/update-alias.js';
import { updateFunctionCode } from './actions/update-function-code.js';
import { updateFunctionConfiguration } from './actions/update-function-configuration.js';
import { updateFunctionEventInvokeConfig } from './actions/update-function-event-invoke-config.js';
import { putProvisionedConcurrencyConfig } from './actions/put-provisioned-concurrency-config.js';
import { getProvisionedConcurrencyConfig } from './actions/get-provisioned-concurrency-config.js';
import { deleteProvisionedConcurrencyConfig } from './actions/delete-provisioned-concurrency-config.js';
import { listProvisionedConcurrencyConfigs } from './actions/list-provisioned-concurrency-configs.js';
import { addPermission } from './actions/add-permission.js';
import { removePermission } from './actions/remove-permission.js';
import { getPolicy } from './actions/get-policy.js';
import { createFunctionUrlConfig } from './actions/create-function-url-config.js';
import { getFunctionUrlConfig } from './actions/get-function-url-config.js';
import { updateFunctionUrlConfig } from './actions/update-function-url-config.js';
import { deleteFunctionUrlConfig } from './actions/delete-function-url-config.js';
import { listFunctionUrlConfigs } from './actions/list-function-url-configs.js';
import { createEventSourceMapping } from './actions/create-event-source-mapping.js';
import { getEventSourceMapping } from './actions/get-event-source-mapping.js';
import { updateEventSourceMapping } from './actions/update-event-source-mapping.js';
import { deleteEventSourceMapping } from './actions/delete-event-source-mapping.js';
import { listEventSourceMappings } from './actions/list-event-source-mappings.js';
import { type LambdaBackend } from './backend.js';

export const LAMBDA_ACTIONS = actionMap<LambdaBackend>([
  createFunction,
  getFunction,
  getFunctionConfiguration,
  listFunctions,
  updateFunctionCode,
  updateFunctionConfiguration,
  deleteFunction,
  publishVersion,
  listVersionsByFunction,
  createAlias,
  getAlias,
  updateAlias,
  deleteAlias,
  listAliases,
  invoke,
  putFunctionConcurrency,
  getFunctionConcurrency,
  deleteFunctionConcurrency,
  getAccountSettings,
  putFunctionEventInvokeConfig,
  getFunctionEventInvokeConfig,
  updateFunctionEventInvokeConfig,
  deleteFunctionEventInvokeConfig,
  listFunctionEventInvokeConfigs,
  publishLayerVersion,
  getLayerVersion,
  listLayerVersions,
  listLayers,
  deleteLayerVersion,
  tagResource,
  untagResource,
  listTags,
  putProvisionedConcurrencyConfig,
  getProvisionedConcurrencyConfig,
  deleteProvisionedConcurrencyConfig,
  listProvisionedConcurrencyConfigs,
  addPermission,
  removePermission,
  getPolicy,
  createFunctionUrlConfig,
  getFunctionUrlConfig,
  updateFunctionUrlConfig,
  deleteFunctionUrlConfig,
  listFunctionUrlConfigs,
  createEventSourceMapping,
  getEventSourceMapping,
  updateEventSourceMapping,
  deleteEventSourceMapping,
  listEventSourceMappings,
]);

/** AWS: CreateFunction requests up to 69,905,067 bytes (a 50 MB package in base64 JSON). */
export const LAMBDA_MAX_BODY_BYTES = 69_905_067;

export function lambdaService(backend: LambdaBackend): RestServiceSpec {
  return eraseService<LambdaBackend>({
    protocol: 'rest-json',
    signingName: 'lambda',
    maxBodyBytes: LAMBDA_MAX_BODY_BYTES,
    // Lambda's names for the errors shared code raises.
    errorAliases: {
      InvalidParameterValue: 'InvalidParameterValueException',
      MissingParameter: 'InvalidParameterValueException',
      SerializationException: 'InvalidRequestContentException',
      RequestEntityTooLarge: 'RequestTooLargeException',
      InternalFailure: 'ServiceException',
    },
    actions: LAMBDA_ACTIONS,
    deps: backend,
  });
}
