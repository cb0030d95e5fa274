// What the scheduler is asked to run: a function version resolved from the catalog (the gateway
// resolves names, qualifiers and alias weights; the scheduler only runs what it is given).
import { type LayerRef, type VersionConfig } from '../gateway/lambda/model.js';

export interface InvokeTarget {
  functionName: string;
  /** The ARN the caller invoked (qualified when a qualifier was given). */
  invokedArn: string;
  /** The version that runs ($LATEST or a number), after alias routing. */
  version: string;
  config: VersionConfig;
  layers: LayerRef[];
  /** Decrypted environment variables. */
  env: Record<string, string>;
  reserved: number | null;
  /** Catalog revision of the function document: a change makes new execution environments. */
  rev: number;
}

export interface InvokeRequest {
  requestId: string;
  /** JSON text of the event. */
  payload: string;
  clientContext?: string;
  traceId?: string;
  signal?: AbortSignal;
}

/** Runs invocations: the local scheduler, or a gateway's client of remote schedulers. */
export interface FunctionRunner {
  invoke(target: InvokeTarget, req: InvokeRequest): Promise<InvokeResult>;
}

/** Provisioned concurrency as the Lambda API reports and nudges it. */
export interface ProvisionedView {
  status(fn: string, qualifier: string): { status: 'IN_PROGRESS' | 'READY' | 'FAILED'; available: number; reason?: string };
  reconcile(): Promise<void>;
}

export interface InvokeResult {
  payload: string;
  functionError?: 'Unhandled';
  errorType?: string;
  logs: string;
  initDurationMs?: number;
  durationMs: number;
}
