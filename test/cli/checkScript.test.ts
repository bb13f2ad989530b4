import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DiagnosisMessage } from '../../src/protocol/messages';
import type { SourceLocation } from '../../src/protocol/modelInfo';
import { editForFix } from '../../src/source/doctorEdit';
import { fixture, lineOf } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

interface ScriptCheckJson {
  file: string;
  script: boolean;
  ranUpTo: SourceLocation | null;
  trained: boolean;
  errors: number;
  warnings: number;
  diagnoses: DiagnosisMessage[];
}

const doctor = (name: string) => fixture(`scripts/doctor/${name}`);

/** `model-lens check --json SCRIPT` from a scratch folder; its report and exit code. */
function checkJson(file: string): { status: number | null; report: ScriptCheckJson; stderr: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-check-script-'));
  const r = runCli(['check', '--json', '--backend', 'cpu', file], { cwd, timeoutMs: 120_000 });
  assert.doesNotThrow(() => JSON.parse(r.stdout), `stdout is one JSON object:\n${r.stdout}\n${r.stderr}`);
  return { status: r.status, report: JSON.parse(r.stdout) as ScriptCheckJson, stderr: r.stderr };
}

describe('model-lens check SCRIPT: the doctor runs the script up to its first training call and stops it there', () => {
  it('inputs of 0..255 handed to fit: a warning at the fit line saying how to scale them, no training; exit 0', () => {
    const file = doctor('unscaled-inputs.mjs');
    const { status, report, stderr } = checkJson(file);
    assert.equal(status, 0, stderr);
    assert.equal(report.trained, false);
    assert.deepEqual(report.diagnoses.map((d) => [d.code, d.severity, d.source?.line]), [['inputsNotNormalised', 'warning', lineOf(file, 'await model.fit(')]]);
  });

  it('token ids handed to an Embedding model\'s fit: nothing about their scale; exit 0', () => {
    const file = doctor('token-ids.mjs');
    const { status, report, stderr } = checkJson(file);
    assert.equal(status, 0, stderr);
    assert.equal(report.ranUpTo?.line, lineOf(file, 'await text.fit('));
    assert.deepEqual(report.diagnoses, []);
  });

  it('an ES module with top-level await: logits into categoricalCrossentropy is an error at the last layer\'s line, with the softmax fix; exit 1', () => {
    const file = doctor('logits-sequential.ts');
    const { status, report, stderr } = checkJson(file);
    assert.equal(status, 1, stderr);
    assert.equal(report.errors, 1);
    const [d] = report.diagnoses;
    assert.equal(d.code, 'logitsIntoProbabilityLoss');
    assert.equal(d.source?.file, file);
    assert.equal(d.source?.line, lineOf(file, 'units: 3 }'));
    assert.match(d.message, /softmax is missing/);
    assert.deepEqual(d.fixes.map((f) => f.kind === 'setActivation' && f.activation), ['softmax']);
    assert.equal(report.ranUpTo?.line, lineOf(file, 'await model.fit('));
    assert.equal(report.trained, false);
    assert.match(stderr, /before fit/, 'the script\'s own output goes to stderr');
    assert.doesNotMatch(stderr, /after fit/, 'the script is stopped inside its first fit');
  });

  it('the softmax fix, applied to the script, leaves nothing for check to report', () => {
    const file = doctor('logits-sequential.ts');
    const [d] = checkJson(file).report.diagnoses;
    const text = fs.readFileSync(file, 'utf8');
    const result = editForFix(text, file, d.fixes[0], d.source);
    assert.equal(result.kind, 'edit');
    const fixed = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-check-fixed-')), 'fixed.ts');
    fs.writeFileSync(fixed, result.kind === 'edit' ? result.text : text);
    const after = checkJson(fixed);
    assert.equal(after.status, 0, after.stderr);
    assert.deepEqual(after.report.diagnoses, []);
  });

  it('a functional model ending in softmax, compiled with tf.losses.softmaxCrossEntropy: a warning at that layer; exit 0', () => {
    const file = doctor('softmax-functional.mjs');
    const { status, report, stderr } = checkJson(file);
    assert.equal(status, 0, stderr);
    assert.deepEqual(report.diagnoses.map((d) => [d.code, d.severity, d.layer, d.source?.line]),
      [['softmaxBeforeLogitLoss', 'warning', 'probs', lineOf(file, "name: 'probs'")]]);
    assert.match(report.diagnoses[0].message, /tf\.losses\.softmaxCrossEntropy/);
  });

  it('a CommonJS custom loop handing a softmax output to tf.losses.softmaxCrossEntropy: a warning at the line of that call', () => {
    const file = doctor('loop-softmax.cjs');
    const { status, report, stderr } = checkJson(file);
    assert.equal(status, 0, stderr);
    const [d] = report.diagnoses;
    assert.equal(report.diagnoses.length, 1);
    assert.equal(d.code, 'softmaxBeforeLogitLoss');
    assert.equal(d.source?.line, lineOf(file, 'tf.losses.softmaxCrossEntropy(ys'));
    assert.equal(report.ranUpTo?.line, lineOf(file, 'optimizer.minimize('));
    assert.doesNotMatch(stderr, /tensors/, 'stopped before the first update: the loop\'s body never got past minimize');
  });

  it('a custom loop with minimize handing logits to tf.metrics.categoricalCrossentropy: an error at that call; exit 1', () => {
    const file = doctor('loop-logits-logloss.mjs');
    const { status, report } = checkJson(file);
    assert.equal(status, 1);
    assert.deepEqual(report.diagnoses.map((d) => [d.code, d.severity, d.source?.line]),
      [['logitsIntoProbabilityLoss', 'error', lineOf(file, 'tf.metrics.categoricalCrossentropy(')]]);
  });

  it('trainOnBatch on one output unit with no sigmoid, compiled with binaryCrossentropy: the sigmoid is missing, its fix offered', () => {
    const file = doctor('train-on-batch-binary.mjs');
    const { status, report } = checkJson(file);
    assert.equal(status, 1);
    const [d] = report.diagnoses;
    assert.deepEqual([d.code, d.layer, d.source?.line], ['logitsIntoProbabilityLoss', 'score', lineOf(file, "name: 'score'")]);
    assert.match(d.message, /sigmoid is missing/);
    assert.deepEqual(d.fixes.map((f) => f.kind === 'setActivation' && f.activation), ['sigmoid']);
    assert.equal(report.ranUpTo?.line, lineOf(file, 'model.trainOnBatch('));
  });

  it('a layer whose options are not written as an object literal: the problem is named, with no fix offered', () => {
    const file = doctor('logits-computed-options.ts');
    const { status, report } = checkJson(file);
    assert.equal(status, 1);
    assert.equal(report.diagnoses[0].code, 'logitsIntoProbabilityLoss');
    assert.equal(report.diagnoses[0].source?.line, lineOf(file, 'tf.layers.dense(head(3))'));
    assert.deepEqual(report.diagnoses[0].fixes, []);
  });

  it('a sound script (the tutorial\'s fit) has nothing to report and exits 0', () => {
    const file = fixture('scripts/fit-functional.ts');
    const { status, report, stderr } = checkJson(file);
    assert.equal(status, 0, stderr);
    assert.deepEqual(report.diagnoses, []);
    assert.equal(report.ranUpTo?.line, lineOf(file, 'await model.fit('));
  });

  it('prints, for people, that the script ran up to its first training call and where, then the findings as compilers do', () => {
    const file = doctor('softmax-functional.mjs');
    const r = runCli(['check', '--backend', 'cpu', file], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const [first, second] = r.stdout.split('\n');
    assert.match(first, new RegExp(`ran up to its first training call \\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${lineOf(file, 'await model.fit(')}:\\d+\\)`));
    assert.match(first, /before any update/);
    assert.match(second, new RegExp(`:${lineOf(file, "name: 'probs'")}:\\d+: warning: .* \\[softmaxBeforeLogitLoss\\]$`));
    assert.match(r.stdout, /fix: Remove the softmax from the last layer/);
  });

  it('a script that never trains: says so (nothing was checked) and exits 0', () => {
    const file = doctor('no-training.mjs');
    const r = runCli(['check', '--backend', 'cpu', file], { timeoutMs: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ended without a training call/);
    assert.doesNotMatch(r.stdout, /no problems found/);
    assert.equal(checkJson(file).report.ranUpTo, null);
  });

  it('a file with a syntax error is not run: the error is named at its line', () => {
    const file = fixture('syntax-error.ts');
    const r = runCli(['check', file], { timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`syntax-error\\.ts:${lineOf(file, '] ),')}:\\d+: `));
    assert.doesNotMatch(r.stdout + r.stderr, /the script (threw|ran|ended)/);
  });

  it('a script with a syntax error (no default export: not an experiment) is named at its line, with the hint to fix the script', () => {
    const file = fixture('scripts/syntax/broken.mjs');
    const r = runCli(['check', '--backend', 'cpu', file], { timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`broken\\.mjs:${lineOf(file, 'units: 3 }) })')}:\\d+: the script has a syntax error: Unexpected token '\\}'\n  Fix the script and run it again\\.`));
    assert.doesNotMatch(r.stderr, /experiment/);
  });

  it('a file that exports something but no experiment is not run as a script: the loader says its default export is missing', () => {
    const r = runCli(['check', fixture('no-default.ts')], { timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /has no default export/);
    assert.doesNotMatch(r.stdout + r.stderr, /the script/);
  });

  it('a script that throws before training: its error at its line, exit 1', () => {
    const file = fixture('scripts/throws.ts');
    const r = runCli(['check', '--backend', 'cpu', file], { timeoutMs: 120_000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${path.basename(file)}:${lineOf(file, 'throw new Error')}:\\d+: .*the data file is missing`));
    assert.match(r.stdout, /ended with an error before its first training update/);
  });
});
