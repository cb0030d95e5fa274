// HTTP and WebSocket stages' throttles: the stage's default route settings, and a route's own.
import { type RouteSettingsDoc } from '../../model.js';
import { type Limit } from '../types.js';

/** Throttle limits from route settings (both the rate and the burst must be set to count). */
export function limitsOf(stageDefault: RouteSettingsDoc, route: RouteSettingsDoc | undefined): { stageLimit?: Limit; methodLimit?: Limit } {
  const limit = (s: RouteSettingsDoc | undefined): Limit | undefined => (s?.throttlingRateLimit !== undefined && s.throttlingBurstLimit !== undefined ? { rateLimit: s.throttlingRateLimit, burstLimit: s.throttlingBurstLimit } : undefined);
  const stageLimit = limit(stageDefault);
  const methodLimit = limit(route);
  return { ...(stageLimit ? { stageLimit } : {}), ...(methodLimit ? { methodLimit } : {}) };
}
