// X-Ray's default sampling rule as an OpenTelemetry sampler: the first `reservoir` requests of
// every second are traced, then `rate` of the rest (AWS: 1 per second, then 5%). A span with a
// parent follows the parent's decision, so one decision, taken where a trace starts, holds for
// every hop (as X-Ray's `Sampled=` does).
import { type Attributes, type Context, type Link, SpanKind, isSpanContextValid, trace } from '@opentelemetry/api';
import { presetTraceOf } from './preset.js';
import { type Sampler, SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace';

export interface SamplingRule {
  /** Requests traced each second before the rate applies (X-Ray: 1). */
  reservoirPerSecond: number;
  /** Fraction of requests beyond the reservoir that are traced (X-Ray: 0.05). */
  rate: number;
}

export const XRAY_DEFAULT_RULE: SamplingRule = { reservoirPerSecond: 1, rate: 0.05 };

export class XRaySampler implements Sampler {
  private second = -1;
  private taken = 0;

  constructor(
    public rule: SamplingRule = XRAY_DEFAULT_RULE,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  shouldSample(ctx: Context, _traceId: string, _name: string, kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(ctx);
    if (parent !== undefined && isSpanContextValid(parent)) {
      return { decision: (parent.traceFlags & 1) === 1 ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
    }
    const preset = presetTraceOf(ctx);
    // Only requests start traces: a background loop's span (a Raft cycle, a timer) is traced
    // when it runs for a traced request, never on its own.
    const sampled = preset?.sampled ?? (kind !== SpanKind.INTERNAL && this.sampleRoot());
    return { decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  /** The decision for a request that starts a trace. */
  sampleRoot(): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.taken = 0;
    }
    if (this.taken < this.rule.reservoirPerSecond) {
      this.taken++;
      return true;
    }
    return this.random() < this.rule.rate;
  }

  toString(): string {
    return `XRaySampler{reservoir=${this.rule.reservoirPerSecond}/s, rate=${this.rule.rate}}`;
  }
}
