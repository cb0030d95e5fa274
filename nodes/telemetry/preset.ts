// A trace id (and decision) that the next root span must take: an X-Ray header with a Root but no
// Parent, or an asynchronous hop that continues its producer's trace as a new, linked segment.
import { type Context, createContextKey } from '@opentelemetry/api';

const PRESET_TRACE = createContextKey('stratus.preset-trace');

export interface PresetTrace {
  traceId: string;
  /** The upstream decision; undefined leaves it to the sampling rule. */
  sampled?: boolean;
}

export function withPresetTrace(ctx: Context, preset: PresetTrace): Context {
  return ctx.setValue(PRESET_TRACE, preset);
}

export function presetTraceOf(ctx: Context): PresetTrace | undefined {
  const v = ctx.getValue(PRESET_TRACE);
  return typeof v === 'object' && v !== null && typeof (v as PresetTrace).traceId === 'string' ? (v as PresetTrace) : undefined;
}
