// Every API Gateway v1 (REST API) management action.
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';
import { createDeployment } from './create-deployment.js';
import { createResource } from './create-resource.js';
import { createRestApi } from './create-rest-api.js';
import { createStage } from './create-stage.js';
import { deleteDeployment } from './delete-deployment.js';
import { deleteMethod } from './delete-method.js';
import { deleteResource } from './delete-resource.js';
import { deleteRestApi } from './delete-rest-api.js';
import { deleteStage } from './delete-stage.js';
import { flushStageCache } from './flush-stage-cache.js';
import { getDeployment } from './get-deployment.js';
import { getDeployments } from './get-deployments.js';
import { getIntegration } from './get-integration.js';
import { getMethod } from './get-method.js';
import { getResource } from './get-resource.js';
import { getResources } from './get-resources.js';
import { getRestApi } from './get-rest-api.js';
import { getRestApis } from './get-rest-apis.js';
import { getStage } from './get-stage.js';
import { getStages } from './get-stages.js';
import { putIntegration } from './put-integration.js';
import { putIntegrationResponse } from './put-integration-response.js';
import { putMethod } from './put-method.js';
import { putMethodResponse } from './put-method-response.js';
import { updateStage } from './update-stage.js';

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
];
