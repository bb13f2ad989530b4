// Backprop through models that are not a chain, against references computed here independently of
// the trace: tfjs's autodiff of the whole model's loss for dL/dW, and a zero probe added at the fork
// in a forward pass written out by hand for dL/d(output) there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { callGraph } from '../../src/trainer/callGraph';
import { traceGraph, type GraphPass } from '../../src/trainer/graphBackprop';

const sym = (t: tf.SymbolicTensor | tf.SymbolicTensor[] | tf.Tensor | tf.Tensor[]) => t as tf.SymbolicTensor;
const cce = (y: tf.Tensor) => (p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, tf.log(p)) as tf.Tensor;
/** −log p[y] of one sample, as the course writes it. */
const nll = (label: number) => (p: tf.Tensor) => tf.neg(tf.log(tf.gather(tf.reshape(p, [-1]), label)));

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Runs the trace and tfjs's own dL/dW of the sample's loss; every weight's trace gradient (summed over the layer's calls) against it. */
function checkWeightGrads(model: tf.LayersModel, xs: tf.Tensor[], lossOf: (p: tf.Tensor) => tf.Tensor, pass: GraphPass): void {
  const { grads } = tf.variableGrads(() => lossOf(model.apply(xs.length === 1 ? xs[0] : xs, { training: false }) as tf.Tensor) as tf.Scalar,
    model.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read()));
  const traced = new Map<string, tf.Tensor>();
  for (const c of pass.calls) for (const [name, g] of Object.entries(c.weightGrads)) {
    assert.ok(!traced.has(name), `${name} is given once`);
    traced.set(name, g);
  }
  assert.deepEqual([...traced.keys()].sort(), Object.keys(grads).sort());
  for (const [name, g] of Object.entries(grads)) assert.ok(maxDiff(traced.get(name)!, g) < 1e-4, `${name}: ${maxDiff(traced.get(name)!, g)}`);
}

function checkOutputGradient(pass: GraphPass, label: number, classes: number): void {
  const last = pass.calls.at(-1)!;
  const expected = tf.sub(tf.softmax(last.pre!), tf.oneHot([label], classes));
  assert.ok(maxDiff(last.dPre!, expected) < 1e-5, `p − y: ${maxDiff(last.dPre!, expected)}`);
}

const kernel = (layer: tf.layers.Layer) => layer.getWeights()[0];
const bias = (layer: tf.layers.Layer) => layer.getWeights()[1];

describe('backprop through a residual MLP (Add of a skip and a branch)', () => {
  const x = tf.randomNormal([1, 12], 0, 1, 'float32', 7);
  const label = 2;
  const input = tf.input({ shape: [12], name: 'x' });
  const l1 = tf.layers.dense({ units: 8, activation: 'relu', name: 'h1', kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }) });
  const l2 = tf.layers.dense({ units: 8, activation: 'relu', name: 'h2', kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) });
  const l3 = tf.layers.dense({ units: 4, activation: 'softmax', name: 'out', kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) });
  const h1 = sym(l1.apply(input));
  const sum = sym(tf.layers.add({ name: 'skip' }).apply([h1, sym(l2.apply(h1))]));
  const model = tf.model({ inputs: input, outputs: sym(l3.apply(sum)) });
  const graph = callGraph(model)!;

  it('orders the calls topologically and names the fork\'s two consumers', () => {
    assert.deepEqual(graph.calls.map((c) => c.name), ['h1', 'h2', 'skip', 'out']);
    assert.deepEqual(graph.calls[0].consumers.map((k) => (k === 'output' ? k : graph.calls[k].name)).sort(), ['h2', 'skip']);
  });

  it('gives every dL/dW equal to tf.grad of the sample\'s loss (1e-4), and the output gradient p − y (1e-5)', () => tf.tidy(() => {
    const pass = traceGraph(graph, [x], nll(label));
    checkWeightGrads(model, [x], nll(label), pass);
    checkOutputGradient(pass, label, 4);
  }));

  it('sums the fork\'s paths: dL/d(h1) equals tf.grad at a probe added to h1 (1e-4)', () => tf.tidy(() => {
    const pass = traceGraph(graph, [x], nll(label));
    const byHand = (probe: tf.Tensor) => {
      const a1 = tf.add(tf.relu(tf.add(tf.matMul(x, kernel(l1) as tf.Tensor2D), bias(l1))), probe);
      const a2 = tf.relu(tf.add(tf.matMul(a1 as tf.Tensor2D, kernel(l2) as tf.Tensor2D), bias(l2)));
      const p = tf.softmax(tf.add(tf.matMul(tf.add(a1, a2) as tf.Tensor2D, kernel(l3) as tf.Tensor2D), bias(l3)));
      return nll(label)(p);
    };
    const reference = tf.grad(byHand)(tf.zeros([1, 8]));
    assert.ok(maxDiff(pass.calls[0].dOutput, reference) < 1e-4);
    // And it is the sum of what h2 and the Add sent back, not either path alone.
    const fromAdd = pass.calls[2].dInputs[0];
    const fromBranch = pass.calls[1].dInputs[0];
    assert.ok(maxDiff(tf.add(fromAdd, fromBranch), reference) < 1e-4);
    assert.ok(maxDiff(fromAdd, reference) > 1e-6 && maxDiff(fromBranch, reference) > 1e-6);
  }));
});

describe('backprop through a residual CNN whose block is a nested model', () => {
  const x = tf.randomNormal([1, 8, 8, 1], 0, 1, 'float32', 11);
  const label = 1;
  const init = (seed: number) => ({ kernelInitializer: tf.initializers.glorotNormal({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 50, stddev: 0.1 }) });
  const stem = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem', ...init(1) });
  const c1 = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'block_conv1', ...init(2) });
  const c2 = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'block_conv2', ...init(3) });
  const head = tf.layers.dense({ units: 3, activation: 'softmax', name: 'head', ...init(4) });
  const blockIn = tf.input({ shape: [8, 8, 3] });
  const block = tf.model({ inputs: blockIn, outputs: sym(c2.apply(sym(c1.apply(blockIn)))), name: 'block' });
  const input = tf.input({ shape: [8, 8, 1] });
  const s = sym(stem.apply(input));
  const joined = sym(tf.layers.add({ name: 'residual' }).apply([s, sym(block.apply(s))]));
  const relu = sym(tf.layers.reLU({ name: 'after_add' }).apply(joined));
  const model = tf.model({ inputs: input, outputs: sym(head.apply(sym(tf.layers.flatten({ name: 'flat' }).apply(sym(tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(relu)))))) });
  const graph = callGraph(model)!;

  it('opens the nested block and gives the stem two consumers', () => {
    assert.deepEqual(graph.calls.map((c) => c.name), ['stem', 'block_conv1', 'block_conv2', 'residual', 'after_add', 'pool', 'flat', 'head']);
    assert.deepEqual(graph.calls[0].consumers.map((k) => (k === 'output' ? k : graph.calls[k].name)).sort(), ['block_conv1', 'residual']);
  });

  it('gives every kernel and bias gradient equal to tf.grad of the sample\'s loss (1e-4), the fork\'s sum equal to a probe\'s (1e-4)', () => tf.tidy(() => {
    const pass = traceGraph(graph, [x], nll(label));
    checkWeightGrads(model, [x], nll(label), pass);
    checkOutputGradient(pass, label, 3);
    const conv = (a: tf.Tensor, l: tf.layers.Layer) => tf.add(tf.conv2d(a as tf.Tensor4D, kernel(l) as tf.Tensor4D, 1, 'same'), bias(l));
    const byHand = (probe: tf.Tensor) => {
      const a = tf.add(tf.relu(conv(x, stem)), probe);
      const r = tf.relu(tf.add(a, conv(tf.relu(conv(a, c1)), c2)));
      const flat = tf.reshape(tf.maxPool(r as tf.Tensor4D, 2, 2, 'valid'), [1, -1]);
      return nll(label)(tf.softmax(tf.add(tf.matMul(flat as tf.Tensor2D, kernel(head) as tf.Tensor2D), bias(head))));
    };
    const reference = tf.grad(byHand)(tf.zeros([1, 8, 8, 3]));
    assert.ok(maxDiff(pass.calls[0].dOutput, reference) < 1e-4, `${maxDiff(pass.calls[0].dOutput, reference)}`);
  }));
});

describe('backprop through a two-input model (Concatenate)', () => {
  const a = tf.randomNormal([1, 5], 0, 1, 'float32', 3);
  const b = tf.randomNormal([1, 3], 0, 1, 'float32', 4);
  const y = tf.oneHot([0], 2).toFloat();
  const ia = tf.input({ shape: [5], name: 'numbers' });
  const ib = tf.input({ shape: [3], name: 'extra' });
  const da = tf.layers.dense({ units: 4, activation: 'tanh', name: 'enc_a', kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) });
  const cat = tf.layers.concatenate({ name: 'cat' });
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'cls', kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }) });
  const model = tf.model({ inputs: [ia, ib], outputs: sym(out.apply(sym(cat.apply([sym(da.apply(ia)), ib])))) });
  const graph = callGraph(model)!;

  it('reads each input from its own model input and splits the gradient at the Concatenate', () => tf.tidy(() => {
    assert.deepEqual(graph.inputNames, ['numbers', 'extra']);
    assert.deepEqual(graph.calls[1].sources, [{ kind: 'call', call: 0 }, { kind: 'input', index: 1 }]);
    const pass = traceGraph(graph, [a, b], cce(y));
    checkWeightGrads(model, [a, b], cce(y), pass);
    checkOutputGradient(pass, 0, 2);
    const join = pass.calls[1];
    assert.deepEqual(join.dInputs.map((d) => d.shape), [[1, 4], [1, 3]]);
    assert.ok(maxDiff(tf.concat(join.dInputs, 1), join.dOutput) < 1e-7);
  }));
});

describe('backprop through a layer called twice (shared weights)', () => {
  it('gives the layer\'s dL/dW once, the sum over its calls, equal to tf.grad (1e-4)', () => tf.tidy(() => {
    const x = tf.randomNormal([1, 6], 0, 1, 'float32', 9);
    const input = tf.input({ shape: [6] });
    const shared = tf.layers.dense({ units: 6, activation: 'relu', name: 'twice', kernelInitializer: tf.initializers.glorotNormal({ seed: 8 }) });
    const model = tf.model({ inputs: input, outputs: sym(tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(sym(shared.apply(sym(shared.apply(input)))))) });
    const graph = callGraph(model)!;
    assert.deepEqual(graph.calls.map((c) => c.name), ['twice (call 1)', 'twice (call 2)', 'out']);
    const pass = traceGraph(graph, [x], nll(0));
    checkWeightGrads(model, [x], nll(0), pass);
    assert.deepEqual(Object.keys(pass.calls[1].weightGrads), []);
  }));
});

describe('a traced graph leaves no tensors behind', () => {
  it('keeps tf.memory().numTensors flat across a tidy trace', () => {
    const input = tf.input({ shape: [4] });
    const h = sym(tf.layers.dense({ units: 4, activation: 'relu' }).apply(input));
    const model = tf.model({ inputs: input, outputs: sym(tf.layers.dense({ units: 2, activation: 'softmax' }).apply(sym(tf.layers.add().apply([h, input])))) });
    const graph = callGraph(model)!;
    const x = tf.ones([1, 4]);
    tf.tidy(() => { traceGraph(graph, [x], nll(1)); });
    const before = tf.memory().numTensors;
    tf.tidy(() => { traceGraph(graph, [x], nll(1)); });
    assert.equal(tf.memory().numTensors, before);
  });
});
