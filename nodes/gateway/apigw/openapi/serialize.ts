// Export documents as text: pretty JSON, or YAML (long lines kept whole, so templates and
// policies read back byte for byte; strings a YAML 1.1 reader would take for dates or booleans,
// such as `version: 2024-06-01`, quoted).
import { stringify as stringifyYaml } from 'yaml';
import { type Obj } from './document.js';

export type ExportFormat = 'json' | 'yaml';

export function serialize(doc: Obj, format: ExportFormat): string {
  return format === 'yaml' ? stringifyYaml(doc, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }) : `${JSON.stringify(doc, null, 2)}\n`;
}

/** The origin of an API's invoke URLs on this gateway: `{apiId}.execute-api.localhost:{port}`. */
export function apiOrigin(baseUrl: string, apiId: string): string {
  const url = new URL(baseUrl);
  return `${url.protocol}//${apiId}.execute-api.localhost${url.port ? `:${url.port}` : ''}`;
}
