// Runs every testdata/*.txt scenario: blocks of one command, a `----` line, and the output
// expected from it (up to a blank line). Lines starting with # are comments.
// Set REWRITE=1 to regenerate the expected outputs (then read the diff before committing it).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Interaction } from './interaction.js';

const dir = new URL('./testdata/', import.meta.url);
const rewrite = process.env.REWRITE === '1';

interface Block {
  command: string;
  expected: string;
  line: number;
}

function parse(text: string): Array<Block | string> {
  const lines = text.split('\n');
  const out: Array<Block | string> = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) {
      out.push(l);
      continue;
    }
    if (lines[i + 1] !== '----') throw new Error(`line ${i + 1}: expected '----' after command '${l}'`);
    const expected: string[] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j] !== ''; j++) expected.push(lines[j]!);
    out.push({ command: l, expected: expected.join('\n'), line: i + 1 });
    i = j - 1;
  }
  return out;
}

describe('raft scenarios', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, () => {
      const url = new URL(file, dir);
      const parts = parse(readFileSync(url, 'utf8'));
      const env = new Interaction();
      const rewritten: string[] = [];
      for (const p of parts) {
        if (typeof p === 'string') {
          rewritten.push(p);
          continue;
        }
        const got = env.run(p.command);
        rewritten.push(p.command, '----', ...(got === '' ? [] : [got]));
        if (!rewrite) expect(got, `${file}:${p.line}: ${p.command}`).toBe(p.expected);
      }
      if (rewrite) writeFileSync(url, rewritten.join('\n'));
    });
  }
});
