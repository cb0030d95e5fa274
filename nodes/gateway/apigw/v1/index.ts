// Every API Gateway v1 (REST API) management action.
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';
import { createApiKey } from './create-api-key.js';
import { createAuthorizer } from './create-authorizer.js';
import { createDeployment } from './create-deployment.js';
import { createModel } from './create-model.js';
import { createRequestValidator } from './create-request-validator.js';
import { createResource } from './create-resource.js';
import { createRestApi } from './create-rest-api.js';
import { createStage } from './create-stage.js';
import { createUsagePlanKey } from './create-usage-plan-key.js';
import { createUsagePlan } from './create-usage-plan.js';
import { deleteApiKey } from './delete-api-key.js';
import { deleteAuthorizer } from './delete-authorizer.js';
import { deleteDeployment } from './delete-deployment.js';
import { deleteGatewayResponse } from './delete-gateway-response.js';
import { deleteIntegrationResponse } from './delete-integration-response.js';
import { deleteIntegration } from './delete-integration.js';
import { deleteMethodResponse } from './delete-method-response.js';
import { deleteMethod } from './delete-method.js';
import { deleteModel } from './delete-model.js';
import { deleteRequestValidator } from './delete-request-validator.js';
import { deleteResource } from './delete-resource.js';
import { deleteRestApi } from './delete-rest-api.js';
import { deleteStage } from './delete-stage.js';
import { deleteUsagePlanKey } from './delete-usage-plan-key.js';
import { deleteUsagePlan } from './delete-usage-plan.js';
import { flushStageAuthorizersCache } from './flush-stage-authorizers-cache.js';
import { flushStageCache } from './flush-stage-cache.js';
import { getAccount } from './get-account.js';
import { getApiKey } from './get-api-key.js';
import { getApiKeys } from './get-api-keys.js';
import { getAuthorizer } from './get-authorizer.js';
import { getAuthorizers } from './get-authorizers.js';
import { getDeployment } from './get-deployment.js';
import { getDeployments } from './get-deployments.js';
import { getGatewayResponse } from './get-gateway-response.js';
import { getGatewayResponses } from './get-gateway-responses.js';
import { getIntegrationResponse } from './get-integration-response.js';
import { getIntegration } from './get-integration.js';
import { getMethodResponse } from './get-method-response.js';
import { getMethod } from './get-method.js';
import { getModelTemplate } from './get-model-template.js';
import { getModel } from './get-model.js';
import { getModels } from './get-models.js';
import { getRequestValidator } from './get-request-validator.js';
import { getRequestValidators } from './get-request-validators.js';
import { getResource } from './get-resource.js';
import { getResources } from './get-resources.js';
import { getRestApi } from './get-rest-api.js';
import { getRestApis } from './get-rest-apis.js';
import { getStage } from './get-stage.js';
import { getStages } from './get-stages.js';
import { getTags } from './get-tags.js';
import { getUsagePlanKey } from './get-usage-plan-key.js';
import { getUsagePlanKeys } from './get-usage-plan-keys.js';
import { getUsagePlan } from './get-usage-plan.js';
import { getUsagePlans } from './get-usage-plans.js';
import { putGatewayResponse } from './put-gateway-response.js';
import { putIntegrationResponse } from './put-integration-response.js';
import { putIntegration } from './put-integration.js';
import { putMethodResponse } from './put-method-response.js';
import { putMethod } from './put-method.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateAccount } from './update-account.js';
import { updateApiKey } from './update-api-key.js';
import { updateAuthorizer } from './update-authorizer.js';
import { updateDeployment } from './update-deployment.js';
import { updateGatewayResponse } from './update-gateway-response.js';
import { updateIntegrationResponse } from './update-integration-response.js';
import { updateIntegration } from './update-integration.js';
import { updateMethodResponse } from './update-method-response.js';
import { updateMethod } from './update-method.js';
import { updateModel } from './update-model.js';
import { updateRequestValidator } from './update-request-validator.js';
import { updateResource } from './update-resource.js';
import { updateRestApi } from './update-rest-api.js';
import { updateStage } from './update-stage.js';
import { updateUsagePlan } from './update-usage-plan.js';

export const V1_ACTIONS: AnyAction<ApigwBackend>[] = [
  createRestApi,
  getRestApi,
  getRestApis,
  deleteRestApi,
  getResources,
  getResource,
  createResource,
  deleteResource,
  putMethod,
  getMethod,
  deleteMethod,
  putMethodResponse,
  putIntegration,
  getIntegration,
  putIntegrationResponse,
  createDeployment,
  getDeployment,
  getDeployments,
  deleteDeployment,
  createStage,
  getStage,
  getStages,
  updateStage,
  deleteStage,
  flushStageCache,
  createApiKey,
  getApiKey,
  getApiKeys,
  updateApiKey,
  deleteApiKey,
  createUsagePlan,
  getUsagePlan,
  getUsagePlans,
  updateUsagePlan,
  deleteUsagePlan,
  createUsagePlanKey,
  getUsagePlanKey,
  getUsagePlanKeys,
  deleteUsagePlanKey,
  updateRestApi,
  updateResource,
  updateMethod,
  getMethodResponse,
  updateMethodResponse,
  deleteMethodResponse,
  updateIntegration,
  deleteIntegration,
  getIntegrationResponse,
  updateIntegrationResponse,
  deleteIntegrationResponse,
  createModel,
  getModel,
  getModels,
  updateModel,
  deleteModel,
  getModelTemplate,
  createRequestValidator,
  getRequestValidator,
  getRequestValidators,
  updateRequestValidator,
  deleteRequestValidator,
  createAuthorizer,
  getAuthorizer,
  getAuthorizers,
  updateAuthorizer,
  deleteAuthorizer,
  putGatewayResponse,
  getGatewayResponse,
  getGatewayResponses,
  updateGatewayResponse,
  deleteGatewayResponse,
  updateDeployment,
  flushStageAuthorizersCache,
  tagResource,
  untagResource,
  getTags,
  getAccount,
  updateAccount,
];
