// Every API Gateway v2 (HTTP and WebSocket API) management action.
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';
import { createApi } from './create-api.js';
import { createDeployment } from './create-deployment.js';
import { createIntegration } from './create-integration.js';
import { createRoute } from './create-route.js';
import { createRouteResponse } from './create-route-response.js';
import { createStage } from './create-stage.js';
import { deleteApi } from './delete-api.js';
import { deleteIntegration } from './delete-integration.js';
import { deleteRoute } from './delete-route.js';
import { deleteStage } from './delete-stage.js';
import { getApi } from './get-api.js';
import { getApis } from './get-apis.js';
import { getIntegration } from './get-integration.js';
import { getIntegrations } from './get-integrations.js';
import { getRoute } from './get-route.js';
import { getRoutes } from './get-routes.js';
import { getStage } from './get-stage.js';
import { getStages } from './get-stages.js';

export const V2_ACTIONS: AnyAction<ApigwBackend>[] = [
  createApi,
  getApi,
  getApis,
  deleteApi,
  createRoute,
  createRouteResponse,
  getRoute,
  getRoutes,
  deleteRoute,
  createIntegration,
  getIntegration,
  getIntegrations,
  deleteIntegration,
  createStage,
  getStage,
  getStages,
  deleteStage,
  createDeployment,
];
