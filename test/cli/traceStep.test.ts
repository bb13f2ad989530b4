import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import type { TraceMessage, TrainerMessage } from '../../src/protocol/messages';
import { example, fixture } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

describe('model-lens train --trace-step N --json', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-trace-'));
  const run = runCli(['train', example('mnist-mlp.ts'), '--trace-step', '1', '--json', '--epochs', '1', '--limit', '512', '--test-limit', '100',
    '--backend', 'cpu', '--dir', dir], { timeoutMs: 300_000 });
  const messages = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainerMessage);
  const traces = messages.filter((m): m is TraceMessage => m.type === 'trace');

  it('emits one valid trace of step 1 and goes on training to the end', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.equal(traces.length, 1);
    const checked = checkTrainerMessage(traces[0]);
    assert.ok(checked.ok, checked.ok ? '' : checked.error);
    assert.equal(traces[0].step, 1);
    const at = messages.indexOf(traces[0]);
    assert.ok(messages.slice(at).some((m) => m.type === 'batch' && m.step === 4), 'steps after the trace');
    assert.equal(messages.at(-1)?.type, 'done');
    assert.equal((messages.at(-1) as { reason: string }).reason, 'completed');
  });

  it('gives the output gradient softmax(z) − onehot(y) of the traced sample within 1e-5', () => {
    const { logits, outputGradient, targetClass } = traces[0].loss;
    assert.ok(logits && targetClass !== null);
    const top = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - top));
    const sum = e.reduce((a, b) => a + b, 0);
    outputGradient.forEach((g, k) => assert.ok(Math.abs(g - (e[k] / sum - (k === targetClass ? 1 : 0))) < 1e-5, `class ${k}`));
  });

  it('walks every layer forward and backward, with this sample\'s and the batch\'s dL/dW for every dense layer', () => {
    const layers = traces[0].layers;
    assert.deepEqual(layers.map((l) => l.layer), ['flatten', 'fc1', 'fc2', 'fc3']);
    assert.deepEqual(layers.map((l) => l.activation), [null, 'relu', 'relu', 'softmax']);
    for (const l of layers.slice(1)) {
      assert.deepEqual(l.weights.map((w) => w.name), ['kernel', 'bias']);
      for (const w of l.weights) assert.ok(w.sampleGrad.l2 > 0 && w.batchGrad.l2 > 0 && w.delta.l2 > 0, `${l.layer}.${w.name}`);
      // dL/d(input) of a layer is dL/d(output) of the one before it.
      const before = layers[layers.indexOf(l) - 1];
      assert.equal(before.dOutput.l2, l.dInput.l2);
    }
  });

  it('keeps the trace in the HTML report (--report), whose Step through tab shows it', () => {
    const report = path.join(dir, 'run.html');
    const again = runCli(['train', example('mnist-mlp.ts'), '--trace-step', '1', '--epochs', '1', '--limit', '256', '--test-limit', '20',
      '--backend', 'cpu', '--dir', dir, '--report', report], { timeoutMs: 300_000 });
    assert.equal(again.status, 0, again.stderr);
    assert.match(fs.readFileSync(report, 'utf8'), /"type":"trace","epoch":1,"step":1/);
  });

  it('keeps the trace small (every tensor capped)', () => {
    assert.ok(JSON.stringify(traces[0]).length < 300_000, String(JSON.stringify(traces[0]).length));
  });
});

describe('model-lens train --trace-step (people)', () => {
  it('prints the traced step in a few lines and refuses a step below 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-trace-'));
    const run = runCli(['train', example('mnist-mlp.ts'), '--trace-step', '2', '--trace-sample', '5', '--epochs', '1', '--limit', '384',
      '--test-limit', '50', '--backend', 'cpu', '--dir', dir], { timeoutMs: 300_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Trace of step 2 \(epoch 1, batch 2\), sample 5 of 128/);
    assert.match(run.stdout, /fc1 \(Dense, relu\): out mean .*% active.*‖dL\/dkernel‖/);
    const bad = runCli(['train', example('mnist-mlp.ts'), '--trace-step', '0']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--trace-step must be an integer ≥ 1/);
  });
});

describe('model-lens train --trace-step on a residual CNN (a fork, a nested block, an Add)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-trace-'));

  it('emits a valid trace of every call with its sources and, at the fork, both consumers', () => {
    const run = runCli(['train', fixture('residual-cnn.ts'), '--trace-step', '1', '--json', '--epochs', '1', '--limit', '64', '--test-limit', '16',
      '--backend', 'cpu', '--dir', dir], { timeoutMs: 300_000 });
    assert.equal(run.status, 0, run.stderr);
    const trace = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as TrainerMessage).find((m): m is TraceMessage => m.type === 'trace');
    assert.ok(trace);
    const checked = checkTrainerMessage(trace);
    assert.ok(checked.ok, checked.ok ? '' : checked.error);
    assert.equal(trace.layers.length, 8);
    const stem = trace.layers.find((l) => l.layer === 'stem')!;
    assert.deepEqual([...stem.consumers!].sort(), ['block_conv1', 'residual']);
    assert.deepEqual(trace.layers.find((l) => l.layer === 'residual')!.sources, ['stem', 'block_conv2']);
  });

  it('prints the summed paths and keeps the trace in the HTML report', () => {
    const report = path.join(dir, 'residual.html');
    const run = runCli(['train', fixture('residual-cnn.ts'), '--trace-step', '1', '--epochs', '1', '--limit', '32', '--test-limit', '16',
      '--backend', 'cpu', '--dir', dir, '--report', report], { timeoutMs: 300_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /stem \(Conv2D, relu\) ← image: .*dL\/d\(out\) = sum of 2 paths \(block_conv1, residual\)/);
    assert.match(run.stdout, /residual \(Add\) ← stem \+ block_conv2:/);
    assert.match(fs.readFileSync(report, 'utf8'), /"sources":\["stem","block_conv2"\]/);
  });
});
