// The stages and the drawing's layout of a traced residual block, made by hand: x → a → b, a + b → out.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceMessage } from '../../src/protocol/messages';
import type { TraceLayer } from '../../src/protocol/traceMessages';
import { tensorView } from '../../src/trainer/tensorViews';
import { traceGraphLayout } from '../../webview/stepThrough/traceGraphLayout';
import { forkPaths, traceStages } from '../../webview/stepThrough/traceStages';

const v = (values: number[]) => tensorView(values, [values.length]);

function layer(name: string, type: string, sources: string[], consumers: string[], extra: Partial<TraceLayer> = {}): TraceLayer {
  return {
    layer: name, type, activation: null, frozen: false, input: v([1, 2]), preActivation: null, output: v([3, -1]), activeShare: null,
    dOutput: v([0.5, -0.25]), dPreActivation: null, dInput: v([0.5, -0.25]), weights: [], sources, consumers, ...extra,
  };
}

function residualTrace(): TraceMessage {
  return {
    type: 'trace', epoch: 1, step: 1, batch: 1, batchSize: 4, sample: 0, sampleIndex: 0, lr: 0.1, optimizer: 'sgd', rule: 'ΔW = −lr·g', note: null, inputs: ['x'],
    loss: { name: 'meanSquaredError', value: 1, targetClass: null, target: [0, 0], prediction: [1, 1], predictedClass: null, logits: null, outputGradient: [1, 1] },
    layers: [
      layer('a', 'Dense', ['x'], ['b', 'skip']),
      layer('b', 'Dense', ['a'], ['skip']),
      layer('skip', 'Add', ['a', 'b'], ['out'], { inputs: [v([1, 2]), v([2, -3])], output: v([3, -1]), dInputs: [v([0.5, -0.25]), v([0.5, -0.25])] }),
      layer('out', 'Dense', ['skip'], ['loss']),
    ],
  };
}

describe('the layout of a traced graph', () => {
  it('puts each layer one column after its deepest source, with the skip edge from a to the Add', () => {
    const layout = traceGraphLayout(residualTrace());
    assert.deepEqual(layout.nodes.map((n) => [n.name, n.column]), [['x', 0], ['a', 1], ['b', 2], ['skip', 3], ['out', 4], ['loss', 5]]);
    assert.ok(layout.edges.some((e) => e.from === 'a' && e.to === 'skip'));
    assert.ok(layout.edges.some((e) => e.from === 'out' && e.to === 'loss'));
    assert.equal(layout.edges.length, 6);
  });

  it('reads a chain\'s trace (no sources) as each layer fed by the one before', () => {
    const t = residualTrace();
    t.inputs = undefined;
    t.layers = t.layers.map(({ sources: _s, consumers: _c, ...rest }) => rest);
    const layout = traceGraphLayout(t);
    assert.deepEqual(layout.edges.map((e) => `${e.from}→${e.to}`), ['input→a', 'a→b', 'b→skip', 'skip→out', 'out→loss']);
    assert.equal(layout.rows, 1);
  });

  it('gives two inputs of the first column their own rows', () => {
    const t = residualTrace();
    t.inputs = ['x', 'y'];
    t.layers[1].sources = ['a', 'y'];
    const layout = traceGraphLayout(t);
    assert.deepEqual(layout.nodes.filter((n) => n.column === 0).map((n) => n.row), [0, 1]);
  });
});

describe('the stages of a traced graph', () => {
  it('go backward in reverse topological order', () => {
    const titles = traceStages(residualTrace()).filter((s) => s.kind === 'backward').map((s) => s.title.split(': ')[1].split(' ')[0]);
    assert.deepEqual(titles, ['out', 'skip', 'b', 'a']);
  });

  it('say at the fork that dL/d(output) is the sum of its paths, naming them', () => {
    const a = traceStages(residualTrace()).find((s) => s.kind === 'backward' && s.layer === 0)!;
    assert.equal(a.filled[0], 'dL/d(output) = sum of 2 paths: b and skip');
    assert.match(a.formula, /Σ over the layers that read it/);
    const b = traceStages(residualTrace()).find((s) => s.kind === 'backward' && s.layer === 1)!;
    assert.ok(!b.filled.some((l) => l.includes('sum of')));
  });

  it('find what each consumer of a fork sent back along its edge, and none for a layer with one consumer', () => {
    const t = residualTrace();
    t.layers[1].dInput = v([0.25, 0]);
    t.layers[2].dInputs = [v([0.25, -0.25]), v([0.5, 0.5])];
    const paths = forkPaths(t, t.layers[0]);
    assert.deepEqual(paths.map((p) => [p.from, p.view.values]), [['b', [0.25, 0]], ['skip', [0.25, -0.25]]]);
    assert.deepEqual(forkPaths(t, t.layers[1]), []);
  });

  it('give the Add\'s rule both ways and send each input\'s gradient to its source', () => {
    const stages = traceStages(residualTrace());
    const forward = stages.find((s) => s.kind === 'forward' && s.layer === 2)!;
    assert.equal(forward.formula, 'out = x₁ + x₂ + …');
    assert.ok(forward.filled.includes('inputs from a, b'), forward.filled.join('\n'));
    // |out| is largest at 0: out[0] = 1 + 2 = 3.
    assert.ok(forward.filled.includes('out[0] = 1 + 2 = 3'), forward.filled.join('\n'));
    const backward = stages.find((s) => s.kind === 'backward' && s.layer === 2)!;
    assert.match(backward.formula, /Add passes the gradient to each input unchanged/);
    assert.ok(backward.filled.some((l) => l.startsWith('dL/d(input 1) [2]') && l.endsWith('→ a')), backward.filled.join('\n'));
    assert.ok(backward.filled.some((l) => l.startsWith('dL/d(input 2) [2]') && l.endsWith('→ b')), backward.filled.join('\n'));
  });
});
