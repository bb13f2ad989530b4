// The CLI runs the trainer as a child process: user code that never finishes building the model is
// timed out and reported at its line, Ctrl-C always ends a run, and a trainer outlives no parent.
// Hang limits are generous (30 s); nothing here asserts speed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrainerMessage } from '../../src/protocol/messages';
import { fixture, lineOf } from '../helpers/fixtures';
import { childrenOf, eventually, isRunning, killIfRunning, startCli, type CliProcess } from '../helpers/processes';
import { runCli } from '../helpers/runCli';

const HANG_LIMIT_MS = 30_000;
const pidFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-pid-')), 'trainer.pid');
const readPid = (file: string) => (fs.existsSync(file) && fs.readFileSync(file, 'utf8') ? Number(fs.readFileSync(file, 'utf8')) : undefined);
const leftovers: (number | undefined)[] = [];
after(() => killIfRunning(...leftovers));

/** Exit code or signal, or 'still running' once the hang limit has passed (the process is then killed). */
async function exitWithin(cli: CliProcess, ms = HANG_LIMIT_MS): Promise<number | NodeJS.Signals | null | 'still running'> {
  const result = await Promise.race([cli.exited, sleep(ms).then(() => 'still running' as const)]);
  if (result === 'still running') killIfRunning(cli.child.pid);
  return result;
}

/**
 * Starts the CLI on a hang fixture and waits until the user's code runs in the trainer (it writes
 * the trainer's pid); both processes are killed after the tests if still alive.
 */
async function startUntilUserCodeRuns(args: string[], what: string): Promise<{ cli: CliProcess; pid: number }> {
  const pids = pidFile();
  const cli = startCli(args, { MODEL_LENS_TEST_PID_FILE: pids });
  leftovers.push(cli.child.pid);
  assert.ok(await eventually(() => readPid(pids) !== undefined, HANG_LIMIT_MS * 2), `${what}: ${cli.stderr()}`);
  const pid = readPid(pids)!;
  leftovers.push(pid);
  return { cli, pid };
}

describe('building the model under a timeout (--build-timeout)', () => {
  const cases = [
    { name: 'a model() that loops', file: 'hang/model-loops.ts' },
    { name: 'a model() whose promise never settles', file: 'hang/model-never-settles.ts' },
    { name: 'a model() that loops inside an awaited loading step', file: 'hang/load-loops.ts' },
  ];
  for (const c of cases) {
    it(`summary reports ${c.name} at the model() line, exits non-zero and ends the trainer`, () => {
      const file = fixture(c.file);
      const pids = pidFile();
      const run = runCli(['summary', file, '--build-timeout', '2'], { timeoutMs: HANG_LIMIT_MS, env: { MODEL_LENS_TEST_PID_FILE: pids } });
      leftovers.push(readPid(pids));
      assert.notEqual(run.status, null, `still running after ${HANG_LIMIT_MS / 1000} s`);
      assert.notEqual(run.status, 0);
      assert.equal(run.stdout, '');
      const [first, hint] = run.stderr.trim().split('\n');
      assert.ok(first.startsWith(`model-lens: error: ${file}:${lineOf(file, 'model:')}:3: `), first);
      assert.match(first, /model\(\) did not return within 2 s$/);
      assert.match(hint, /loop forever or wait for a promise that never settles.*raise --build-timeout SECONDS/);
      const pid = readPid(pids);
      assert.ok(pid !== undefined, 'model() ran in the trainer');
      assert.equal(isRunning(pid), false, `trainer ${pid} still running`);
    });
  }

  /** `train FILE --build-timeout 2`: the run, which must have ended non-zero, and its trainer's pid. */
  const trainTimedOut = (file: string) => {
    const pids = pidFile();
    const run = runCli(['train', file, '--build-timeout', '2', '--backend', 'cpu'], { timeoutMs: HANG_LIMIT_MS, env: { MODEL_LENS_TEST_PID_FILE: pids } });
    const pid = readPid(pids);
    leftovers.push(pid);
    assert.notEqual(run.status, null, `still running after ${HANG_LIMIT_MS / 1000} s`);
    assert.notEqual(run.status, 0);
    return { run, pid };
  };

  it('train reports a model() that loops at its line, exits non-zero and ends the trainer', () => {
    const file = fixture('hang/model-loops.ts');
    const { run, pid } = trainTimedOut(file);
    assert.match(run.stderr, new RegExp(`model-lens: error: ${file}:${lineOf(file, 'model:')}:3: model\\(\\) did not return within 2 s\\n`));
    assert.doesNotMatch(run.stdout, /Training Done/);
    assert.ok(pid !== undefined, 'model() ran in the trainer');
    assert.equal(isRunning(pid), false, `trainer ${pid} still running`);
  });

  for (const c of [{ name: 'loops', file: 'hang/data-loops.ts' }, { name: 'never settles', file: 'hang/data-never-settles.ts' }]) {
    it(`train says it waits for data() and reports a data() that ${c.name} at its line, ending the trainer`, () => {
      const file = fixture(c.file);
      const { run, pid } = trainTimedOut(file);
      assert.match(run.stderr, new RegExp(`^data: waiting for data\\(\\) to return\\nmodel-lens: error: ${file}:${lineOf(file, 'data:')}:3: data\\(\\) did not return within 2 s\\n`));
      assert.match(run.stderr, /if reading the data really takes longer, raise --build-timeout SECONDS/);
      assert.ok(pid !== undefined, 'data() ran in the trainer');
      assert.equal(isRunning(pid), false, `trainer ${pid} still running`);
    });
  }

  it('reports top-level code that never finishes at the start of the file', () => {
    const file = fixture('hang/top-level-loops.ts');
    const run = runCli(['graph', file, '--build-timeout', '2'], { timeoutMs: HANG_LIMIT_MS });
    assert.notEqual(run.status, null, `still running after ${HANG_LIMIT_MS / 1000} s`);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, new RegExp(`^model-lens: error: ${file}:1:1: the experiment file's top-level code did not finish within 2 s\\n`));
  });

  it('rejects a build timeout that is not a positive number', () => {
    const run = runCli(['summary', fixture('residual.ts'), '--build-timeout', 'soon']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /--build-timeout must be a positive number, got "soon"/);
  });
});

describe('Ctrl-C during model-lens train', () => {
  it('stops the run after its step, prints done(stopped) and leaves no trainer running', async () => {
    const cli = startCli(['train', fixture('train/tiny-mlp.ts'), '--backend', 'cpu', '--json']);
    leftovers.push(cli.child.pid);
    const training = await eventually(() => cli.stdout().includes('"type":"batch"'), HANG_LIMIT_MS * 4);
    assert.ok(training, `no progress: ${cli.stderr()}`);
    const trainers = childrenOf(cli.child.pid!);
    cli.ctrlC();
    const result = await exitWithin(cli);
    assert.equal(result, 0, `exit ${result}; ${cli.stderr()}`);
    const messages = cli.stdout().trim().split('\n').map((l) => JSON.parse(l) as TrainerMessage);
    const done = messages[messages.length - 1];
    assert.equal(done.type === 'done' && done.reason, 'stopped');
    assert.match(cli.stderr(), /Stopping after this step \(Ctrl-C again to quit now\)/);
    assert.ok(trainers.length === 1, `the CLI forked ${trainers.length} trainer(s)`);
    assert.equal(await eventually(() => !isRunning(trainers[0]), 5000), true, `trainer ${trainers[0]} still running`);
  });

  it('ends a run whose model() loops, which cannot read the stop request', async () => {
    const { cli, pid } = await startUntilUserCodeRuns(['train', fixture('hang/model-loops.ts'), '--backend', 'cpu', '--build-timeout', '600'], 'model() never ran');
    cli.ctrlC();
    const result = await exitWithin(cli);
    assert.notEqual(result, 'still running', `still running ${HANG_LIMIT_MS / 1000} s after Ctrl-C`);
    assert.match(cli.stdout(), /Stopped after 0 steps\./);
    assert.equal(await eventually(() => !isRunning(pid), 5000), true, `trainer ${pid} still running`);
  });

  it('ends a run whose training step never ends: the trainer is killed soon after the first Ctrl-C', async () => {
    const { cli, pid } = await startUntilUserCodeRuns(['train', fixture('hang/endless-step.ts'), '--backend', 'cpu'], 'no step ran');
    cli.ctrlC();
    const result = await exitWithin(cli);
    assert.equal(result, 0, `exit ${result}; ${cli.stderr()}`);
    assert.match(cli.stderr(), /Stopping after this step/);
    assert.match(cli.stdout(), /Stopped after 0 steps\./);
    assert.equal(await eventually(() => !isRunning(pid), 5000), true, `trainer ${pid} still running`);
  });

  it('quits at once on a second Ctrl-C (exit 130)', async () => {
    const { cli, pid } = await startUntilUserCodeRuns(['train', fixture('hang/endless-step.ts'), '--backend', 'cpu'], 'no step ran');
    cli.ctrlC();
    // The second Ctrl-C once the first has been taken (signals sent at once would merge into one).
    assert.ok(await eventually(() => /Stopping after this step/.test(cli.stderr()), HANG_LIMIT_MS, 5), 'the first Ctrl-C was not taken');
    cli.ctrlC();
    assert.equal(await exitWithin(cli), 130);
    assert.equal(await eventually(() => !isRunning(pid), 5000), true, `trainer ${pid} still running`);
  });
});

describe('a trainer whose parent died', () => {
  it('exits on its own while its model() loops (the watchdog thread, not the blocked event loop)', async () => {
    const { cli, pid } = await startUntilUserCodeRuns(['summary', fixture('hang/model-loops.ts'), '--build-timeout', '600'], 'model() never ran');
    process.kill(cli.child.pid!, 'SIGKILL');
    await cli.exited;
    assert.equal(await eventually(() => !isRunning(pid), HANG_LIMIT_MS), true, `trainer ${pid} still running ${HANG_LIMIT_MS / 1000} s after its parent died`);
  });
});
