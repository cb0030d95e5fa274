// What both kinds of event source mapping do with a batch: invoke the function synchronously
// and read the outcome, including partial batch responses (ReportBatchItemFailures).
import { randomUUID } from 'node:crypto';
import { type LambdaBackend } from '../../gateway/lambda/backend.js';
import { type MappingDoc } from '../../gateway/lambda/mappings.js';
import { Throttled } from '../scheduler.js';
import { type InvokeResult } from '../types.js';

export type BatchOutcome =
  | { kind: 'ok'; result: InvokeResult }
  /** The function reported these item identifiers as failed (the rest succeeded). */
  | { kind: 'partial'; failed: string[]; result: InvokeResult }
  | { kind: 'error'; result?: InvokeResult; reason: string }
  | { kind: 'throttled' };

/** AWS's LastProcessingResult texts. */
export const PROCESSING_OK = 'OK';
export const PROCESSING_FAILED = 'PROBLEM: Function call failed';

export async function invokeBatch(lambda: LambdaBackend, m: MappingDoc, event: unknown, itemIds: readonly string[]): Promise<BatchOutcome> {
  let result: InvokeResult;
  try {
    const fn = await lambda.function(m.functionName);
    const target = lambda.resolve(fn, m.qualifier);
    result = await lambda.scheduler.invoke(target, { requestId: randomUUID(), payload: JSON.stringify(event) });
  } catch (err) {
    if (err instanceof Throttled) return { kind: 'throttled' };
    return { kind: 'error', reason: err instanceof Error ? err.message : String(err) };
  }
  if (result.functionError) return { kind: 'error', result, reason: result.errorType ?? 'Unhandled' };
  if (!m.reportBatchItemFailures) return { kind: 'ok', result };
  const failed = partialFailures(result.payload, itemIds);
  if (failed === 'invalid') return { kind: 'error', result, reason: 'invalid partial batch response' };
  return failed.length === 0 ? { kind: 'ok', result } : { kind: 'partial', failed, result };
}

/**
 * AWS: an empty or null `batchItemFailures` (or an empty/null response) is complete success; a
 * response that is not JSON, or an item whose identifier is null, empty, misnamed or not in the
 * batch, fails the whole batch.
 */
export function partialFailures(payload: string, itemIds: readonly string[]): string[] | 'invalid' {
  if (payload.trim() === '' || payload.trim() === 'null') return [];
  let v: unknown;
  try {
    v = JSON.parse(payload) as unknown;
  } catch {
    return 'invalid';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
  const list = (v as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) return 'invalid';
  const known = new Set(itemIds);
  const out: string[] = [];
  for (const item of list) {
    const id = typeof item === 'object' && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !known.has(id)) return 'invalid';
    out.push(id);
  }
  return out;
}

