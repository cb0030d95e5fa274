// X-Ray's sampling rule (first request each second, then a fixed rate), parent-based decisions,
// and X-Ray's trace header as it maps onto OpenTelemetry ids.
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { withPresetTrace } from '../../nodes/telemetry/preset.js';
import { XRaySampler } from '../../nodes/telemetry/sampler.js';
import { formatXRayHeader, parseXRayHeader, xrayRoot } from '../../nodes/telemetry/xray.js';

const ID = '5759e988bd862e3fe1be46a994272793';

describe('the X-Ray sampling rule', () => {
  const sampled = (s: XRaySampler, ctx = ROOT_CONTEXT, kind = SpanKind.SERVER): boolean => s.shouldSample(ctx, ID, 'r', kind, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED;

  it('takes the first request of every second, then the rate of the rest', () => {
    let now = 10_000;
    const draws = [0.01, 0.5, 0.049, 0.05, 0.99];
    const s = new XRaySampler({ reservoirPerSecond: 1, rate: 0.05 }, () => now, () => draws.shift()!);
    expect(sampled(s)).toBe(true); // the reservoir
    expect([sampled(s), sampled(s), sampled(s), sampled(s)]).toEqual([true, false, true, false]); // 0.01, 0.5, 0.049, 0.05 against 5%
    now += 999;
    expect(sampled(s)).toBe(false); // same second, 0.99
    now += 1;
    expect(sampled(s)).toBe(true); // a new second refills the reservoir, no draw
  });

  it('takes a configured reservoir and rate, and a rate of 0 traces only the reservoir', () => {
    const s = new XRaySampler({ reservoirPerSecond: 3, rate: 0 }, () => 5_000, () => 0);
    expect([sampled(s), sampled(s), sampled(s), sampled(s), sampled(s)]).toEqual([true, true, true, false, false]);
  });

  it('follows the parent, and a caller\'s preset decision, without drawing', () => {
    const s = new XRaySampler({ reservoirPerSecond: 0, rate: 0 }, () => 0, () => {
      throw new Error('no draw expected');
    });
    const parent = (flags: number) => trace.setSpanContext(ROOT_CONTEXT, { traceId: ID, spanId: '53995c3f42cd8ad8', traceFlags: flags, isRemote: true });
    expect(sampled(s, parent(TraceFlags.SAMPLED))).toBe(true);
    expect(sampled(s, parent(TraceFlags.NONE))).toBe(false);
    expect(sampled(s, withPresetTrace(ROOT_CONTEXT, { traceId: ID, sampled: true }))).toBe(true);
    expect(sampled(s, withPresetTrace(ROOT_CONTEXT, { traceId: ID, sampled: false }))).toBe(false);
  });

  it('never starts a trace from a background span (a Raft cycle, a timer)', () => {
    const s = new XRaySampler({ reservoirPerSecond: 100, rate: 1 });
    expect(sampled(s, ROOT_CONTEXT, SpanKind.INTERNAL)).toBe(false);
    expect(sampled(s, ROOT_CONTEXT, SpanKind.CONSUMER)).toBe(true);
  });
});

describe("X-Ray's trace header", () => {
  it('parses Root, Parent and Sampled into OpenTelemetry ids', () => {
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1')).toEqual({ traceId: ID, parentId: '53995c3f42cd8ad8', sampled: true });
    expect(parseXRayHeader('Root=1-5759E988-BD862E3FE1BE46A994272793;Sampled=0')).toEqual({ traceId: ID, sampled: false });
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=?;Lineage=a:1')).toEqual({ traceId: ID });
    expect(parseXRayHeader(' Sampled=1 ; Root=1-5759e988-bd862e3fe1be46a994272793 ')).toEqual({ traceId: ID, sampled: true });
  });

  it('ignores headers without a valid Root, and a malformed Parent', () => {
    expect(parseXRayHeader(undefined)).toBeUndefined();
    expect(parseXRayHeader('Parent=53995c3f42cd8ad8;Sampled=1')).toBeUndefined();
    expect(parseXRayHeader('Root=2-5759e988-bd862e3fe1be46a994272793')).toBeUndefined();
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a99427279')).toBeUndefined();
    expect(parseXRayHeader('Root=1-00000000-000000000000000000000000')).toBeUndefined();
    expect(parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz')).toEqual({ traceId: ID });
  });

  it('formats the header a handler sees', () => {
    expect(xrayRoot(ID)).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(formatXRayHeader(ID, '53995c3f42cd8ad8', true)).toBe('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    expect(formatXRayHeader(ID, undefined, false)).toBe('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0');
  });
});
