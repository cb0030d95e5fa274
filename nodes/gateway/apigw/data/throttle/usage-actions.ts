// v1 GetUsage and UpdateUsage: usage plans' quota counters (owner: the admission work).
import { type AnyAction } from '../../../action.js';
import { type ApigwBackend } from '../../backend.js';

export const USAGE_ACTIONS: AnyAction<ApigwBackend>[] = [];
