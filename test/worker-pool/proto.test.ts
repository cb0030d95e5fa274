import { it, expect } from 'vitest';
import { Piscina } from 'piscina';
it('loads', async () => {
  const p = new Piscina({ filename: 'file:///tmp/proto/boot.mjs', minThreads: 0, maxThreads: 2, execArgv: [], env: { A: '1' }, atomics: 'disabled' });
  const r = await p.run(1);
  console.log(r);
  expect(r).toBeTruthy();
  await p.destroy();
});
