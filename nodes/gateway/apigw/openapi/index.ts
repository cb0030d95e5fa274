// OpenAPI import and export actions: v1 ImportRestApi, PutRestApi, GetExport; v2 ImportApi,
// ReimportApi, ExportApi (owner: the OpenAPI work).
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';
import { exportApi } from './actions/export-api.js';
import { getExport } from './actions/get-export.js';
import { importApi } from './actions/import-api.js';
import { importRestApi } from './actions/import-rest-api.js';
import { putRestApi } from './actions/put-rest-api.js';
import { reimportApi } from './actions/reimport-api.js';

export const OPENAPI_V1_ACTIONS: AnyAction<ApigwBackend>[] = [importRestApi, putRestApi, getExport];
export const OPENAPI_V2_ACTIONS: AnyAction<ApigwBackend>[] = [importApi, reimportApi, exportApi];
