import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerMessage } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { fixture, lineOf } from '../helpers/fixtures';
import { runCli, type CliRun } from '../helpers/runCli';

type Of<T extends TrainerMessage['type']> = Extract<TrainerMessage, { type: T }>;

interface DoctorRun extends CliRun {
  cwd: string;
  messages: TrainerMessage[];
  of<T extends TrainerMessage['type']>(type: T): Of<T>[];
  stdoutOfScript: string;
}

/** `model-lens run --json` on a script of test/fixtures/scripts/doctor, its run kept in a scratch folder. */
function run(name: string, extra: string[] = []): DoctorRun {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-doctor-'));
  const r = runCli(['run', '--json', '--backend', 'cpu', '--dir', path.join(cwd, 'runs'), ...extra, fixture(`scripts/doctor/${name}`)], { cwd, timeoutMs: 120_000 });
  const messages = r.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as TrainerMessage);
  const of = <T extends TrainerMessage['type']>(type: T) => messages.filter((m): m is Of<T> => m.type === type);
  return { ...r, cwd, messages, of, stdoutOfScript: of('log').filter((m) => m.stream === 'stdout').map((m) => m.message).join('') };
}

describe('model-lens run SCRIPT: the doctor\'s findings as diagnosis messages', () => {
  it('logits into a compiled probability loss: the diagnosis, then an error naming the missing softmax (not the learning rate); no step, exit 1', () => {
    const file = fixture('scripts/doctor/logits-sequential.ts');
    const r = run('logits-sequential.ts');
    assert.equal(r.status, 1, r.stderr);
    const [d] = r.of('diagnosis');
    assert.equal(d?.code, 'logitsIntoProbabilityLoss');
    assert.equal(d?.source?.line, lineOf(file, 'units: 3 }'));
    const [error] = r.of('error');
    assert.ok(error, JSON.stringify(r.messages.map((m) => m.type)));
    assert.match(error.message, /softmax is missing/);
    assert.doesNotMatch(`${error.message} ${error.hint ?? ''}`, /learning rate/i);
    assert.equal(error.location?.line, d?.source?.line);
    assert.equal(r.of('batch').length, 0, 'stopped before its first step');
    assert.equal(r.of('done')[0]?.reason, 'error');
    assert.doesNotMatch(r.stdoutOfScript, /after fit/);
    for (const m of r.messages) assert.ok(checkTrainerMessage(m).ok, JSON.stringify(m));
  });

  it('a warning (softmax before tf.losses.softmaxCrossEntropy) is sent once and the run goes on to the end', () => {
    const r = run('softmax-functional.mjs');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.of('diagnosis').map((d) => [d.code, d.severity, d.layer]), [['softmaxBeforeLogitLoss', 'warning', 'probs']]);
    assert.ok(r.of('batch').length > 0);
    assert.equal(r.of('done')[0]?.reason, 'completed');
  });

  it('a custom loop: the softmax output handed to tf.losses.softmaxCrossEntropy is read once; the loop runs on with no tensor leaked', () => {
    const file = fixture('scripts/doctor/loop-softmax.cjs');
    const r = run('loop-softmax.cjs');
    assert.equal(r.status, 0, r.stderr);
    const found = r.of('diagnosis');
    assert.equal(found.length, 1);
    assert.equal(found[0].source?.line, lineOf(file, 'tf.losses.softmaxCrossEntropy(ys'));
    const counts = [...r.stdoutOfScript.matchAll(/tensors (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(counts.length, 6);
    assert.equal(new Set(counts).size, 1, `tensor counts ${counts}`);
    assert.match(r.stdoutOfScript, /loop done/);
  });

  it('a custom loop handing logits to tf.metrics.categoricalCrossentropy stops at that call with the error, before its first update', () => {
    const file = fixture('scripts/doctor/loop-logits-logloss.mjs');
    const r = run('loop-logits-logloss.mjs');
    assert.equal(r.status, 1);
    const [error] = r.of('error');
    assert.match(error?.message ?? '', /softmax is missing/);
    assert.equal(error?.location?.line, lineOf(file, 'tf.metrics.categoricalCrossentropy('));
    assert.equal(r.of('gradients').length, 0);
    assert.doesNotMatch(r.stdoutOfScript, /loop done/);
  });

  it('the training doctor reads a script\'s sampled gradients: a learning rate far too low is named, with the rate to try', () => {
    const r = run('tiny-lr.mjs', ['--gradient-every', '1']);
    assert.equal(r.status, 0, r.stderr);
    const low = r.of('diagnosis').filter((d) => d.code === 'learningRateTooLow');
    assert.equal(low.length, 1);
    assert.ok((low[0].step ?? 0) >= 5);
    assert.match(low[0].message, /1e-9.*try/);
    assert.equal(low[0].source?.line, lineOf(fixture('scripts/doctor/tiny-lr.mjs'), 'optimizer.minimize('));
    assert.deepEqual(low[0].fixes, [], 'a script has no setting for the fix to write');
  });

  it('a hidden ReLU layer dead from the start: dead ReLUs (and the vanishing gradient they cause) named at that layer\'s line', () => {
    const file = fixture('scripts/doctor/dead-relu.ts');
    const r = run('dead-relu.ts', ['--gradient-every', '1']);
    assert.equal(r.status, 0, r.stderr);
    const dead = r.of('diagnosis').filter((d) => d.code === 'deadRelu');
    assert.deepEqual(dead.map((d) => [d.layer, d.source?.line]), [['hidden', lineOf(file, "name: 'hidden'")]]);
    assert.match(dead[0].message, /100%/);
    assert.ok(r.of('diagnosis').every((d) => d.layer !== 'out'), 'the live last layer is not named');
  });

  it('a dead hidden ReLU layer without a bias is found from its kernel\'s gradient, at its line', () => {
    const file = fixture('scripts/doctor/dead-relu-no-bias.mjs');
    const r = run('dead-relu-no-bias.mjs', ['--gradient-every', '1']);
    assert.equal(r.status, 0, r.stderr);
    const dead = r.of('diagnosis').filter((d) => d.code === 'deadRelu');
    assert.deepEqual(dead.map((d) => [d.layer, d.source?.line]), [['hidden', lineOf(file, "name: 'hidden'")]]);
    assert.match(dead[0].message, /100%/);
  });

  it('no dead ReLU is reported for a loop whose ReLU layer is alive', () => {
    const r = run('tiny-lr.mjs', ['--gradient-every', '1']);
    assert.deepEqual(r.of('diagnosis').filter((d) => d.code === 'deadRelu'), []);
  });

  it('prints a warning for people on stderr, at the script\'s line', () => {
    const file = fixture('scripts/doctor/softmax-functional.mjs');
    const r = runCli(['run', '--backend', 'cpu', '--dir', fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-doctor-')), file], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`model-lens: warning: .*:${lineOf(file, "name: 'probs'")}:\\d+: .*\\[softmaxBeforeLogitLoss\\]`));
  });
});

describe('model-lens run SCRIPT: inputs handed to fit unscaled', () => {
  it('warns at the fit line with the inputs\' mean and std and how to scale them; the run still completes', () => {
    const file = fixture('scripts/doctor/unscaled-inputs.mjs');
    const r = run('unscaled-inputs.mjs');
    assert.equal(r.status, 0, r.stderr);
    const found = r.of('diagnosis').filter((d) => d.code === 'inputsNotNormalised');
    assert.equal(found.length, 1, JSON.stringify(r.of('diagnosis')));
    const [d] = found;
    assert.equal(d.severity, 'warning');
    assert.equal(d.source?.line, lineOf(file, 'await model.fit('));
    const mean = Number(/mean (-?[\d.]+)/.exec(d.message)?.[1]);
    assert.ok(mean > 100 && mean < 155, `uniform 0..255 has mean ≈ 127.5: ${d.message}`);
    assert.match(d.message, /before training: subtract .* and divide by .*divide by 255/);
    assert.match(r.stdoutOfScript, /fit done/);
  });

  it('token ids into an Embedding are not taken for unscaled inputs; the next fit, of values, is checked', () => {
    const file = fixture('scripts/doctor/token-ids.mjs');
    const r = run('token-ids.mjs');
    assert.equal(r.status, 0, r.stderr);
    const found = r.of('diagnosis').filter((d) => d.code === 'inputsNotNormalised');
    assert.deepEqual(found.map((d) => d.source?.line), [lineOf(file, 'await values.fit(')], JSON.stringify(found));
    assert.match(r.stdoutOfScript, /values fit done/);
  });
});

describe('model-lens run SCRIPT: a loss that is not finite ends the run with an anomaly, as an experiment\'s does', () => {
  it('fit diverging: the step, its epoch and batch, the fit\'s line, the first non-finite layer and the rate to lower; kept as an anomaly, exit 1', () => {
    const file = fixture('scripts/doctor/diverge-fit.mjs');
    const r = run('diverge-fit.mjs', ['--gradient-every', '1']);
    assert.equal(r.status, 1, r.stderr);
    const [a] = r.of('anomaly');
    assert.ok(a, JSON.stringify(r.of('batch')));
    assert.equal(a.kind, 'nonFiniteLoss');
    assert.ok(a.step > 1);
    assert.equal(a.source?.line, lineOf(file, 'await model.fit('));
    assert.equal(a.layer, 'hidden');
    assert.match(a.message, new RegExp(`the loss became (NaN|-?Infinity) at step ${a.step} \\(epoch 1, batch ${a.step}\\), after ${a.step - 1} updates? of the model: ` +
      'the training diverged; the first layer with a non-finite gradient is "hidden". Lower the learning rate \\(now 10\\)'));
    // The step's batch is sent without its loss (a message carries finite figures only), the anomaly marks it.
    const batches = r.of('batch');
    assert.deepEqual(batches.map((b) => b.step), Array.from({ length: a.step }, (_, i) => i + 1), 'the run stops at that step');
    assert.deepEqual(batches[a.step - 1].metrics, {});
    assert.ok(batches.slice(0, -1).every((b) => Number.isFinite(b.metrics.loss)));
    assert.deepEqual(r.messages.slice(-2).map((m) => m.type), ['anomaly', 'done']);
    assert.equal(r.of('done')[0].reason, 'anomaly');
    assert.doesNotMatch(r.stdoutOfScript, /after fit/);
    for (const m of r.messages) assert.ok(checkTrainerMessage(m).ok, JSON.stringify(m));
    const listed = runCli(['runs', 'list', '--json', '--dir', path.join(r.cwd, 'runs')]);
    const [entry] = JSON.parse(listed.stdout) as { status: string; reason: string | null }[];
    assert.equal(entry.status, 'error');
    assert.equal(entry.reason, a.message);
  });

  it('a custom loop on tf.variables diverging: stopped at the minimize line; no layer to name', () => {
    const file = fixture('scripts/doctor/diverge-loop.mjs');
    const r = run('diverge-loop.mjs');
    assert.equal(r.status, 1, r.stderr);
    const [a] = r.of('anomaly');
    assert.equal(a?.kind, 'nonFiniteLoss', JSON.stringify(r.messages.slice(-3)));
    assert.equal(a.source?.line, lineOf(file, 'optimizer.minimize('));
    assert.equal(a.layer, null);
    assert.match(a.message, /after \d+ updates of the variables: the training diverged\. Lower the learning rate \(now 1\)/);
    assert.equal(r.of('batch').length, a.step);
    assert.doesNotMatch(r.stdoutOfScript, /loop done/);
  });

  it('a NaN in the inputs of a second model\'s first trainOnBatch: before any update of that model, not the learning rate', () => {
    const file = fixture('scripts/doctor/nan-inputs-second-model.mjs');
    const r = run('nan-inputs-second-model.mjs');
    assert.equal(r.status, 1, r.stderr);
    const [a] = r.of('anomaly');
    assert.equal(a?.kind, 'nonFiniteBeforeUpdate', JSON.stringify(r.messages.slice(-3)));
    assert.equal(a.step, 3, 'the run\'s third step: the first model made two');
    assert.equal(a.source?.line, lineOf(file, 'await broken.trainOnBatch('));
    assert.match(a.message, /^the loss is NaN at step 3 .*before any update of model "broken" \(so not the learning rate\).*inputs are finite \(model-lens check nan-inputs-second-model\.mjs\)/);
    assert.doesNotMatch(a.message, /Lower the learning rate/);
    assert.doesNotMatch(r.stdoutOfScript, /after trainOnBatch/);
  });
});

describe('a sound script gets no diagnosis', () => {
  let r: DoctorRun;
  before(() => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-doctor-'));
    const out = runCli(['run', '--json', '--backend', 'cpu', '--dir', path.join(cwd, 'runs'), fixture('scripts/fit-functional.ts')], { cwd, timeoutMs: 120_000 });
    const messages = out.stdout.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as TrainerMessage);
    r = { ...out, cwd, messages, of: <T extends TrainerMessage['type']>(type: T) => messages.filter((m): m is Of<T> => m.type === type), stdoutOfScript: '' };
  });

  it('the tutorial\'s fit (softmax + categoricalCrossentropy) completes with no finding', () => {
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.of('diagnosis'), []);
  });
});
