// OpenAPI import and export actions: v1 ImportRestApi, PutRestApi, GetExport; v2 ImportApi,
// ReimportApi, ExportApi (owner: the OpenAPI work).
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';

export const OPENAPI_V1_ACTIONS: AnyAction<ApigwBackend>[] = [];
export const OPENAPI_V2_ACTIONS: AnyAction<ApigwBackend>[] = [];
