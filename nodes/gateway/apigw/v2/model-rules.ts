// Models of HTTP and WebSocket APIs: JSON Schema draft 4 documents, named alphanumerically.
import { AwsError } from '../../errors.js';

export function checkModelName(name: string): void {
  if (!/^[A-Za-z0-9]+$/.test(name)) throw new AwsError('ApigwBadRequestException', `Invalid model name ${name}: it must be alphanumeric.`);
}

export function parseSchema(schema: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(schema);
  } catch {
    throw new AwsError('ApigwBadRequestException', 'Invalid model schema specified: it must be a JSON document.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new AwsError('ApigwBadRequestException', 'Invalid model schema specified: it must be a JSON object.');
  return v as Record<string, unknown>;
}

/** The mapping template AWS generates from a schema: its top-level properties copied from the body. */
export function templateFor(schema: Record<string, unknown>): string {
  const props = typeof schema.properties === 'object' && schema.properties !== null ? Object.keys(schema.properties) : [];
  const lines = props.map((p) => `  "${p}" : "$inputRoot.${p}"`);
  return `#set($inputRoot = $input.path('$'))\n{\n${lines.join(',\n')}\n}`;
}
