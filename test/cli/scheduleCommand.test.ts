import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { plannedLearningRates } from '../../src/trainer/lrSchedule';
import { ROOT } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

const HANG_LIMIT_MS = 30_000;

/** Starts `model-lens schedule …`, reads stdout until `enough` of it came, then closes the pipe as `| head` does. */
function readHeadThenClose(args: string[], enough: number): Promise<{ head: string; code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'schedule', ...args], { cwd: ROOT });
    let head = '';
    let stderr = '';
    const limit = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`still running after ${HANG_LIMIT_MS / 1000} s`)); }, HANG_LIMIT_MS);
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      if (head.length >= enough) return;
      head += d.toString();
      if (head.length >= enough) child.stdout.destroy();
    });
    child.on('exit', (code, signal) => { clearTimeout(limit); resolve({ head, code, signal, stderr }); });
  });
}

const TEN_BILLION = ['--epochs', '10000000000', '--steps-per-epoch', '1', '--base-lr', '0.1'];

describe('model-lens schedule of any length', () => {
  it('prints the rate of every step as stepping the schedule gives it', () => {
    const spec = { type: 'cyclic', baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3 };
    const ctx = { epochs: 3, stepsPerEpoch: 5, baseLr: 0.01 };
    const args = ['schedule', JSON.stringify(spec), '--epochs', '3', '--steps-per-epoch', '5', '--base-lr', '0.01'];
    const text = runCli(args);
    assert.equal(text.status, 0, text.stderr);
    const expected = plannedLearningRates(spec, ctx);
    assert.deepEqual(text.stdout.trim().split('\n'), expected.map((lr, i) => `${i + 1}\t${lr}`));
    const json = runCli([...args, '--json']);
    assert.deepEqual(JSON.parse(json.stdout), expected);
  });

  it('streams 10^10 steps from the first one and ends quietly when the reader goes away', async () => {
    const run = await readHeadThenClose(['{"type":"cosine","tMax":3}', ...TEN_BILLION], 200_000);
    const lines = run.head.split('\n').slice(0, 4);
    const first = plannedLearningRates({ type: 'cosine', tMax: 3 }, { epochs: 4, stepsPerEpoch: 1, baseLr: 0.1 });
    assert.deepEqual(lines, first.map((lr, i) => `${i + 1}\t${lr}`));
    assert.equal(run.signal, null);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
  });

  it('streams 10^10 steps as one JSON array', async () => {
    const run = await readHeadThenClose(['{"type":"oneCycle","maxLr":0.1}', ...TEN_BILLION, '--json'], 200_000);
    assert.match(run.head, /^\[(\d[\d.e-]*,){1000}/);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
  });

  it('refuses a run whose steps cannot be counted exactly', () => {
    const run = runCli(['schedule', '{"type":"cosine","tMax":3}', '--epochs', '1000000000000', '--steps-per-epoch', '100000', '--base-lr', '0.1']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^model-lens: error: the run has 1000000000000 epochs × 100000 steps = 1\.00e\+17 optimizer steps, more than can be counted exactly/);
  });

  it('refuses plateau, which needs losses, as the user’s mistake (not an internal error)', () => {
    const run = runCli(['schedule', '{"type":"plateau"}', '--epochs', '4', '--steps-per-epoch', '3', '--base-lr', '0.1']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^model-lens: error: the "plateau" schedule depends on the testLoss of each epoch/);
  });
});
