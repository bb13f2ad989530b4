// Message streams of real runs, recorded with the CLI (`model-lens train --json`) once per test
// process and cached under out/recorded (rebuilt when dist/cli.js changes).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TrainerMessage } from '../../src/protocol/messages';
import { example, fixture, ROOT } from './fixtures';
import { runCli } from './runCli';

export const RECORDED_RUNS = {
  mlp: { file: example('mnist-mlp.ts'), args: ['--limit', '1024', '--test-limit', '500', '--epochs', '2', '--gradient-every', '2'] },
  cnn: { file: example('mnist-cnn.ts'), args: ['--limit', '512', '--test-limit', '300', '--epochs', '2', '--gradient-every', '2'] },
  residual: { file: fixture('train/residual-mnist.ts'), args: ['--limit', '768', '--test-limit', '300', '--epochs', '2', '--gradient-every', '2'] },
  frozenBase: { file: fixture('train/frozen-base.ts'), args: ['--limit', '512', '--test-limit', '300', '--epochs', '2', '--gradient-every', '2'] },
} as const;

export type RecordedRunName = keyof typeof RECORDED_RUNS;

export function recordedRun(name: RecordedRunName): TrainerMessage[] {
  const dir = path.join(ROOT, 'out', 'recorded');
  const file = path.join(dir, `${name}.jsonl`);
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < fs.statSync(cli).mtimeMs) {
    const { file: experiment, args } = RECORDED_RUNS[name];
    const run = runCli(['train', experiment, '--json', ...args], { timeoutMs: 300_000 });
    if (run.status !== 0) throw new Error(`recording ${name} failed: ${run.stderr}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, run.stdout);
  }
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainerMessage);
}
