import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest folder above this bundle with our package.json (tests run from
 *  out/test/…, benchmarks from out/bench). */
export const ROOT = ((): string => {
  let dir = __dirname;
  while (dir !== path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'model-lens') return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`no model-lens package.json above ${__dirname}`);
})();
export const fixture = (name: string) => path.join(ROOT, 'test', 'fixtures', name);
export const example = (name: string) => path.join(ROOT, 'examples', name);

/** 1-based line of the first line in `file` that contains `needle` (to check call sites independently). */
export function lineOf(file: string, needle: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}
