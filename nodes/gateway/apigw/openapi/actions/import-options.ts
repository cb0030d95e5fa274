// The query parameters ImportRestApi and PutRestApi share (`parameters` in the SDKs):
// `basepath=ignore|prepend|split` and, for a new API, `endpointConfigurationTypes`.
import { AwsError } from '../../../errors.js';
import { type BasePathMode } from '../import-rest.js';

export function basePathMode(value: string | undefined): BasePathMode {
  const v = (value ?? 'ignore').toLowerCase();
  if (v === 'ignore' || v === 'prepend' || v === 'split') return v;
  throw new AwsError('ApigwBadRequestException', `Invalid basepath value specified: ${value}. Valid values are ignore, prepend, split`);
}

const ENDPOINT_TYPES = ['EDGE', 'REGIONAL', 'PRIVATE'];

export function endpointTypes(value: string | undefined): string[] {
  if (value === undefined) return ['EDGE'];
  const types = value.split(',').map((x) => x.trim().toUpperCase()).filter((x) => x !== '');
  const bad = types.find((x) => !ENDPOINT_TYPES.includes(x));
  if (bad !== undefined || types.length !== 1) throw new AwsError('ApigwBadRequestException', `Invalid endpointConfigurationTypes specified: ${value}. Valid values are EDGE, REGIONAL, PRIVATE`);
  return types;
}

/** The definition's text (the SDKs send it as the raw body). */
export const definitionText = (body: Uint8Array): string => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
