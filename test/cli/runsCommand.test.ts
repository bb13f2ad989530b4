import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerMessage } from '../../src/protocol/messages';
import { RunStore } from '../../src/runs/runStore';
import { fixture, ROOT } from '../helpers/fixtures';
import { runCli, type CliRun } from '../helpers/runCli';
import { syntheticRun, syntheticTestAccuracy } from '../helpers/syntheticRun';

/** A project (package.json) holding a copy of the tiny MLP experiment, optionally with a schedule. */
function tinyProject(schedule?: string): { root: string; file: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-runs-'));
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  const file = path.join(root, 'tiny-mlp.ts');
  writeExperiment(file, schedule);
  return { root, file };
}

function writeExperiment(file: string, schedule?: string): void {
  let source = fs.readFileSync(fixture('train/tiny-mlp.ts'), 'utf8');
  if (schedule) source = source.replace("loss: 'categoricalCrossentropy' }", `loss: 'categoricalCrossentropy', schedule: ${schedule} }`);
  fs.writeFileSync(file, source);
}

const runsDir = (root: string) => path.join(root, '.model-lens', 'runs');
const runIds = (root: string) => (fs.existsSync(runsDir(root)) ? fs.readdirSync(runsDir(root)).sort() : []);
const jsonLines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as TrainerMessage);

function ok(run: CliRun): CliRun {
  assert.equal(run.status, 0, run.stderr);
  return run;
}

interface Listed {
  id: string;
  status: string;
  steps: number;
  totalSteps: number | null;
  schedule: { type: string } | null;
  test: Record<string, number>;
  file: string;
}

function listJson(root: string): Listed[] {
  return JSON.parse(ok(runCli(['runs', 'list', '--json'], { cwd: root })).stdout) as Listed[];
}

/** The run embedded in a report: the snapshot's messages. */
function reportMessages(html: string): TrainerMessage[] {
  const match = /<script type="application\/json" id="model-lens-run">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match, 'the report embeds a run');
  return (JSON.parse(match[1]) as { messages: TrainerMessage[] }).messages;
}

describe('model-lens train keeps its run', () => {
  const { root, file } = tinyProject();
  const sub = path.join(root, 'somewhere', 'deeper');
  fs.mkdirSync(sub, { recursive: true });
  const run = runCli(['train', file, '--limit', '160', '--test-limit', '50', '--backend', 'cpu', '--json'], { cwd: sub });

  it('in .model-lens/runs/<time>-<name>/ of the experiment\'s project, whatever the current folder', () => {
    ok(run);
    const ids = runIds(root);
    assert.equal(ids.length, 1);
    assert.match(ids[0], /^\d{8}-\d{6}-tiny-mlp$/);
    assert.equal(fs.existsSync(path.join(sub, '.model-lens')), false);
    assert.ok(fs.readFileSync(path.join(root, '.model-lens', '.gitignore'), 'utf8').split('\n').includes('*'));
  });

  it('with every message it printed, in order, in messages.jsonl', () => {
    const printed = jsonLines(run.stdout);
    const recorded = jsonLines(fs.readFileSync(path.join(runsDir(root), runIds(root)[0], 'messages.jsonl'), 'utf8'));
    assert.ok(printed.some((m) => m.type === 'batch'));
    assert.deepEqual(recorded, printed);
  });

  it('with a copy of the experiment and the header of a completed run', () => {
    const dir = path.join(runsDir(root), runIds(root)[0]);
    assert.equal(fs.readFileSync(path.join(dir, 'tiny-mlp.ts'), 'utf8'), fs.readFileSync(file, 'utf8'));
    const header = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8'));
    const done = jsonLines(run.stdout).find((m) => m.type === 'done');
    assert.equal(header.status, 'completed');
    assert.equal(header.figures.steps, done?.type === 'done' ? done.steps : NaN);
    assert.equal(header.file, 'tiny-mlp.ts');
  });

  it('into --dir when given, keeping only the last --keep-runs N runs of the file', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-keep-'));
    const bad = path.join(root, 'throws.ts');
    fs.copyFileSync(fixture('model-throws.ts'), bad);
    for (let i = 0; i < 3; i++) runCli(['train', bad, '--dir', elsewhere, '--keep-runs', '2']);
    const left = new RunStore(elsewhere).list();
    assert.equal(left.length, 2);
    for (const e of left) {
      assert.equal(e.status, 'error');
      assert.equal(path.resolve(path.dirname(elsewhere), e.file), bad);
    }
  });
});

describe('model-lens runs list --json on the six schedules of the course', () => {
  const schedules = [
    "{ type: 'step', stepSize: 1, gamma: 0.5 }",
    "{ type: 'exponential', gamma: 0.8 }",
    "{ type: 'cosine', tMax: 2 }",
    "{ type: 'oneCycle', maxLr: 0.3 }",
    "{ type: 'plateau', patience: 0, factor: 0.5 }",
    "{ type: 'cyclic', baseLr: 0.01, maxLr: 0.2, stepSizeUp: 4 }",
  ];
  const { root, file } = tinyProject();
  for (const schedule of schedules) {
    writeExperiment(file, schedule);
    ok(runCli(['train', file, '--epochs', '2', '--limit', '160', '--test-limit', '100', '--backend', 'cpu'], { timeoutMs: 120_000 }));
  }

  it('shows each run with its schedule, status, steps and final test accuracy', () => {
    const listed = listJson(root);
    assert.deepEqual(listed.map((r) => r.schedule?.type), ['step', 'exponential', 'cosine', 'oneCycle', 'plateau', 'cyclic']);
    for (const r of listed) {
      assert.equal(r.status, 'completed');
      assert.equal(r.steps, 2 * 10);
      assert.equal(r.totalSteps, 20);
      const accuracy = r.test.accuracy;
      assert.ok(accuracy >= 0 && accuracy <= 1, String(accuracy));
      // the final test accuracy is the one the run's last evaluation reported
      const messages = jsonLines(fs.readFileSync(path.join(runsDir(root), r.id, 'messages.jsonl'), 'utf8'));
      const last = messages.filter((m) => m.type === 'evaluation').at(-1);
      assert.equal(accuracy, last?.type === 'evaluation' ? last.test.accuracy : NaN);
    }
  });

  it('lists them for people as a table, one line each', () => {
    const text = ok(runCli(['runs'], { cwd: root })).stdout.trim().split('\n');
    assert.match(text[0], /^RUN\s+STATUS\s+STEPS\s+SCHEDULE/);
    assert.equal(text.length, 1 + schedules.length);
    assert.match(text[1], /completed\s+20\/20\s+step\b/);
  });

  it('compares runs: the schedule differs, the experiment copy differs, the batch size does not', () => {
    const ids = runIds(root);
    const compared = JSON.parse(ok(runCli(['runs', 'compare', ids[0], ids[2], '--json'], { cwd: root })).stdout) as { rows: { field: string; values: string[]; differs: boolean }[] };
    const row = (field: string) => compared.rows.find((r) => r.field === field)!;
    assert.deepEqual(row('schedule').values, ['step(stepSize=1, gamma=0.5)', 'cosine(tMax=2)']);
    assert.equal(row('schedule').differs, true);
    assert.equal(row('experiment file').differs, true);
    assert.equal(row('batch size').differs, false);
    const text = ok(runCli(['runs', 'compare', ids[0], ids[2]], { cwd: root })).stdout;
    assert.match(text, /^\* schedule\s+step\(stepSize=1, gamma=0\.5\)\s+cosine\(tMax=2\)$/m);
  });
});

/** Waits (generously: this is a hang limit, not a timing) until `check` holds. */
async function until(check: () => boolean, what: string, limitMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > limitMs) throw new Error(`still waiting after ${limitMs / 1000} s for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Trains the tiny MLP on the whole MNIST training set (3,750 steps an epoch), waits for 20 steps on
 * disk and kills with -9 the CLI itself, or the trainer: its child process when it runs one, else
 * the CLI, which then is the trainer.
 */
async function killMidEpoch(target: 'cli' | 'trainer'): Promise<{ root: string; id: string; recorded: TrainerMessage[] }> {
  const { root, file } = tinyProject();
  const cli = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'train', file, '--backend', 'cpu', '--test-limit', '100'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => cli.once('exit', () => resolve()));
  const log = () => (runIds(root).length ? path.join(runsDir(root), runIds(root)[0], 'messages.jsonl') : null);
  const batches = () => {
    const file = log();
    return file && fs.existsSync(file) ? (fs.readFileSync(file, 'utf8').match(/"type":"batch"/g) ?? []).length : 0;
  };
  try {
    await until(() => batches() >= 20, '20 steps of training on disk');
  } catch (e) {
    cli.kill('SIGKILL');
    throw e;
  }
  const victim = target === 'trainer' ? (childrenOf(cli.pid!)[0] ?? cli.pid!) : cli.pid!;
  process.kill(victim, 'SIGKILL');
  let exitedNow = false;
  void exited.then(() => { exitedNow = true; });
  await until(() => exitedNow, 'the CLI to exit after its trainer was killed', 60_000);
  const recorded = jsonLines(fs.readFileSync(log()!, 'utf8').replace(/[^\n]*$/, ''));
  return { root, id: runIds(root)[0], recorded };
}

for (const target of ['trainer', 'cli'] as const) {
  describe(`a run whose ${target === 'cli' ? 'CLI' : 'trainer'} is killed with -9 mid-epoch`, () => {
    const killed = killMidEpoch(target);

    it('is listed as interrupted with the steps it recorded', async () => {
      const { root, recorded } = await killed;
      const lastBatch = recorded.filter((m) => m.type === 'batch').at(-1);
      assert.ok(lastBatch?.type === 'batch');
      assert.ok(lastBatch.batch < 3750, 'killed mid-epoch');
      const [run] = listJson(root);
      assert.equal(run.status, 'interrupted');
      assert.equal(run.steps, lastBatch.step);
      assert.equal(run.totalSteps, 3750);
    });

    it('has a report that draws every recorded step, then says where it was interrupted', async () => {
      const { root, id, recorded } = await killed;
      const out = path.join(root, 'report.html');
      ok(runCli(['report', id.slice(0, 12), '-o', out], { cwd: root }));
      const messages = reportMessages(fs.readFileSync(out, 'utf8'));
      const steps = messages.filter((m) => m.type === 'batch').map((m) => (m.type === 'batch' ? m.step : 0));
      const recordedSteps = recorded.filter((m) => m.type === 'batch').map((m) => (m.type === 'batch' ? m.step : 0));
      assert.deepEqual(steps, recordedSteps);
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1));
      const end = messages.slice(-2);
      assert.ok(end[0].type === 'error' && end[0].message.includes(`interrupted after step ${steps.at(-1)}`), JSON.stringify(end[0]));
      assert.ok(end[1].type === 'done');
    });
  });
}

/** A project with runs made by the store directly (no training): quick to set up. */
function storedRuns(): { root: string; store: RunStore; ids: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-stored-'));
  fs.mkdirSync(path.join(root, '.git'));
  const file = path.join(root, 'mlp.ts');
  fs.writeFileSync(file, '// mlp\n');
  const store = RunStore.forFile(file);
  const ids = [1, 2, 3].map((epochs, i) => {
    const r = store.create({ file, now: new Date(2025, 0, 10 + i, 9, 30) });
    r.append(syntheticRun({ epochs, schedule: { type: 'cosine', tMax: epochs } }));
    return r.id;
  });
  return { root, store, ids };
}

describe('model-lens runs show, rm and export', () => {
  it('shows one run: its file, training settings, epoch lines and test accuracy', () => {
    const { root, ids } = storedRuns();
    const text = ok(runCli(['runs', 'show', ids[1]], { cwd: root })).stdout;
    assert.match(text, new RegExp(`^Run ${ids[1]}: completed`));
    assert.match(text, /Training: +2 epoch\(s\) × 10 steps of 8, sgd, lr 0\.1, categoricalCrossentropy, seed 1, schedule cosine\(tMax=2\)/);
    assert.equal(text.match(/^Epoch \[\d\/2\]/gm)?.length, 2);
    assert.match(text, new RegExp(`Test Accuracy: ${(100 * syntheticTestAccuracy(2)).toFixed(2)}%`));
    const json = JSON.parse(ok(runCli(['runs', 'show', ids[1], '--json'], { cwd: root })).stdout);
    assert.equal(json.run.id, ids[1]);
    assert.equal(json.epochs.length, 2);
    assert.equal(json.settings.plan.epochs, 2);
  });

  it('removes runs by name or prefix', () => {
    const { root, ids } = storedRuns();
    const out = ok(runCli(['runs', 'rm', ids[0], ids[2].slice(0, 11), '--dir', root])).stdout;
    assert.match(out, new RegExp(`Removed ${ids[0]}\\nRemoved ${ids[2]}`));
    assert.deepEqual(runIds(root), [ids[1]]);
  });

  it('exports a run as a TensorBoard event file under DIR/<run>/', () => {
    const { root, ids } = storedRuns();
    const logDir = path.join(root, 'tb');
    const out = ok(runCli(['runs', 'export', ids[0], '--tensorboard', logDir], { cwd: root })).stdout;
    const files = fs.readdirSync(path.join(logDir, ids[0]));
    assert.equal(files.length, 1);
    assert.match(files[0], /^events\.out\.tfevents\.\d+\./);
    assert.match(out, /tensorboard --logdir/);
  });

  it('answers a RUN that matches nothing, or several, with one clear message', () => {
    const { root } = storedRuns();
    for (const [args, expected] of [
      [['runs', 'show', 'nope'], /no run "nope"/],
      [['runs', 'show', '2025'], /"2025" matches 3 runs/],
      [['runs', 'frobnicate'], /unknown subcommand "frobnicate"/],
      [['runs', 'export', '2025011'], /--tensorboard DIR/],
      [['report', '20250110'], /-o FILE\.html/],
      [['runs', 'compare', '20250110'], /two RUNs/],
    ] as const) {
      const run = runCli([...args], { cwd: root });
      assert.notEqual(run.status, 0);
      assert.match(run.stderr, /^model-lens: error: /);
      assert.match(run.stderr, expected);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });

  it('says there are no runs yet in a project without any', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-cli-empty-'));
    fs.writeFileSync(path.join(root, 'package.json'), '{}');
    assert.match(ok(runCli(['runs', 'list'], { cwd: root })).stdout, /No runs yet/);
    assert.deepEqual(JSON.parse(ok(runCli(['runs', 'list', '--json'], { cwd: root })).stdout), []);
  });
});

describe('model-lens report', () => {
  it('writes one run as the panel with its recorded messages', () => {
    const { root, store, ids } = storedRuns();
    const out = path.join(root, 'one.html');
    ok(runCli(['report', ids[0], '-o', out], { cwd: root }));
    const html = fs.readFileSync(out, 'utf8');
    assert.deepEqual(reportMessages(html), store.read(ids[0]).messages);
    assert.doesNotMatch(html, /id="model-lens-runs"/);
  });

  it('embeds every run of a report of several, in order, the first one shown', () => {
    const { root, store, ids } = storedRuns();
    const out = path.join(root, 'three.html');
    ok(runCli(['report', ...ids, '-o', out], { cwd: root }));
    const html = fs.readFileSync(out, 'utf8');
    const match = /<script type="application\/json" id="model-lens-runs">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(match);
    const runs = JSON.parse(match[1]) as { runId: string; messages: TrainerMessage[] }[];
    assert.deepEqual(runs.map((r) => r.runId), ids);
    runs.forEach((r, i) => assert.deepEqual(r.messages, store.read(ids[i]).messages));
    assert.deepEqual(reportMessages(html), runs[0].messages);
  });
});
