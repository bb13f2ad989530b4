import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (tests run from out/test/..., sources live in test/). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', name);
export const example = (name: string) => path.join(ROOT, 'examples', name);

/** 1-based line of the first line in `file` that contains `needle` (to check call sites independently). */
export function lineOf(file: string, needle: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}
