import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { example, fixture, lineOf } from '../helpers/fixtures';
import { runCli } from '../helpers/runCli';

describe('model-lens summary --json on the course MLP', () => {
  const run = runCli(['summary', example('mnist-mlp.ts'), '--batch', '128', '--json']);
  const summary = JSON.parse(run.stdout);

  it('exits 0 and reports batch 128', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.equal(summary.batchSize, 128);
  });

  it('counts 468,874 parameters, all trainable, and 60,015,872 mult-adds', () => {
    assert.equal(summary.totals.totalParams, 468874);
    assert.equal(summary.totals.trainableParams, 468874);
    assert.equal(summary.totals.nonTrainableParams, 0);
    assert.equal(summary.totals.multAdds, 60015872);
  });

  it('has rows for the dense layers with 401,920, 65,664 and 1,290 parameters', () => {
    const dense = summary.layers.filter((l: { type: string }) => l.type === 'Dense');
    assert.deepEqual(dense.map((l: { params: number }) => l.params), [401920, 65664, 1290]);
    assert.deepEqual(dense.map((l: { depthIndex: string }) => l.depthIndex), ['1-2', '1-3', '1-4']);
  });

  it('has every field the JSON format promises on every row', () => {
    const fields = ['name', 'type', 'depthIndex', 'depth', 'parent', 'inputShapes', 'outputShape', 'params',
      'trainableParams', 'paramPercent', 'kernelShape', 'multAdds', 'trainable'];
    for (const row of summary.layers) for (const f of fields) assert.ok(f in row, `${row.name}.${f}`);
    for (const f of ['totalParams', 'trainableParams', 'nonTrainableParams', 'multAdds', 'inputBytes',
      'forwardBackwardBytes', 'paramBytes', 'totalBytes']) assert.equal(typeof summary.totals[f], 'number', f);
  });
});

describe('model-lens summary as a table', () => {
  const run = runCli(['summary', example('mnist-mlp.ts'), '--batch', '128', '--columns', 'all']);
  const lines = run.stdout.split('\n');

  it('prints thousands separators and the torchinfo totals block', () => {
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Total params: 468,874\n/);
    assert.match(run.stdout, /Trainable params: 468,874\n/);
    assert.match(run.stdout, /Non-trainable params: 0\n/);
    assert.match(run.stdout, /Total mult-adds \(M\): 60\.02\n/);
    assert.match(run.stdout, /Params size \(MB\): 1\.88\n/);
    assert.match(run.stdout, /├─Dense \(fc1\): 1-2 .* 401,920 /);
  });

  it('lines up every column under its header', () => {
    const header = lines.find((l) => l.startsWith('Layer (type'))!;
    const rows = lines.filter((l) => /^(├─|│|Sequential)/.test(l));
    assert.equal(rows.length, 5);
    for (const title of ['Input Shape', 'Output Shape', 'Param #', 'Param %', 'Kernel Shape', 'Mult-Adds', 'Trainable']) {
      const col = header.indexOf(title);
      for (const row of rows) {
        assert.notEqual(row[col - 1], undefined, `${title} in ${row}`);
        // A column starts where its header starts: a space before it, text at it; torchinfo
        // right-aligns Param % in 7 characters.
        assert.equal(row[col - 1], ' ', `${title}: ${row}`);
        if (title === 'Param %') assert.match(row.slice(col, col + 8), /^ *(\d+\.\d\d%|--) $/, row);
        else assert.notEqual(row[col], ' ', `${title}: ${row}`);
      }
    }
  });

  it('takes the batch size from the experiment when --batch is not given', () => {
    const json = JSON.parse(runCli(['summary', example('mnist-mlp.ts'), '--json']).stdout);
    assert.equal(json.batchSize, 128);
    const cnn = JSON.parse(runCli(['summary', example('mnist-cnn.ts'), '--json']).stdout);
    assert.equal(cnn.batchSize, 64);
  });

  it('defaults to batch 1 for a file that names none', () => {
    const json = JSON.parse(runCli(['summary', fixture('residual.ts'), '--json']).stdout);
    assert.equal(json.batchSize, 8);
    const multi = JSON.parse(runCli(['summary', fixture('multi-io.ts'), '--json']).stdout);
    assert.equal(multi.batchSize, 1);
  });

  it('limits rows to --depth like torchinfo, keeping the totals', () => {
    const deep = JSON.parse(runCli(['summary', fixture('nested-frozen.ts'), '--json']).stdout);
    const shallow = JSON.parse(runCli(['summary', fixture('nested-frozen.ts'), '--json', '--depth', '1']).stdout);
    assert.ok(deep.layers.some((l: { depth: number }) => l.depth === 2));
    assert.ok(shallow.layers.every((l: { depth: number }) => l.depth <= 1));
    assert.deepEqual(shallow.totals, deep.totals);
  });
});

describe('model-lens graph', () => {
  it('prints the graph JSON with nodes and edges', () => {
    const run = runCli(['graph', example('mnist-cnn.ts'), '--json']);
    assert.equal(run.status, 0, run.stderr);
    const g = JSON.parse(run.stdout);
    assert.deepEqual(g.nodes.map((n: { kind: string }) => n.kind), ['input', ...Array(7).fill('layer'), 'output']);
    assert.equal(g.edges.length, 8);
    for (const n of g.nodes) {
      for (const f of ['id', 'kind', 'name', 'type', 'parent', 'inputShapes', 'outputShape', 'params', 'trainable', 'source']) {
        assert.ok(f in n, `${n.id}.${f}`);
      }
    }
  });
});

describe('an experiment in a folder without node_modules', () => {
  it('gets @tensorflow/tfjs and model-lens from Model Lens itself', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-bare-'));
    fs.copyFileSync(example('mnist-mlp.ts'), path.join(dir, 'mnist-mlp.ts'));
    const run = runCli(['summary', 'mnist-mlp.ts', '--json'], { cwd: dir });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).totals.totalParams, 468874);
  });
});

describe('a Keras-converted model.json', () => {
  it('gets the summary, with Keras’s snake_case config and a frozen layer', () => {
    const run = runCli(['summary', fixture('keras-mlp/model.json'), '--json']);
    assert.equal(run.status, 0, run.stderr);
    const s = JSON.parse(run.stdout);
    // dense: 784·64 + 64; dense_1 (trainable: false): 64·10 + 10.
    assert.equal(s.totals.totalParams, 784 * 64 + 64 + 64 * 10 + 10);
    assert.equal(s.totals.nonTrainableParams, 64 * 10 + 10);
    assert.deepEqual(s.layers.map((l: { name: string }) => l.name), ['keras_mlp', 'flatten', 'dense', 'dense_1']);
  });
});

describe('model-lens summary columns', () => {
  const header = (out: string) => out.split('\n').find((l) => l.startsWith('Layer (type'))!;

  it("prints torchinfo's default columns (Output Shape, Param #) by default, about 90 characters wide", () => {
    const run = runCli(['summary', example('mnist-mlp.ts')]);
    assert.equal(run.status, 0, run.stderr);
    const titles = header(run.stdout).split(/\s{2,}/).slice(1);
    assert.deepEqual(titles, ['Output Shape', 'Param #']);
    const widest = Math.max(...run.stdout.split('\n').map((l) => l.length));
    assert.ok(widest <= 100, `widest line ${widest}`);
    assert.match(run.stdout, /├─Dense \(fc1\): 1-2 .* 401,920/);
  });

  it('prints the columns --columns names, in torchinfo order, each --col-width wide', () => {
    const run = runCli(['summary', example('mnist-mlp.ts'), '--columns', 'mult_adds,input_size', '--col-width', '18']);
    assert.equal(run.status, 0, run.stderr);
    const line = header(run.stdout);
    assert.deepEqual(line.split(/\s{2,}/).slice(1), ['Input Shape', 'Mult-Adds']);
    assert.equal(line.indexOf('Mult-Adds') - line.indexOf('Input Shape'), 19);
  });

  it('prints each layer’s approximate forward time under fwd_time, saying how it was measured, and times nothing otherwise', () => {
    const run = runCli(['summary', example('mnist-mlp.ts'), '--columns', 'num_params,fwd_time']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(header(run.stdout).split(/\s{2,}/).slice(1), ['Param #', 'Fwd time (approx.)']);
    for (const layer of ['fc1', 'fc2', 'fc3']) {
      const line = run.stdout.split('\n').find((l) => l.includes(`(${layer})`))!;
      const ms = /([\d.]+) ms$/.exec(line);
      assert.ok(ms && Number(ms[1]) >= 0, line);
    }
    assert.match(run.stdout, /Fwd time: approximate, each layer applied alone on \d+ random samples?/);
    const plain = JSON.parse(runCli(['summary', example('mnist-mlp.ts'), '--json']).stdout);
    assert.equal(plain.timedSamples, undefined);
    assert.ok(plain.layers.every((r: { forwardMs?: number }) => r.forwardMs === undefined));
  });

  it('refuses an unknown column, naming it and the known ones', () => {
    const run = runCli(['summary', example('mnist-mlp.ts'), '--columns', 'output_size,flops']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /unknown column "flops"/);
    assert.match(run.stderr, /num_params/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});

describe('model-lens summary|graph SCRIPT: the script runs up to its first training call, and the model that call trains is shown', () => {
  it('summary --json of a TypeScript script with top-level await that trains two models: the first one, at its fit\'s batch size; nothing trained', () => {
    const run = runCli(['summary', '--json', '--backend', 'cpu', fixture('scripts/fit-two-models.ts')], { timeoutMs: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.model, 'small');
    assert.equal(summary.batchSize, 32);
    assert.deepEqual(summary.layers.slice(1).map((l: { name: string }) => l.name), ['small_hidden', 'small_out']);
    assert.equal(summary.totals.totalParams, 3 * 4 + 4 + 4 * 2 + 2);
    assert.match(run.stderr, /ran up to its first training call \(.*fit-two-models\.ts:\d+:\d+\) and was stopped there, before any update/);
    assert.doesNotMatch(run.stderr, /both trained|Epoch/, 'the script stopped inside its first fit');
  });

  it('graph of an ES module\'s custom loop (optimizer.minimize): its layers at their lines; summary at --batch as a table', () => {
    const file = fixture('scripts/minimize-loop.mjs');
    const graph = runCli(['graph', '--backend', 'cpu', file], { timeoutMs: 120_000 });
    assert.equal(graph.status, 0, graph.stderr);
    const { nodes } = JSON.parse(graph.stdout) as { nodes: { name: string; source: { line: number } | null }[] };
    assert.deepEqual(nodes.filter((n) => n.source).map((n) => [n.name, n.source?.line]), [['first', lineOf(file, "name: 'first'")], ['second', lineOf(file, "name: 'second'")]]);
    assert.doesNotMatch(graph.stderr, /tensors|loop done/, 'stopped before the loop\'s first update');
    const table = runCli(['summary', '--backend', 'cpu', '--batch', '5', '--columns', 'output_size,fwd_time', file], { timeoutMs: 120_000 });
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /Dense \(first\): 1-1 +\[5, 5\]/);
    assert.match(table.stdout, /Fwd time: not measured \(a script is stopped inside its first training call/);
  });

  it('a script that never trains: says so, shows nothing, exit 1', () => {
    const run = runCli(['summary', '--backend', 'cpu', fixture('scripts/doctor/no-training.mjs')], { timeoutMs: 120_000 });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /the script ended without a training call .*, so there is no trained model to show/);
    assert.match(run.stderr, /model-lens run SCRIPT/);
  });
});

describe('model-lens summary of a helper applying shared layers twice', () => {
  it('prints the second helper group and its layers "(recursive)", torchinfo\'s mark for params already counted', () => {
    const run = runCli(['summary', fixture('shared-helper.ts'), '--depth', '2', '--columns', 'num_params,params_percent']);
    assert.equal(run.status, 0, run.stderr);
    const cells = (label: string) => {
      const line = run.stdout.split('\n').find((l) => l.includes(label))!;
      return line.slice(line.indexOf(label) + label.length).trim().split(/\s{2,}/);
    };
    assert.deepEqual(cells('(encode_1): 1-1'), ['--', '--']);
    assert.deepEqual(cells('(enc_fc1): 2-1'), ['48', '63.16%']);
    for (const label of ['(encode_2): 1-2', '(enc_fc1): 2-3', '(enc_fc2): 2-4']) assert.deepEqual(cells(label), ['(recursive)', '(recursive)'], label);
    assert.match(run.stdout, /^Total params: 76$/m);
  });
});
