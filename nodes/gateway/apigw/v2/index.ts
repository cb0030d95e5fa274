// Every API Gateway v2 (HTTP and WebSocket API) management action (the service keys them `v2:<name>`).
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';
import { createApi } from './create-api.js';
import { createAuthorizer } from './create-authorizer.js';
import { createDeployment } from './create-deployment.js';
import { createIntegration } from './create-integration.js';
import { createIntegrationResponse } from './create-integration-response.js';
import { createModel } from './create-model.js';
import { createRoute } from './create-route.js';
import { createRouteResponse } from './create-route-response.js';
import { createStage } from './create-stage.js';
import { deleteAccessLogSettings } from './delete-access-log-settings.js';
import { deleteApi } from './delete-api.js';
import { deleteAuthorizer } from './delete-authorizer.js';
import { deleteCorsConfiguration } from './delete-cors-configuration.js';
import { deleteDeployment } from './delete-deployment.js';
import { deleteIntegration } from './delete-integration.js';
import { deleteIntegrationResponse } from './delete-integration-response.js';
import { deleteModel } from './delete-model.js';
import { deleteRoute } from './delete-route.js';
import { deleteRouteRequestParameter } from './delete-route-request-parameter.js';
import { deleteRouteResponse } from './delete-route-response.js';
import { deleteRouteSettings } from './delete-route-settings.js';
import { deleteStage } from './delete-stage.js';
import { getApi } from './get-api.js';
import { getApis } from './get-apis.js';
import { getAuthorizer } from './get-authorizer.js';
import { getAuthorizers } from './get-authorizers.js';
import { getDeployment } from './get-deployment.js';
import { getDeployments } from './get-deployments.js';
import { getIntegration } from './get-integration.js';
import { getIntegrationResponse } from './get-integration-response.js';
import { getIntegrationResponses } from './get-integration-responses.js';
import { getIntegrations } from './get-integrations.js';
import { getModel } from './get-model.js';
import { getModelTemplate } from './get-model-template.js';
import { getModels } from './get-models.js';
import { getRoute } from './get-route.js';
import { getRouteResponse } from './get-route-response.js';
import { getRouteResponses } from './get-route-responses.js';
import { getRoutes } from './get-routes.js';
import { getStage } from './get-stage.js';
import { getStages } from './get-stages.js';
import { getTags } from './get-tags.js';
import { resetAuthorizersCache } from './reset-authorizers-cache.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateApi } from './update-api.js';
import { updateAuthorizer } from './update-authorizer.js';
import { updateDeployment } from './update-deployment.js';
import { updateIntegration } from './update-integration.js';
import { updateIntegrationResponse } from './update-integration-response.js';
import { updateModel } from './update-model.js';
import { updateRoute } from './update-route.js';
import { updateRouteResponse } from './update-route-response.js';
import { updateStage } from './update-stage.js';

export const V2_ACTIONS: AnyAction<ApigwBackend>[] = [
  createApi,
  createAuthorizer,
  createDeployment,
  createIntegration,
  createIntegrationResponse,
  createModel,
  createRoute,
  createRouteResponse,
  createStage,
  deleteAccessLogSettings,
  deleteApi,
  deleteAuthorizer,
  deleteCorsConfiguration,
  deleteDeployment,
  deleteIntegration,
  deleteIntegrationResponse,
  deleteModel,
  deleteRoute,
  deleteRouteRequestParameter,
  deleteRouteResponse,
  deleteRouteSettings,
  deleteStage,
  getApi,
  getApis,
  getAuthorizer,
  getAuthorizers,
  getDeployment,
  getDeployments,
  getIntegration,
  getIntegrationResponse,
  getIntegrationResponses,
  getIntegrations,
  getModel,
  getModelTemplate,
  getModels,
  getRoute,
  getRouteResponse,
  getRouteResponses,
  getRoutes,
  getStage,
  getStages,
  getTags,
  resetAuthorizersCache,
  tagResource,
  untagResource,
  updateApi,
  updateAuthorizer,
  updateDeployment,
  updateIntegration,
  updateIntegrationResponse,
  updateModel,
  updateRoute,
  updateRouteResponse,
  updateStage,
];
