import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import type { TrainerMessage } from '../../src/protocol/messages';
import { forEachMessage, readTail } from '../../src/runs/messagesFile';
import { ensureRunsDir, findProjectRoot, runsDirForFile, runsDirFromOption } from '../../src/runs/projectRoot';
import { readRunDetails } from '../../src/runs/runDetails';
import { replayMessages } from '../../src/runs/runReplay';
import { RunStore } from '../../src/runs/runStore';
import { RecordedRun } from '../../src/host/recordedRun';
import { runFileGroups } from '../../src/runs/runTree';
import { syntheticLoss, syntheticRun, syntheticTestAccuracy } from '../helpers/syntheticRun';

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ml-runs-'));
}

/** A project folder (package.json) with an experiment file in a subfolder. */
function project(): { root: string; file: string; store: RunStore } {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  fs.mkdirSync(path.join(root, 'experiments'));
  const file = path.join(root, 'experiments', 'mlp.ts');
  fs.writeFileSync(file, 'export default { model: () => null };\n');
  return { root, file, store: RunStore.forFile(file) };
}

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('Where runs are kept', () => {
  it('uses the nearest folder upward with .model-lens/, package.json or .git', () => {
    const root = tempDir();
    const deep = path.join(root, 'a', 'b', 'c');
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(root, 'a', 'package.json'), '{}');
    assert.equal(findProjectRoot(deep), path.join(root, 'a'));
    fs.mkdirSync(path.join(root, 'a', 'b', '.git'));
    assert.equal(findProjectRoot(deep), path.join(root, 'a', 'b'));
    fs.mkdirSync(path.join(root, 'a', 'b', 'c', '.model-lens'));
    assert.equal(findProjectRoot(deep), deep);
    // a git worktree has a .git file, not a folder
    const worktree = path.join(root, 'wt', 'src');
    fs.mkdirSync(worktree, { recursive: true });
    fs.writeFileSync(path.join(root, 'wt', '.git'), 'gitdir: elsewhere\n');
    assert.equal(runsDirForFile(path.join(worktree, 'x.ts')), path.join(root, 'wt', '.model-lens', 'runs'));
  });

  it('keeps the runs of a file in no project beside the file', (t) => {
    const dir = tempDir();
    if (findProjectRoot(dir) !== null) return t.skip(`the temp folder ${dir} is inside a project here`);
    assert.equal(runsDirForFile(path.join(dir, 'x.ts')), path.join(dir, '.model-lens', 'runs'));
  });

  it('writes a .gitignore of * in a .model-lens folder it makes, and keeps one the user wrote', () => {
    const root = tempDir();
    ensureRunsDir(path.join(root, '.model-lens', 'runs'));
    const ignore = fs.readFileSync(path.join(root, '.model-lens', '.gitignore'), 'utf8');
    assert.ok(ignore.split('\n').includes('*'), ignore);
    const other = tempDir();
    fs.mkdirSync(path.join(other, '.model-lens'));
    fs.writeFileSync(path.join(other, '.model-lens', '.gitignore'), 'runs/big/\n');
    ensureRunsDir(path.join(other, '.model-lens', 'runs'));
    assert.equal(fs.readFileSync(path.join(other, '.model-lens', '.gitignore'), 'utf8'), 'runs/big/\n');
  });

  it('takes --dir as a folder of runs or as a project holding .model-lens/runs', () => {
    const { root, store } = project();
    ensureRunsDir(store.dir);
    assert.equal(runsDirFromOption(root), store.dir);
    assert.equal(runsDirFromOption(store.dir), store.dir);
  });
});

describe('Recording a run', () => {
  it('appends every message of every frame as it arrives, one line each, in order', () => {
    const { store, file } = project();
    const messages = syntheticRun({ epochs: 2, stepsPerEpoch: 7 });
    const recorder = store.create({ file });
    const log = path.join(recorder.dir, 'messages.jsonl');
    // frames of 1, 2, 3, … messages, as a trainer's bundles come
    let sent = 0;
    for (let size = 1; sent < messages.length - 1; size++) {
      const frame = messages.slice(sent, Math.min(sent + size, messages.length - 1));
      recorder.append(frame);
      sent += frame.length;
      // on disk before the next frame arrives, and before the run ends
      assert.equal(lines(log).length, sent);
    }
    recorder.append(messages[messages.length - 1]);
    assert.deepEqual(lines(log).map((l) => JSON.parse(l)), messages);
  });

  it('writes the header at the start, when the model arrives and at the end', () => {
    const { store, file, root } = project();
    const messages = syntheticRun({ epochs: 2, stepsPerEpoch: 5, schedule: { type: 'step', stepSize: 1, gamma: 0.5 } });
    const recorder = store.create({ file, overrides: { epochs: 2 } });
    const header = () => JSON.parse(fs.readFileSync(path.join(recorder.dir, 'run.json'), 'utf8'));
    assert.equal(header().status, 'running');
    assert.equal(header().pid, process.pid);
    assert.equal(header().file, 'experiments/mlp.ts');
    assert.equal(header().schedule, null);
    recorder.append(messages.slice(0, 2)); // ready, model
    assert.deepEqual(header().schedule, { type: 'step', stepSize: 1, gamma: 0.5 });
    assert.equal(header().plan.totalSteps, 10);
    recorder.append(messages.slice(2));
    assert.ok(recorder.finished, 'the done message ends the record');
    const end = header();
    assert.equal(end.status, 'completed');
    assert.equal(end.figures.steps, 10);
    assert.equal(end.figures.epochs, 2);
    assert.equal(end.figures.test.accuracy, syntheticTestAccuracy(2));
    assert.equal(end.figures.batch.loss, syntheticLoss(10));
    assert.ok(end.ended >= end.started);
    assert.equal(path.resolve(root, end.file), file);
  });

  it('keeps the last finite batch loss of a run whose last batch diverged (a script reports its NaN loss)', () => {
    const { store, file } = project();
    const messages = syntheticRun({ epochs: 1, stepsPerEpoch: 5 });
    const recorder = store.create({ file });
    const lastBatch = messages.map((m, i) => [m, i] as const).filter(([m]) => m.type === 'batch').pop()!;
    const diverged = { ...lastBatch[0], metrics: { loss: Number.NaN, accuracy: 0.1 } } as TrainerMessage;
    recorder.append([...messages.slice(0, lastBatch[1]), diverged, ...messages.slice(lastBatch[1] + 1)]);
    const end = JSON.parse(fs.readFileSync(path.join(recorder.dir, 'run.json'), 'utf8'));
    assert.equal(end.figures.batch.loss, syntheticLoss(4), 'the loss of the step before');
    assert.equal(end.figures.batch.accuracy, 0.1, 'the finite figures of the last batch');
  });

  it('keeps a copy of the file, the settings, the summary and the final figures', () => {
    const { store, file } = project();
    const recorder = store.create({ file, overrides: { limit: 80 } });
    fs.writeFileSync(file, '// edited after the run started\n');
    recorder.append(syntheticRun({ epochs: 3 }));
    const dir = recorder.dir;
    assert.equal(fs.readFileSync(path.join(dir, 'mlp.ts'), 'utf8'), 'export default { model: () => null };\n');
    const settings = JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8'));
    assert.deepEqual(settings.overrides, { limit: 80 });
    assert.equal(settings.plan.epochs, 3);
    assert.equal(settings.initialLr, 0.1);
    assert.match(fs.readFileSync(path.join(dir, 'summary.txt'), 'utf8'), /Total params: 30/);
    const figures = JSON.parse(fs.readFileSync(path.join(dir, 'figures.json'), 'utf8'));
    assert.deepEqual(figures.epochs.map((e: { test: { accuracy: number } }) => e.test.accuracy), [1, 2, 3].map(syntheticTestAccuracy));
    assert.equal(figures.done.reason, 'completed');
    assert.equal(figures.evaluation.epoch, 3);
  });

  it('marks a run whose trainer went away without a done message as interrupted', () => {
    const { store, file } = project();
    const recorder = store.create({ file });
    recorder.append(syntheticRun({ stopAtStep: 13 }));
    recorder.finish();
    const [entry] = store.list();
    assert.equal(entry.status, 'interrupted');
    assert.equal(entry.figures.steps, 13);
  });

  it('gives two runs started in the same second two folders', () => {
    const { store, file } = project();
    const now = new Date(2025, 0, 31, 14, 25, 1);
    const a = store.create({ file, now });
    const b = store.create({ file, now });
    assert.notEqual(a.dir, b.dir);
    assert.equal(path.basename(a.dir), '20250131-142501-mlp');
  });

  it('reports a write failure once and keeps going', () => {
    const { store, file } = project();
    const errors: Error[] = [];
    const recorder = store.create({ file, onWriteError: (e) => errors.push(e) });
    fs.rmSync(recorder.dir, { recursive: true });
    assert.doesNotThrow(() => { recorder.append(syntheticRun()); recorder.finish(); });
    assert.equal(errors.length, 1);
  });
});

describe('Listing runs', () => {
  it('lists every run oldest first with its file, status, steps and test accuracy', () => {
    const { store, file, root } = project();
    const other = path.join(root, 'other.ts');
    fs.writeFileSync(other, '');
    const starts = [new Date(2025, 0, 2), new Date(2025, 0, 1), new Date(2025, 0, 3)];
    store.create({ file: other, now: starts[0] }).append(syntheticRun({ epochs: 1 }));
    store.create({ file, now: starts[1] }).append(syntheticRun({ epochs: 3 }));
    store.create({ file, now: starts[2] }).append(syntheticRun({ epochs: 2, stopAtStep: 4 }));
    const entries = store.list();
    assert.deepEqual(entries.map((e) => e.started), [starts[1], starts[0], starts[2]].map((d) => d.toISOString()));
    assert.deepEqual(entries.map((e) => e.file), ['experiments/mlp.ts', 'other.ts', 'experiments/mlp.ts']);
    assert.deepEqual(entries.map((e) => e.figures.test.accuracy), [syntheticTestAccuracy(3), syntheticTestAccuracy(1), undefined]);
    // the third is still recording in this very process
    assert.deepEqual(entries.map((e) => e.status), ['completed', 'completed', 'running']);
    assert.equal(entries[2].figures.steps, 4);
  });

  it('lists a run whose recording process died as interrupted with its steps, and corrects its header', () => {
    const { store, file } = project();
    const recorder = store.create({ file, pid: deadPid() });
    recorder.append(syntheticRun({ stepsPerEpoch: 10, stopAtStep: 17 }));
    // the process died: nothing finished the record
    const [entry] = store.list();
    assert.equal(entry.status, 'interrupted');
    assert.equal(entry.figures.steps, 17);
    assert.equal(entry.figures.batch.loss, syntheticLoss(17));
    const header = JSON.parse(fs.readFileSync(path.join(entry.dir, 'run.json'), 'utf8'));
    assert.equal(header.status, 'interrupted');
    assert.equal(header.figures.steps, 17);
  });

  it('lists a run whose header missed the end but whose messages have it as ended', () => {
    const { store, file } = project();
    const recorder = store.create({ file, pid: deadPid() });
    const messages = syntheticRun({ epochs: 1, stepsPerEpoch: 6 });
    // the messages written, the process killed before it rewrote the header
    fs.appendFileSync(path.join(recorder.dir, 'messages.jsonl'), messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    const [entry] = store.list();
    assert.equal(entry.status, 'completed');
    assert.equal(entry.figures.steps, 6);
  });

  it('reads a run whose last line was cut short, and skips lines that are not messages', () => {
    const { store, file } = project();
    const recorder = store.create({ file, pid: deadPid() });
    const messages = syntheticRun({ stopAtStep: 9 });
    const log = path.join(recorder.dir, 'messages.jsonl');
    const text = messages.map((m) => JSON.stringify(m)).join('\n');
    const junk = '{"type":"batch","step":"not a number"}\n';
    const half = JSON.stringify({ type: 'batch', epoch: 1, step: 10, batch: 10, loss: 1, accuracy: 0.5, lr: 0.1, samplesPerSec: 1, elapsedSec: 1 });
    fs.writeFileSync(log, `${junk}${text}\n${half.slice(0, 40)}`);
    const record = store.read(path.basename(recorder.dir));
    assert.deepEqual(record.messages, messages);
    assert.equal(record.stats.badLines, 1);
    assert.equal(record.stats.truncatedTail, true);
    const [entry] = store.list();
    assert.equal(entry.status, 'interrupted');
    assert.equal(entry.figures.steps, 9);
  });

  it('finds the last step of a long run from the end of its messages', () => {
    const dir = tempDir();
    const log = path.join(dir, 'messages.jsonl');
    const messages = syntheticRun({ epochs: 1, stepsPerEpoch: 3, withoutDone: true });
    // a last message of 300 KB after the last batch (more than the first window)
    const big: TrainerMessage = { type: 'log', level: 'info', message: 'x'.repeat(300_000) };
    fs.writeFileSync(log, [...messages, big].map((m) => `${JSON.stringify(m)}\n`).join(''));
    const tail = readTail(log);
    assert.equal(tail.lastBatch?.step, 3);
    assert.equal(tail.done, null);
  });

  it('groups runs by file for the first level of a Runs tree, newest file first', () => {
    const { store, file, root } = project();
    const other = path.join(root, 'other.ts');
    fs.writeFileSync(other, '');
    store.create({ file, now: new Date(2025, 0, 1) }).append(syntheticRun({ epochs: 1 }));
    store.create({ file, now: new Date(2025, 0, 3) }).append(syntheticRun({ epochs: 3 }));
    store.create({ file: other, now: new Date(2025, 0, 2) }).append(syntheticRun({ epochs: 2 }));
    const groups = runFileGroups(store.list());
    assert.deepEqual(groups.map((g) => [g.file, g.runs]), [['experiments/mlp.ts', 2], ['other.ts', 1]]);
    assert.equal(groups[0].latest.started, new Date(2025, 0, 3).toISOString());
    assert.equal(groups[0].bestTest.accuracy, syntheticTestAccuracy(3));
  });
});

describe('Finding, reading and removing a run', () => {
  it('finds a run by its folder name, a unique prefix or its path, and says when a prefix is ambiguous', () => {
    const { store, file } = project();
    const a = store.create({ file, now: new Date(2025, 0, 31, 10, 0, 0) });
    const b = store.create({ file, now: new Date(2025, 0, 31, 11, 0, 0) });
    assert.equal(store.resolve('20250131-100000-mlp'), a.dir);
    assert.equal(store.resolve('20250131-11'), b.dir);
    assert.equal(store.resolve(path.relative(process.cwd(), a.dir)), a.dir);
    assert.throws(() => store.resolve('20250131'), /matches 2 runs/);
    assert.throws(() => store.resolve('1999'), /no run "1999"/);
  });

  it('reads a run back as the messages recorded', () => {
    const { store, file } = project();
    const messages = syntheticRun({ epochs: 2 });
    const recorder = store.create({ file });
    recorder.append(messages);
    const record = store.read(recorder.id);
    assert.deepEqual(record.messages, messages);
    for (const m of record.messages) assert.ok(checkTrainerMessage(m).ok);
    let count = 0;
    forEachMessage(path.join(recorder.dir, 'messages.jsonl'), () => count++);
    assert.equal(count, messages.length);
  });

  it('gives the details of an interrupted run from its messages', () => {
    const { store, file } = project();
    const recorder = store.create({ file, pid: deadPid() });
    recorder.append(syntheticRun({ epochs: 3, stepsPerEpoch: 4, stopAtStep: 10 }));
    const [entry] = store.list();
    const details = readRunDetails(entry);
    assert.deepEqual(details.final.epochs.map((e) => e.epoch), [1, 2]);
    assert.equal(details.final.evaluation?.epoch, 2);
  });

  it('removes a finished run and refuses one that is still recording or a folder that is no run', () => {
    const { store, file, root } = project();
    const done = store.create({ file });
    done.append(syntheticRun());
    const running = store.create({ file });
    assert.throws(() => store.remove(running.id), /still running/);
    store.remove(done.id);
    assert.equal(fs.existsSync(done.dir), false);
    assert.deepEqual(store.list().map((e) => e.id), [running.id]);
    assert.throws(() => store.remove(root), /no run/);
    assert.ok(fs.existsSync(path.join(root, 'package.json')));
  });
});

describe('Keeping the last N runs of a file', () => {
  it('removes the oldest finished runs of the same file beyond N and leaves other files alone', () => {
    const { store, file, root } = project();
    const other = path.join(root, 'other.ts');
    fs.writeFileSync(other, '');
    const otherRun = store.create({ file: other, now: new Date(2025, 0, 1) });
    otherRun.append(syntheticRun());
    const ids: string[] = [];
    for (let day = 2; day <= 6; day++) {
      const r = store.create({ file, now: new Date(2025, 0, day), keep: 3 });
      ids.push(r.id);
      r.append(syntheticRun());
    }
    const left = store.list();
    assert.deepEqual(left.filter((e) => e.file === 'experiments/mlp.ts').map((e) => e.id), ids.slice(-3));
    assert.ok(left.some((e) => e.id === otherRun.id));
  });

  it('keeps every run by default', () => {
    const { store, file } = project();
    for (let i = 0; i < 5; i++) store.create({ file, now: new Date(2025, 0, i + 1) }).append(syntheticRun());
    assert.equal(store.list().length, 5);
  });
});

describe('Replaying a recorded run', () => {
  it('ends an interrupted run with an error naming its last step, after all its batches', () => {
    const messages = syntheticRun({ stopAtStep: 12 });
    const replay = replayMessages({ status: 'interrupted', figures: { steps: 12 } as never }, messages);
    assert.deepEqual(replay.slice(0, messages.length), messages);
    const [error, done] = replay.slice(messages.length);
    assert.ok(error.type === 'error' && /interrupted after step 12/.test(error.message));
    assert.ok(done.type === 'done' && done.steps === 12 && done.reason === 'error');
  });

  it('gives the panel of a reloaded window every batch with its named metrics, as the live run had them', () => {
    const { store, file } = project();
    const messages = syntheticRun({ epochs: 2, stepsPerEpoch: 6 });
    const recorder = store.create({ file });
    recorder.append(messages);
    const { batches, messages: others } = new RecordedRun(store, recorder.dir).snapshot();
    const recorded = messages.flatMap((m) => (m.type === 'batch' ? [m] : []));
    assert.deepEqual(batches.step, recorded.map((m) => m.step));
    assert.deepEqual(batches.metrics.loss, recorded.map((m) => m.metrics.loss));
    assert.deepEqual(batches.metrics.accuracy, recorded.map((m) => m.metrics.accuracy));
    assert.equal(others.filter((m) => m.type === 'batch').length, 0);
    assert.equal(others.length, messages.length - recorded.length);
  });

  it('replays a finished run as recorded', () => {
    const messages = syntheticRun();
    assert.deepEqual(replayMessages({ status: 'completed', figures: { steps: 20 } as never }, messages), messages);
  });
});

describe('Run folders recorded before named metrics', () => {
  /** A run folder as version 1 wrote it: loss/accuracy fields in run.json, messages.jsonl and figures.json. */
  function olderRun(): { store: RunStore; dir: string } {
    const { store } = project();
    ensureRunsDir(store.dir);
    const dir = path.join(store.dir, '20250101-120000-mlp');
    fs.mkdirSync(dir);
    const figures = { steps: 2, epochs: 1, loss: 0.7, accuracy: 0.6, lr: 0.1, trainLoss: 0.8, trainAccuracy: 0.55, testLoss: 0.9, testAccuracy: 0.5, bestTestAccuracy: 0.5, elapsedSec: 1 };
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify({
      version: 1, id: path.basename(dir), file: 'experiments/mlp.ts', copy: null, name: 'mlp', started: '2025-01-01T12:00:00.000Z',
      ended: '2025-01-01T12:00:01.000Z', status: 'completed', reason: null, pid: 1, host: os.hostname(), backend: 'cpu', schedule: null, plan: null, figures,
    }));
    const epochEnd = { type: 'epochEnd', epoch: 1, trainLoss: 0.8, trainAccuracy: 0.55, testLoss: 0.9, testAccuracy: 0.5, lr: 0.1, epochSec: 1, elapsedSec: 1 };
    const evaluation = { type: 'evaluation', epoch: 1, testLoss: 0.9, testAccuracy: 0.5, perClassAccuracy: [0.5], classNames: ['a'], confusion: [[1]] };
    const messages = [
      { type: 'batch', epoch: 1, step: 1, batch: 1, loss: 0.9, accuracy: 0.4, lr: 0.1, samplesPerSec: 10, elapsedSec: 0.5 },
      { type: 'batch', epoch: 1, step: 2, batch: 2, loss: 0.7, accuracy: 0.6, lr: 0.1, samplesPerSec: 10, elapsedSec: 1 },
      epochEnd, evaluation, { type: 'done', stopped: false, reason: 'completed', steps: 2, elapsedSec: 1, savedTo: null },
    ];
    fs.writeFileSync(path.join(dir, 'messages.jsonl'), messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    fs.writeFileSync(path.join(dir, 'figures.json'), JSON.stringify({ epochs: [epochEnd], evaluation, done: messages[4], figures }));
    return { store, dir };
  }

  it('lists a version 1 header with its figures under the vocabulary\'s names', () => {
    const { store } = olderRun();
    const [entry] = store.list();
    assert.equal(entry.status, 'completed');
    assert.deepEqual(entry.figures.batch, { loss: 0.7, accuracy: 0.6 });
    assert.deepEqual(entry.figures.train, { loss: 0.8, accuracy: 0.55 });
    assert.deepEqual(entry.figures.test, { loss: 0.9, accuracy: 0.5 });
    assert.deepEqual(entry.figures.bestTest, { accuracy: 0.5 });
    assert.deepEqual(entry.figures.val, {});
  });

  it('reads its messages as named metrics, every line of them', () => {
    const { store, dir } = olderRun();
    const record = store.read(path.basename(dir));
    assert.equal(record.stats.badLines, 0);
    const batches = record.messages.filter((m) => m.type === 'batch');
    assert.deepEqual(batches.map((b) => b.metrics), [{ loss: 0.9, accuracy: 0.4 }, { loss: 0.7, accuracy: 0.6 }]);
    const epoch = record.messages.find((m) => m.type === 'epochEnd');
    assert.deepEqual(epoch?.type === 'epochEnd' && [epoch.metrics, epoch.test], [{ loss: 0.8, accuracy: 0.55 }, { loss: 0.9, accuracy: 0.5 }]);
    assert.equal(readTail(path.join(dir, 'messages.jsonl')).lastBatch?.metrics.loss, 0.7);
  });

  it('reads its figures.json for details', () => {
    const { store, dir } = olderRun();
    const details = readRunDetails(store.entryAt(dir)!);
    assert.deepEqual(details.final.epochs.map((e) => e.test), [{ loss: 0.9, accuracy: 0.5 }]);
    assert.deepEqual(details.final.evaluation?.test, { loss: 0.9, accuracy: 0.5 });
  });

  it('an older epoch without a test split has no test record', () => {
    const { dir } = olderRun();
    fs.writeFileSync(path.join(dir, 'messages.jsonl'), `${JSON.stringify({ type: 'epochEnd', epoch: 1, trainLoss: 1, trainAccuracy: 0.5, testLoss: null, testAccuracy: null, lr: 0.1, epochSec: 1, elapsedSec: 1 })}\n`);
    const messages: TrainerMessage[] = [];
    forEachMessage(path.join(dir, 'messages.jsonl'), (m) => messages.push(m));
    assert.equal(messages.length, 1);
    assert.equal(messages[0].type === 'epochEnd' && 'test' in messages[0], false);
  });
});
