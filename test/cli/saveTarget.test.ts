import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, ROOT } from '../helpers/fixtures';
import { runCli, type CliRun } from '../helpers/runCli';

const HANG_LIMIT_MS = 30_000;
const SPIRAL = fixture('train/frozen-spiral.ts');
/** Runs are kept out of the repository, in a folder anyone (the test's `nobody` too) can write. */
const RUNS = ((): string[] => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-save-runs-'));
  fs.chmodSync(dir, 0o777);
  return ['--dir', dir];
})();

/** `model-lens train SPIRAL --save DIR`, killed if still running after the hang limit. */
const trainSavingTo = (dir: string, extra: string[] = []) =>
  runCli(['train', SPIRAL, '--backend', 'cpu', '--save', dir, ...RUNS, ...extra], { timeoutMs: HANG_LIMIT_MS });

/** One clear message before any training: non-zero exit, no epoch printed, `model-lens: error: --save DIR: …`. */
function refusedBeforeTraining(run: CliRun, dir: string): string {
  assert.notEqual(run.status, null, `still running after ${HANG_LIMIT_MS / 1000} s`);
  assert.equal(run.status, 1, run.stderr);
  assert.doesNotMatch(run.stdout + run.stderr, /Epoch|internal error|\n\s+at /);
  const first = run.stderr.split('\n')[0];
  assert.ok(first.startsWith(`model-lens: error: --save ${dir}: `), run.stderr);
  return first;
}

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ml-save-'));

describe('--save checked before training', () => {
  it('refuses an existing file', () => {
    const file = path.join(tempDir(), 'model.bin');
    fs.writeFileSync(file, 'mine');
    assert.match(refusedBeforeTraining(trainSavingTo(file), file), /it is a file, not a folder\.$/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'mine', 'the file is left as it was');
  });

  it('refuses a folder below a file', () => {
    const file = path.join(tempDir(), 'notes.txt');
    fs.writeFileSync(file, '');
    const dir = path.join(file, 'model');
    assert.match(refusedBeforeTraining(trainSavingTo(dir), dir), new RegExp(`${file} is a file, so no folder can be made inside it`));
  });

  it('refuses /proc at once (mkdir there used to spin forever)', () => {
    assert.match(refusedBeforeTraining(trainSavingTo('/proc/x'), '/proc/x'), /in a proc file system/);
  });

  it('refuses devices and /dev', () => {
    assert.match(refusedBeforeTraining(trainSavingTo('/dev/null'), '/dev/null'), /it is a device or special file, not a folder/);
    assert.match(refusedBeforeTraining(trainSavingTo('/dev/zero/x'), '/dev/zero/x'), /\/dev\/zero is a device or special file/);
    assert.match(refusedBeforeTraining(trainSavingTo('/dev/model-lens-test'), '/dev/model-lens-test'), /it is in \/dev/);
    assert.equal(fs.existsSync('/dev/model-lens-test'), false);
  });

  it('refuses a folder it cannot write to, and leaves no folder behind', () => {
    const locked = tempDir();
    fs.chmodSync(locked, 0o555);
    const dir = path.join(locked, 'sub', 'model');
    // Permissions do not bind root: then the CLI runs as nobody, as an ordinary user would.
    const asNobody = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', SPIRAL, '--backend', 'cpu', '--save', dir, ...RUNS], {
      cwd: ROOT, encoding: 'utf8', timeout: HANG_LIMIT_MS, ...(asNobody ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: os.tmpdir() } } : {}),
    });
    assert.match(refusedBeforeTraining({ status: r.status, stdout: r.stdout, stderr: r.stderr }, dir), /cannot make the folder \(permission denied\)/);
    assert.equal(fs.existsSync(path.join(locked, 'sub')), false);
  });
});

describe('training.save checked before training', () => {
  it('refuses a file beside the experiment, naming training.save', () => {
    const folder = tempDir();
    const experiment = path.join(folder, 'experiment.ts');
    fs.writeFileSync(experiment, fs.readFileSync(SPIRAL, 'utf8').replace("gradientEvery: 5 }", "gradientEvery: 5, save: './taken' }"));
    fs.writeFileSync(path.join(folder, 'taken'), '');
    const run = runCli(['train', experiment, '--backend', 'cpu', ...RUNS], { timeoutMs: HANG_LIMIT_MS });
    assert.equal(run.status, 1);
    assert.doesNotMatch(run.stdout, /Epoch/);
    assert.match(run.stderr, new RegExp(`^model-lens: error: (${experiment}:\\d+:\\d+: )?training\\.save ${path.join(folder, 'taken')}: it is a file, not a folder\\.`));
  });
});

describe('a stopped run', () => {
  /** Starts a long run, interrupts it once its first epoch line is out, and returns what it printed. */
  function trainThenInterrupt(extra: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', SPIRAL, '--backend', 'cpu', '--epochs', '100000', ...RUNS, ...extra], { cwd: ROOT });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      const limit = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`still running after ${HANG_LIMIT_MS / 1000} s`)); }, HANG_LIMIT_MS);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (!interrupted && /Epoch \[1\//.test(stdout)) { interrupted = true; child.kill('SIGINT'); }
      });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('exit', (code) => { clearTimeout(limit); resolve({ stdout, stderr, code }); });
    });
  }

  it('is not saved without --save-on-stop, and does not say "Training Done."', async () => {
    const dir = path.join(tempDir(), 'model');
    const run = await trainThenInterrupt(['--save', dir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Stopped after \d+ steps\.\nElapsed time: /);
    assert.doesNotMatch(run.stdout, /Training Done/);
    assert.equal(fs.existsSync(path.join(dir, 'model.json')), false);
    assert.match(run.stderr, /the model was not saved to .* \(--save-on-stop or training\.saveOnStop saves a stopped run\)/);
  });

  it('is saved with --save-on-stop', async () => {
    const dir = path.join(tempDir(), 'model');
    const run = await trainThenInterrupt(['--save', dir, '--save-on-stop']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'model.json')), run.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'weights.bin')));
  });
});
