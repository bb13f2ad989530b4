import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerMessage } from '../../src/protocol/messages';
import { fixture, lineOf } from '../helpers/fixtures';
import { runCli, type CliRun } from '../helpers/runCli';

type Of<T extends TrainerMessage['type']> = Extract<TrainerMessage, { type: T }>;

interface ScriptRun extends CliRun {
  messages: TrainerMessage[];
  of<T extends TrainerMessage['type']>(type: T): Of<T>[];
  /** What the script wrote to one stream, from its log messages. */
  output(stream: 'stdout' | 'stderr'): string;
}

/** `model-lens run --json` on a script of test/fixtures/scripts, from a folder of its own. */
function runScript(name: string, extra: string[] = [], scriptArgs: string[] = []): ScriptRun & { cwd: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-'));
  const run = runCli(['run', '--json', '--backend', 'cpu', ...extra, fixture(`scripts/${name}`), ...(scriptArgs.length ? ['--', ...scriptArgs] : [])],
    { cwd, timeoutMs: 120_000 });
  const lines = run.stdout.split('\n').filter((l) => l.length > 0);
  const messages = lines.map((l) => JSON.parse(l) as TrainerMessage);
  return {
    ...run, cwd, messages,
    of: <T extends TrainerMessage['type']>(type: T) => messages.filter((m): m is Of<T> => m.type === type),
    output: (stream) => messages.filter((m): m is Of<'log'> => m.type === 'log' && m.stream === stream).map((m) => m.message).join(''),
  };
}

describe('model-lens run: a plain fit script (functional model, validationSplit, its own onEpochEnd)', () => {
  const file = fixture('scripts/fit-functional.ts');
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('fit-functional.ts', ['--gradient-every', '1'], ['alpha', '--beta']); });

  it('prints only JSON messages on stdout and exits 0 with a completed done last', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.messages.length > 0);
    const last = run.messages[run.messages.length - 1];
    assert.equal(last.type, 'done');
    assert.equal((last as Of<'done'>).reason, 'completed');
  });

  it("sends a model message with the script's layers, their shapes and each layer's line", () => {
    const [model] = run.of('model');
    assert.ok(model, 'a model message');
    assert.equal(model.plan, undefined);
    assert.equal(model.dataset, undefined);
    const node = (name: string) => model.graph.nodes.find((n) => n.name === name);
    assert.deepEqual(node('hidden')?.outputShape, [null, 8]);
    assert.deepEqual(node('out')?.outputShape, [null, 2]);
    assert.equal(model.callSites.hidden.line, lineOf(file, "name: 'hidden'"));
    assert.equal(model.callSites.out.line, lineOf(file, "name: 'out'"));
    assert.equal(model.callSites.hidden.file, file);
    assert.equal(model.summary.totals.totalParams, 4 * 8 + 8 + 8 * 2 + 2);
  });

  it('sends batch messages with loss and accuracy: 3 epochs of the 160 training samples in batches of 32', () => {
    const starts = run.of('epochStart');
    assert.deepEqual(starts.map((s) => [s.epoch, s.epochs, s.stepsPerEpoch]), [[1, 3, 5], [2, 3, 5], [3, 3, 5]]);
    const batches = run.of('batch');
    assert.equal(batches.length, 15);
    assert.deepEqual(batches.map((b) => b.step), Array.from({ length: 15 }, (_, i) => i + 1));
    for (const b of batches) {
      const { loss, accuracy } = b.metrics;
      assert.ok(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
      assert.ok(accuracy >= 0 && accuracy <= 1, `accuracy ${accuracy}`);
      assert.equal(b.lr, 0.1);
    }
  });

  it("sends epoch messages with the validation loss and accuracy, the training loss as the script's own logs have it", () => {
    const ends = run.of('epochEnd');
    assert.equal(ends.length, 3);
    const printed = [...run.output('stdout').matchAll(/epoch (\d) loss ([\d.]+)/g)].map((m) => m[2]);
    assert.deepEqual(ends.map((e) => e.metrics.loss.toFixed(4)), printed);
    for (const e of ends) {
      assert.ok(e.val !== undefined && e.val.loss > 0, 'validation loss');
      assert.ok(e.val.accuracy >= 0 && e.val.accuracy <= 1, 'validation accuracy');
    }
  });

  it('sends gradient figures for every trainable layer on every sampled step', () => {
    const grads = run.of('gradients');
    assert.equal(grads.length, 15);
    for (const g of grads) {
      assert.deepEqual(g.layers.map((l) => l.layer), ['hidden', 'out']);
      for (const l of g.layers) {
        assert.equal(l.frozen, false);
        assert.ok(l.l2 !== null && l.l2 > 0, `${l.layer} l2 at step ${g.step}`);
        assert.ok(l.updateRatio !== null && l.updateRatio > 0, `${l.layer} update ratio`);
      }
    }
  });

  it("passes the script's output as log messages naming the stream, with its argv and cwd as under node", () => {
    const stdout = run.output('stdout');
    assert.match(stdout, /epoch 1 loss .*\n.*epoch 2 loss .*\n.*epoch 3 loss/s);
    assert.ok(stdout.includes(`args ["alpha","--beta"] cwd ${fs.realpathSync(run.cwd)}`), stdout);
    assert.match(run.output('stderr'), /finished on stderr/);
  });

  it('leaks no tensors: the count at each epoch end stays the same', () => {
    const counts = [...run.output('stdout').matchAll(/tensors (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(counts.length, 3);
    assert.equal(counts[2], counts[1]);
  });
});

describe('model-lens run: a CommonJS script that ends with process.exit(3)', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('fit-commonjs.js'); });

  it("exits with the script's own code", () => {
    assert.equal(run.status, 3, run.stderr);
    assert.equal(run.of('done').length, 1);
  });

  it('records its Sequential model and every batch of its fit, with the compiled metric', () => {
    const [model] = run.of('model');
    assert.equal(model.graph.nodes.filter((n) => n.kind === 'layer').length, 2);
    assert.equal(run.of('batch').length, 2 * 4);
    assert.match(run.output('stdout'), /trained/);
  });
});

describe('model-lens run: an ES module with top-level await model.fitDataset', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('fit-dataset.ts'); });

  it('runs to the end and exits 0', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.output('stdout'), /epochs in history 2/);
  });

  it('sends the model, batch messages with loss and accuracy, and both epochs', () => {
    assert.equal(run.of('model').length >= 1, true);
    const batches = run.of('batch');
    assert.equal(batches.length, 2 * 6);
    for (const b of batches) assert.ok(b.metrics.accuracy >= 0 && b.metrics.accuracy <= 1 && b.metrics.loss > 0);
    assert.deepEqual(run.of('epochEnd').map((e) => e.epoch), [1, 2]);
    assert.match(run.output('stdout'), /fitDataset epoch 1\n.*fitDataset epoch 2/s);
  });

  it('sends gradients on the first step', () => {
    const [first] = run.of('gradients');
    assert.equal(first.step, 1);
    assert.equal(first.layers.length, 2);
  });
});

describe('model-lens run: a custom loop with optimizer.minimize on a model never compiled', () => {
  const file = fixture('scripts/minimize-loop.mjs');
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('minimize-loop.mjs', ['--gradient-every', '1']); });

  it('sends the model it trains, with its layers at their lines', () => {
    assert.equal(run.status, 0, run.stderr);
    const [model] = run.of('model');
    assert.equal(model.callSites.first.line, lineOf(file, "name: 'first'"));
    assert.equal(model.callSites.second.line, lineOf(file, "name: 'second'"));
  });

  it('sends gradient figures of both layers on each of its 6 steps', () => {
    const grads = run.of('gradients');
    assert.deepEqual(grads.map((g) => g.step), [1, 2, 3, 4, 5, 6]);
    for (const g of grads) {
      assert.deepEqual(g.layers.map((l) => l.layer), ['first', 'second']);
      assert.ok(g.layers.every((l) => l.l2 !== null && l.l2 > 0));
    }
  });

  it("records the loop's modelLens.log scalars, one per step, with the values it logged", () => {
    const scalars = run.of('scalars');
    assert.deepEqual(scalars.map((s) => s.step), [1, 2, 3, 4, 5, 6]);
    assert.ok(scalars.every((s) => Number.isFinite(s.values.loss) && s.values.loss >= 0));
    assert.ok(scalars[5].values.loss < scalars[0].values.loss, 'the loop lowers its loss');
  });

  it('leaks no tensors across its steps', () => {
    const counts = [...run.output('stdout').matchAll(/tensors (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(counts.length, 6);
    assert.equal(new Set(counts.slice(1)).size, 1, counts.join(' '));
  });
});

describe('model-lens run: a script that throws', () => {
  it("reports the throw at the script's line, without a stack, and exits 1", () => {
    const file = fixture('scripts/throws.ts');
    const run = runScript('throws.ts');
    assert.equal(run.status, 1);
    const [error] = run.of('error');
    assert.match(error.message, /the data file is missing/);
    assert.equal(error.location?.file, file);
    assert.equal(error.location?.line, lineOf(file, 'throw new Error'));
    assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /);
  });

  it('says so when the script does not exist', () => {
    const run = runCli(['run', 'no/such/script.ts']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no such file/);
  });
});
