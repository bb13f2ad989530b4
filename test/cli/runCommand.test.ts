import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerMessage } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { runStateFrom } from '../../src/protocol/runState';
import { fixture, lineOf } from '../helpers/fixtures';
import { runCli, type CliRun } from '../helpers/runCli';

type Of<T extends TrainerMessage['type']> = Extract<TrainerMessage, { type: T }>;

interface ScriptRun extends CliRun {
  messages: TrainerMessage[];
  of<T extends TrainerMessage['type']>(type: T): Of<T>[];
  /** What the script wrote to one stream, from its log messages. */
  output(stream: 'stdout' | 'stderr'): string;
}

/** `model-lens run --json` on a script of test/fixtures/scripts, from a folder of its own, its run kept in `runs` there. */
function runScript(name: string, extra: string[] = [], scriptArgs: string[] = []): ScriptRun & { cwd: string; runs: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-'));
  const runs = path.join(cwd, 'runs');
  const run = runCli(['run', '--json', '--backend', 'cpu', '--dir', runs, ...extra, fixture(`scripts/${name}`), ...(scriptArgs.length ? ['--', ...scriptArgs] : [])],
    { cwd, timeoutMs: 120_000 });
  const lines = run.stdout.split('\n').filter((l) => l.length > 0);
  const messages = lines.map((l) => JSON.parse(l) as TrainerMessage);
  return {
    ...run, cwd, runs, messages,
    of: <T extends TrainerMessage['type']>(type: T) => messages.filter((m): m is Of<T> => m.type === type),
    output: (stream) => messages.filter((m): m is Of<'log'> => m.type === 'log' && m.stream === stream).map((m) => m.message).join(''),
  };
}

/** The script printed `tensors N` after each of its `steps` steps, and N stayed the same after the first. */
function assertTensorsFlat(run: ReturnType<typeof runScript>, steps: number): void {
  const counts = [...run.output('stdout').matchAll(/tensors (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(counts.length, steps);
  assert.equal(new Set(counts.slice(1)).size, 1, counts.join(' '));
}

/** Each batch message's loss is the value the script logged with modelLens.log at that step. */
function assertLossesAsLogged(run: ReturnType<typeof runScript>): void {
  const logged = run.of('scalars').map((s) => s.values.loss);
  const batches = run.of('batch');
  assert.equal(batches.length, logged.length);
  batches.forEach((b, i) => assert.ok(Math.abs(b.metrics.loss - logged[i]) <= 1e-6 * Math.max(1, Math.abs(logged[i])), `step ${i + 1}: ${b.metrics.loss} vs ${logged[i]}`));
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

describe('model-lens run: a CommonJS script that requires @tensorflow/tfjs-node', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('require-tfjs-node.js'); });

  it('trains, and says once that Model Lens\'s tfjs stands in when tfjs-node is not installed next to it', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.output('stdout'), /trained on tfjs-node/);
    let installed = true;
    try { createRequire(fixture('scripts/require-tfjs-node.js')).resolve('@tensorflow/tfjs-node'); } catch { installed = false; }
    const warnings = run.of('log').filter((m) => m.level === 'warn' && /tfjs-node is not installed for this script/.test(m.message));
    assert.equal(warnings.length, installed ? 0 : 1);
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

  it('says nothing about tfjs-node, which it never imports', () => {
    assert.deepEqual(run.of('log').filter((m) => /tfjs-node/.test(m.message)), []);
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
    assertTensorsFlat(run, 6);
  });

  it('sends a batch per step with the loss minimize returned, the batch size of its input and a rate', () => {
    const batches = run.of('batch');
    assert.deepEqual(batches.map((b) => b.step), [1, 2, 3, 4, 5, 6]);
    assertLossesAsLogged(run);
    assert.ok(batches.every((b) => b.samplesPerSec > 0 && b.modelId === batches[0].modelId));
    assert.deepEqual(run.of('model').map((m) => m.summary.batchSize), [32], 'announced once, at the batch size of its input');
  });
});

describe('model-lens run: a custom loop over a functional model, minimize without returnCost', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('minimize-functional.ts'); });

  it('sends a batch per step, its loss falling, and leaks no tensors', () => {
    assert.equal(run.status, 0, run.stderr);
    const batches = run.of('batch');
    assert.deepEqual(batches.map((b) => b.step), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.ok(batches.every((b) => Number.isFinite(b.metrics.loss) && b.samplesPerSec > 0));
    assert.ok(batches[7].metrics.loss < batches[0].metrics.loss, batches.map((b) => b.metrics.loss).join(' '));
    assertTensorsFlat(run, 8);
  });
});

describe('model-lens run: a custom loop of tf.variableGrads and applyGradients, inside a tidy', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('variable-grads-loop.mjs'); });

  it('sends a batch per step with the loss variableGrads returned, and leaks no tensors', () => {
    assert.equal(run.status, 0, run.stderr);
    const batches = run.of('batch');
    assert.deepEqual(batches.map((b) => b.step), [1, 2, 3, 4, 5, 6, 7]);
    assertLossesAsLogged(run);
    assert.ok(batches.every((b) => b.samplesPerSec > 0));
    assert.deepEqual(run.of('model').map((m) => m.summary.batchSize), [24]);
    assertTensorsFlat(run, 7);
  });
});

describe('model-lens run: a custom loop on tf.variables of its own (no model), with minimize', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('raw-variables-loop.mjs', ['--gradient-every', '1']); });

  it('sends a batch per step with the loss minimize returned, for the run (no model id), and leaks no tensors', () => {
    assert.equal(run.status, 0, run.stderr);
    const batches = run.of('batch');
    assert.deepEqual(batches.map((b) => b.step), [1, 2, 3, 4, 5]);
    assertLossesAsLogged(run);
    assert.ok(batches.every((b) => b.modelId === undefined && b.lr === 0.02));
    assert.ok(batches[4].metrics.loss < batches[0].metrics.loss);
    assert.deepEqual(run.of('model'), []);
    assert.deepEqual(run.of('gradients'), [], 'gradient figures are per layer: variables no model holds have none');
    for (const m of run.messages) assert.ok(checkTrainerMessage(m).ok, JSON.stringify(m));
    assertTensorsFlat(run, 5);
  });

  it('whose kept run shows its last loss', () => {
    const listed = runCli(['runs', 'list', '--json', '--dir', run.runs]);
    assert.equal(listed.status, 0, listed.stderr);
    const [entry] = JSON.parse(listed.stdout) as { status: string; steps: number; batch: Record<string, number> }[];
    assert.equal(entry.status, 'completed');
    assert.equal(entry.steps, 5);
    assert.equal(entry.batch.loss, run.of('batch')[4].metrics.loss);
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

  it('writes no --report of a script that does not exist, and says so', () => {
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-report-')), 'r.html');
    const run = runCli(['run', 'no/such/script.mjs', '--report', report]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no such file/);
    assert.equal(fs.existsSync(report), false);
    assert.doesNotMatch(run.stderr, /Report written/);
    assert.match(run.stderr, /No report written: the script did not start/);
  });
});

describe('model-lens run: a script with a syntax error', () => {
  /** Where the unclosed bracket's script breaks: the `}` that comes instead of its `]`. */
  const brokenAt = (file: string, needle: string) => {
    const line = lineOf(file, needle);
    return `${file}:${line}:${fs.readFileSync(file, 'utf8').split('\n')[line - 1].lastIndexOf('}') + 1}`;
  };

  for (const [name, said] of [['broken.mjs', "Unexpected token '}'"], ['broken.cjs', "Unexpected token '}'"], ['broken.ts', 'Expected "]" but found "}"']] as const) {
    it(`${name}: file:line:col, that the script has a syntax error and what the parser said, and to fix the script`, () => {
      const file = fixture(`scripts/syntax/${name}`);
      const run = runCli(['run', '--backend', 'cpu', '--dir', fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-')), file], { timeoutMs: 120_000 });
      assert.equal(run.status, 1);
      assert.ok(run.stderr.includes(`model-lens: error: ${brokenAt(file, 'units: 3 }) })')}: the script has a syntax error: ${said}\n  Fix the script and run it again.\n`), run.stderr);
      assert.doesNotMatch(run.stderr, /the script threw|Transform failed|experiment/);
    });
  }

  it('in a module the script imports: the place in that module', () => {
    const helper = fixture('scripts/syntax/lib/broken-helper.mjs');
    const run = runScript('syntax/imports-broken.mjs');
    assert.equal(run.status, 1);
    const [error] = run.of('error');
    assert.equal(error.message, "the script has a syntax error: Unexpected token ';'");
    assert.deepEqual(error.location, { file: helper, line: lineOf(helper, 'return [1, 2;'), column: 15 });
    assert.equal(run.output('stdout'), '', 'nothing of the script ran');
  });
});

describe('model-lens run refuses options a script does not take', () => {
  it('--epochs: says run does not take it, and that the script\'s own arguments go after --; nothing runs', () => {
    const run = runCli(['run', fixture('scripts/fit-functional.ts'), '--epochs', '2']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^model-lens: error: run does not take --epochs: a script trains as its own code says/);
    assert.match(run.stderr, /model-lens run SCRIPT -- --epochs/);
    assert.doesNotMatch(run.stderr, /model-lens: backend/, 'the script was not started');
  });
});

describe('model-lens run: a script whose top-level await never settles', () => {
  it("is an error naming the script, with node's exit code 13, and its run is kept as an error, not completed", () => {
    const file = fixture('scripts/unsettled-await.mjs');
    const run = runScript('unsettled-await.mjs');
    assert.equal(run.status, 13, run.stderr);
    const [error] = run.of('error');
    assert.ok(error, 'an error message');
    assert.ok(error.message.startsWith(`${file}: `), error.message);
    assert.match(error.message, /top-level await never settled/);
    assert.equal(run.of('done')[0]?.reason, 'error');
    assert.equal(run.of('batch').length, 1, 'the fit before it ran');
    assert.doesNotMatch(run.output('stdout'), /never printed/);
    const listed = runCli(['runs', 'list', '--json', '--dir', run.runs]);
    assert.equal((JSON.parse(listed.stdout) as { status: string }[])[0].status, 'error');
  });
});

describe("model-lens run on tfjs's single-threaded wasm build: a script's uncaught error is reported as on any backend", () => {
  // The build's Emscripten glue adds process handlers that rethrow: node died with code 7, printing minified trainer.js.
  const assertReported = (run: ReturnType<typeof runScript>, message: RegExp) => {
    assert.equal(run.status, 1, run.stderr);
    const [error] = run.of('error');
    assert.ok(error, `an error message; stderr:\n${run.stderr.slice(0, 2000)}`);
    assert.match(error.message, message);
    assert.equal(run.of('done')[0]?.reason, 'error');
    assert.doesNotMatch(run.output('stderr') + run.stderr, /trainer\.js:\d+|\n\s+at /);
  };

  it('a rejection nobody catches (an async main() without catch, fit given labels of the wrong width)', () => {
    const file = fixture('scripts/unhandled-rejection.js');
    const run = runScript('unhandled-rejection.js', ['--backend', 'wasm', '--threads', '1']);
    assertReported(run, /^the script threw: target expected a batch of elements where each example has shape \[3\]/);
    // Thrown a dozen tfjs frames below the script's call.
    assert.equal(run.of('error')[0].location?.line, lineOf(file, 'await model.fit'));
  });

  it("a throw in a timer's callback, at the script's line", () => {
    const file = fixture('scripts/timer-throws.mjs');
    const run = runScript('timer-throws.mjs', ['--backend', 'wasm', '--threads', '1']);
    assertReported(run, /^the script threw: upload failed$/);
    assert.deepEqual(run.of('error')[0].location, { file, line: lineOf(file, "throw new Error('upload failed')"), column: 26 });
  });

  it("a rejection after the script started the wasm backend itself (tf.setBackend('wasm') on a cpu run)", () => {
    const file = fixture('scripts/own-wasm-rejects.mjs');
    const run = runScript('own-wasm-rejects.mjs', ['--threads', '1']);
    assert.match(run.output('stdout'), /backend wasm/);
    assertReported(run, /^the script threw: the upload was refused$/);
    assert.equal(run.of('error')[0].location?.line, lineOf(file, 'Promise.reject'));
  });
});

describe('model-lens run: a script that trains two models (a Sequential, a functional model, the first again)', () => {
  const file = fixture('scripts/fit-two-models.ts');
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('fit-two-models.ts', ['--gradient-every', '1']); });

  /** The model id the script's model of this name was given. */
  const idOf = (name: string) => {
    const model = run.of('model').find((m) => m.name === name);
    assert.ok(model, `a model message for ${name}`);
    assert.ok(model.modelId !== undefined, `${name} has a model id`);
    return model.modelId;
  };

  it('exits 0 and announces both models, each under an id of its own with its own layers and lines', () => {
    assert.equal(run.status, 0, run.stderr);
    const small = idOf('small');
    const wide = idOf('wide');
    assert.notEqual(small, wide);
    const layers = (id: number) => run.of('model').filter((m) => m.modelId === id)
      .flatMap((m) => m.graph.nodes.filter((n) => n.kind === 'layer').map((n) => n.name));
    assert.deepEqual([...new Set(layers(small))], ['small_hidden', 'small_out']);
    assert.deepEqual([...new Set(layers(wide))], ['wide_first', 'wide_second', 'wide_out']);
    const wideModel = run.of('model').find((m) => m.modelId === wide)!;
    assert.equal(wideModel.callSites.wide_second.line, lineOf(file, "name: 'wide_second'"));
  });

  it('tags every batch, epoch and gradient message with the model that trains then', () => {
    const small = idOf('small');
    const wide = idOf('wide');
    // small: 2 epochs of ceil(96/32) = 3 batches; wide: 3 epochs of 2; small again: 1 epoch of 3.
    const batchOwners = run.of('batch').map((b) => b.modelId);
    assert.deepEqual(batchOwners, [...Array(6).fill(small), ...Array(6).fill(wide), ...Array(3).fill(small)]);
    assert.deepEqual(run.of('epochEnd').map((e) => e.modelId), [small, small, wide, wide, wide, small]);
    assert.deepEqual(run.of('epochStart').map((e) => e.modelId), [small, small, wide, wide, wide, small]);
    for (const g of run.of('gradients')) {
      const owner = g.modelId === small ? ['small_hidden', 'small_out'] : ['wide_first', 'wide_second', 'wide_out'];
      assert.deepEqual(g.layers.map((l) => l.layer), owner, `gradients of step ${g.step}`);
    }
    assert.equal(run.of('gradients').length, 15);
  });

  it("samples each model's gradients by its own steps, from its first", () => {
    const every4 = runScript('fit-two-models.ts', ['--gradient-every', '4']);
    assert.equal(every4.status, 0, every4.stderr);
    const small = every4.of('model').find((m) => m.name === 'small')!.modelId;
    const wide = every4.of('model').find((m) => m.name === 'wide')!.modelId;
    // small: run steps 1–6, then 13–15 (its own 7–9); wide: run steps 7–12 (its own 1–6).
    assert.deepEqual(every4.of('gradients').map((g) => [g.modelId, g.step]), [[small, 1], [small, 4], [wide, 7], [wide, 10], [small, 14]]);
  });
});

describe('model-lens run keeps the run as train does', () => {
  let run: ReturnType<typeof runScript>;
  before(() => { run = runScript('fit-two-models.ts'); });

  it('in a run folder with a copy of the script, its messages, the summaries of its models and the final figures', () => {
    assert.equal(run.status, 0, run.stderr);
    const [id] = fs.readdirSync(run.runs).filter((n) => !n.startsWith('.'));
    assert.match(id, /^\d{8}-\d{6}-fit-two-models$/);
    const dir = path.join(run.runs, id);
    assert.equal(fs.readFileSync(path.join(dir, 'fit-two-models.ts'), 'utf8'), fs.readFileSync(fixture('scripts/fit-two-models.ts'), 'utf8'));
    const kept = fs.readFileSync(path.join(dir, 'messages.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TrainerMessage);
    assert.deepEqual(kept.filter((m) => m.type === 'batch'), run.of('batch'));
    const summary = fs.readFileSync(path.join(dir, 'summary.txt'), 'utf8');
    for (const layer of ['small_hidden', 'wide_first', 'wide_out']) assert.match(summary, new RegExp(layer));
    const figures = JSON.parse(fs.readFileSync(path.join(dir, 'figures.json'), 'utf8')) as { epochs: unknown[]; done: { reason: string } };
    assert.equal(figures.epochs.length, run.of('epochEnd').length);
    assert.equal(figures.done.reason, 'completed');
  });

  it('that runs list shows, completed with its steps', () => {
    const listed = runCli(['runs', 'list', '--json', '--dir', run.runs]);
    assert.equal(listed.status, 0, listed.stderr);
    const [entry] = JSON.parse(listed.stdout) as { status: string; steps: number; file: string }[];
    assert.equal(entry.status, 'completed');
    assert.equal(entry.steps, run.of('batch').length);
    assert.equal(entry.file, fixture('scripts/fit-two-models.ts'));
  });

  it('that runs show lists epoch by epoch, each against its own fit\'s epochs, naming the model', () => {
    const shown = runCli(['runs', 'show', '--dir', run.runs, fs.readdirSync(run.runs).filter((n) => !n.startsWith('.'))[0]]);
    assert.equal(shown.status, 0, shown.stderr);
    const epochs = shown.stdout.split('\n').filter((l) => l.includes('Epoch [')).map((l) => l.slice(0, l.indexOf(']') + 1));
    // small: 2 epochs, wide: 3, small again: 1 (as the messages above say).
    assert.deepEqual(epochs, [
      'Model #1 (small): Epoch [1/2]', 'Model #1 (small): Epoch [2/2]',
      'Model #2 (wide): Epoch [1/3]', 'Model #2 (wide): Epoch [2/3]', 'Model #2 (wide): Epoch [3/3]',
      'Model #1 (small): Epoch [1/1]',
    ]);
  });

  it('whose table names no LR schedule (the script sets its own rate, not a constant one)', () => {
    const table = runCli(['runs', 'list', '--dir', run.runs]);
    assert.equal(table.status, 0, table.stderr);
    const [head, row] = table.stdout.trim().split('\n');
    const at = head.indexOf('SCHEDULE');
    assert.ok(at >= 0, head);
    assert.equal(row.slice(at).split(/\s+/)[0], '—');
  });
});

describe('model-lens run --report', () => {
  let run: ReturnType<typeof runScript>;
  let report: string;
  before(() => {
    report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-run-report-')), 'run.html');
    run = runScript('fit-functional.ts', ['--report', report]);
  });

  /** The run the report embeds, each message checked as the panel checks it. */
  function embedded(): TrainerMessage[] {
    const html = fs.readFileSync(report, 'utf8');
    const match = /<script type="application\/json" id="model-lens-run">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(match, 'the report embeds the run');
    const raw = (JSON.parse(match[1]) as { messages: unknown[] }).messages;
    return raw.map((m) => {
      const checked = checkTrainerMessage(m);
      assert.ok(checked.ok, checked.ok ? '' : checked.error);
      return checked.value;
    });
  }

  it("embeds the script's model: its graph with the script's layers and shapes", () => {
    assert.equal(run.status, 0, run.stderr);
    const state = runStateFrom(embedded());
    const node = (name: string) => state.model?.graph.nodes.find((n) => n.name === name);
    assert.deepEqual(node('hidden')?.outputShape, [null, 8]);
    assert.deepEqual(node('out')?.outputShape, [null, 2]);
  });

  it('embeds the curves: every batch loss and accuracy the run sent, and each epoch with its validation figures', () => {
    const state = runStateFrom(embedded());
    assert.deepEqual(state.batches.metrics.loss, run.of('batch').map((b) => b.metrics.loss));
    assert.deepEqual(state.batches.metrics.accuracy, run.of('batch').map((b) => b.metrics.accuracy));
    assert.equal(state.epochs.length, 3);
    for (const e of state.epochs) assert.ok(e.val && Number.isFinite(e.val.loss) && Number.isFinite(e.val.accuracy));
    assert.equal(state.status, 'completed');
  });
});
