// The conformance suite: every case runs through the deterministic fake host and must end as
// AWS documents it (status, output or error, and timing/concurrency where the case states them).
import { describe, it } from 'vitest';
import { type Case } from './case.js';
import { topics } from './cases/index.js';
import { checkResult } from './expectations.js';
import { runCase } from './host.js';

describe.each(topics)('conformance: %s', (_topic, cases) => {
  it.each(cases.map((c): [string, Case] => [c.name, c]))('%s', async (_name, c) => {
    checkResult(c, await runCase(c));
  });
});
