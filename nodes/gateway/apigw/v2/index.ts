// Every API Gateway v2 (HTTP and WebSocket API) management action (owner: the v2 management work).
import { type AnyAction } from '../../action.js';
import { type ApigwBackend } from '../backend.js';

export const V2_ACTIONS: AnyAction<ApigwBackend>[] = [];
