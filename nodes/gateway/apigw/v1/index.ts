// Every API Gateway v1 (REST API) management action (owner: the v1 management work).
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';

export const V1_ACTIONS: AnyAction<ApigwBackend>[] = [];
