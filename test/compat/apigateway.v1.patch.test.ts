// The shared patch-operation helper of the v1 management actions (pure: no server): path
// matching with `*` and `**`, `~1` escapes, add/replace/remove/copy/move/test, typed value
// parsing and AWS's BadRequestException for unknown paths and values.
import { describe, expect, it } from 'vitest';
import { AwsError } from '../../nodes/gateway/errors.js';
import { type PatchRules, applyPatch, escapeSegment, mapEntryRule, parseBool, parseNumber, segments, stringRule } from '../../nodes/gateway/apigw/v1/patch.js';
import { patchUsagePlan } from '../../nodes/gateway/apigw/v1/usage-plan-patch.js';
import { type UsagePlanDoc } from '../../nodes/gateway/apigw/model.js';

interface Doc {
  name: string;
  description?: string;
  enabled: boolean;
  params: Record<string, string>;
  deep: string[][];
}

const RULES: PatchRules<Doc> = {
  '/name': stringRule<Doc>('name', { removable: false }),
  '/description': stringRule<Doc>('description'),
  '/enabled': { set: (d, v, _a, p) => (d.enabled = parseBool(v, p)), get: (d) => String(d.enabled) },
  '/params/*': mapEntryRule<Doc>('params'),
  '/deep/**': { set: (d, _v, args) => void d.deep.push(args) },
};

const doc = (): Doc => ({ name: 'a', enabled: false, params: {}, deep: [] });

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AwsError);
    expect((err as AwsError).code).toBe('ApigwBadRequestException');
    return (err as AwsError).message;
  }
  throw new Error('expected a BadRequestException');
}

describe('v1 patch operations', () => {
  it('sets, replaces and removes members and map entries with escaped keys', () => {
    const d = applyPatch(doc(), [
      { op: 'replace', path: '/name', value: 'b' },
      { op: 'add', path: '/description', value: 'text' },
      { op: 'replace', path: '/enabled', value: 'true' },
      { op: 'add', path: '/params/application~1json', value: '{}' },
      { op: 'add', path: '/params/x', value: '1' },
      { op: 'remove', path: '/params/x' },
    ], RULES);
    expect(d).toEqual({ name: 'b', description: 'text', enabled: true, params: { 'application/json': '{}' }, deep: [] });
    applyPatch(d, [{ op: 'remove', path: '/description' }], RULES);
    expect(d.description).toBeUndefined();
  });

  it('copies, moves and tests values', () => {
    const d = applyPatch(doc(), [
      { op: 'add', path: '/params/a', value: 'v' },
      { op: 'copy', from: '/params/a', path: '/params/b' },
      { op: 'move', from: '/params/a', path: '/params/c' },
      { op: 'test', path: '/params/b', value: 'v' },
    ], RULES);
    expect(d.params).toEqual({ b: 'v', c: 'v' });
    expect(badRequest(() => applyPatch(d, [{ op: 'test', path: '/params/b', value: 'w' }], RULES))).toContain('test failed');
  });

  it('passes the rest of the path to a ** rule, unescaped', () => {
    const d = applyPatch(doc(), [{ op: 'replace', path: '/deep/~1pets~1{id}/GET/x', value: '1' }], RULES);
    expect(d.deep).toEqual([['/pets/{id}', 'GET', 'x']]);
  });

  it('refuses unknown paths, unsupported ops, bad values and missing values', () => {
    expect(badRequest(() => applyPatch(doc(), [{ op: 'replace', path: '/nope', value: '1' }], RULES))).toMatch(/^Invalid patch path '\/nope' specified for op 'replace'. Must be one of: \[\/name, /);
    expect(badRequest(() => applyPatch(doc(), [{ op: 'remove', path: '/name' }], RULES))).toContain('Please choose supported operations');
    expect(badRequest(() => applyPatch(doc(), [{ op: 'replace', path: '/enabled', value: 'yes' }], RULES))).toContain('expected true or false');
    expect(badRequest(() => applyPatch(doc(), [{ op: 'replace', path: '/name' }], RULES))).toContain('a value is required');
    expect(badRequest(() => applyPatch(doc(), [{ op: 'frobnicate', path: '/name', value: 'x' }], RULES))).toContain('Invalid patch operation');
    expect(badRequest(() => applyPatch(doc(), [{ op: 'replace', path: 'name', value: 'x' }], RULES))).toContain("Must start with '/'");
  });

  it('parses numbers within bounds and escapes segments both ways', () => {
    expect(parseNumber('12', '/x', 0, 100, true)).toBe(12);
    expect(badRequest(() => parseNumber('1.5', '/x', 0, 100, true))).toContain('an integer');
    expect(badRequest(() => parseNumber('101', '/x', 0, 100))).toContain('from 0 to 100');
    expect(badRequest(() => parseNumber('', '/x', 0, 100))).toContain('/x');
    expect(escapeSegment('/a~b')).toBe('~1a~0b');
    expect(segments('/~1a~0b/c')).toEqual(['/a~b', 'c']);
  });

  it('patches usage plans: stages, throttles, quotas and per-method throttles', () => {
    const plan: UsagePlanDoc = { id: 'p', name: 'n', apiStages: [], tags: {}, keys: {} };
    patchUsagePlan(plan, [
      { op: 'add', path: '/apiStages', value: 'api1:prod' },
      { op: 'replace', path: '/throttle/rateLimit', value: '10.5' },
      { op: 'replace', path: '/throttle/burstLimit', value: '20' },
      { op: 'replace', path: '/quota/limit', value: '1000' },
      { op: 'replace', path: '/quota/period', value: 'WEEK' },
      { op: 'replace', path: '/apiStages/api1:prod/throttle/~1pets/get/rateLimit', value: '5' },
    ]);
    expect(plan).toMatchObject({ apiStages: [{ apiId: 'api1', stage: 'prod', throttle: { '/pets/GET': { rateLimit: 5 } } }], throttle: { rateLimit: 10.5, burstLimit: 20 }, quota: { limit: 1000, offset: 0, period: 'WEEK' } });
    patchUsagePlan(plan, [{ op: 'remove', path: '/apiStages/api1:prod/throttle/~1pets/GET' }, { op: 'remove', path: '/quota' }]);
    expect(plan.apiStages[0]!.throttle).toEqual({});
    expect(plan.quota).toBeUndefined();
    expect(badRequest(() => patchUsagePlan(structuredClone(plan), [{ op: 'replace', path: '/quota/period', value: 'YEAR' }]))).toContain('DAY, WEEK, MONTH');
    expect(badRequest(() => patchUsagePlan(structuredClone(plan), [{ op: 'remove', path: '/apiStages', value: 'api1:dev' }]))).toContain('no such stage');
    // The offset is a day into the period: a DAY quota has none. (Failing patches get copies, as the store's edits do.)
    expect(badRequest(() => patchUsagePlan(structuredClone(plan), [{ op: 'replace', path: '/quota/limit', value: '5' }, { op: 'replace', path: '/quota/offset', value: '1' }]))).toContain('from 0 to 0');
    patchUsagePlan(plan, [{ op: 'remove', path: '/apiStages', value: 'api1:prod' }]);
    expect(plan.apiStages).toEqual([]);
  });
});
