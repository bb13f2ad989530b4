import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, lineOf } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

/** One clear message: non-zero exit, one `model-lens: error:` line (plus an optional hint), no stack. */
function assertCleanError(run: ReturnType<typeof runCli>): string {
  assert.notEqual(run.status, 0);
  assert.equal(run.stdout, '');
  const lines = run.stderr.trim().split('\n');
  assert.match(lines[0], /^model-lens: error: /);
  assert.ok(lines.length <= 2, run.stderr);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  return lines[0];
}

describe('bad input to model-lens summary', () => {
  it('reports a syntax error at the file:line:col of the user’s file', () => {
    const file = fixture('syntax-error.ts');
    const line = assertCleanError(runCli(['summary', file]));
    assert.ok(line.includes(`${file}:${lineOf(file, '] ),')}:`), line);
    assert.match(line, /Expected "}" but found "\)"/);
  });

  it('reports a throw inside model() at the user’s line', () => {
    const file = fixture('model-throws.ts');
    const line = assertCleanError(runCli(['summary', file]));
    assert.ok(line.includes(`${file}:${lineOf(file, 'throw new Error')}:`), line);
    assert.match(line, /a head of 1000 units is too wide/);
  });

  it('names the layer whose input shapes do not fit', () => {
    const file = fixture('shape-mismatch.ts');
    const line = assertCleanError(runCli(['summary', file]));
    assert.match(line, /layer "bad_add" \(Add\)/);
    assert.ok(line.includes(`${file}:${lineOf(file, "name: 'bad_add'")}:`), line);
  });

  it('says when the file does not exist', () => {
    const line = assertCleanError(runCli(['summary', 'no/such/experiment.ts']));
    assert.match(line, /no\/such\/experiment\.ts: no such file/);
  });

  it('writes no --report of train when the experiment file does not exist', () => {
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-train-report-')), 'r.html');
    const run = runCli(['train', 'no/such/experiment.ts', '--report', report]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no such file/);
    assert.equal(fs.existsSync(report), false);
    assert.doesNotMatch(run.stderr, /Report written/);
  });

  it('says when the file has no default export', () => {
    const line = assertCleanError(runCli(['summary', fixture('no-default.ts')]));
    assert.match(line, /has no default export/);
  });

  it('says when a .json file is not a model.json', () => {
    const line = assertCleanError(runCli(['graph', fixture('not-a-model.json')]));
    assert.match(line, /is not a TensorFlow\.js model\.json/);
  });

  it('reports the line and column of broken JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-json-'));
    const file = path.join(dir, 'model.json');
    fs.writeFileSync(file, '{\n  "modelTopology": {\n    "class_name": "Sequential",,\n  }\n}\n');
    const line = assertCleanError(runCli(['summary', file]));
    assert.ok(line.includes(`${file}:3:`), line);
  });

  it('rejects an unknown command and a bad --batch with usage help', () => {
    assert.match(assertCleanError(runCli(['frobnicate', fixture('residual.ts')])), /unknown command "frobnicate"/);
    assert.match(assertCleanError(runCli(['summary', fixture('residual.ts'), '--batch', '0'])), /--batch must be an integer/);
  });
});
