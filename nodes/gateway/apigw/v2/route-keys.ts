// Route keys as AWS accepts them: HTTP APIs `METHOD /path` (`{param}`, a final `{proxy+}`, ANY)
// or `$default`; WebSocket APIs `$connect`, `$disconnect`, `$default` or any custom key.
import { AwsError } from '../../errors.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY']);

export function checkRouteKey(protocol: 'HTTP' | 'WEBSOCKET', key: string): void {
  if (protocol === 'WEBSOCKET') {
    if (key.trim() === '') throw new AwsError('ApigwBadRequestException', 'Invalid route key');
    return;
  }
  if (key === '$default') return;
  const m = /^([A-Z]+) (\/\S*)$/.exec(key);
  if (!m || !METHODS.has(m[1]!)) throw new AwsError('ApigwBadRequestException', `Unable to create route ${key}. Route key must be $default or an HTTP method followed by a path, e.g. GET /pets.`);
  const segments = m[2]!.split('/').slice(1);
  segments.forEach((s, i) => {
    if (s === '' && segments.length > 1) throw new AwsError('ApigwBadRequestException', `Invalid route key ${key}: empty path segment`);
    if (s.endsWith('+}') && i !== segments.length - 1) throw new AwsError('ApigwBadRequestException', `Invalid route key ${key}: a greedy path variable must be last`);
  });
}
