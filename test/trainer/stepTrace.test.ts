// The traced step against references computed here, independently of the trace's code: the
// course MLP's per-sample loss written out by hand (x·W + b, relu, softmax, −log p_y) and
// differentiated by tf.grads at the weights the run started from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import type { TensorView } from '../../src/protocol/traceMessages';
import { train, traceOf } from '../helpers/tracedRuns';
import { example } from '../helpers/fixtures';


/** Largest |a − b| over the values a view carries (all of them, or its corner), and over its figures. */
function maxViewError(view: TensorView, reference: Float32Array, shape: number[]): number {
  let err = 0;
  if (view.values) view.values.forEach((v, i) => { err = Math.max(err, Math.abs(v - reference[i])); });
  if (view.corner) {
    const { rows, cols, values } = view.corner;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) err = Math.max(err, Math.abs(values[r * cols + c] - reference[r * shape[1] + c]));
  }
  const l2 = Math.sqrt(reference.reduce((s, v) => s + v * v, 0));
  const mean = reference.reduce((s, v) => s + v, 0) / reference.length;
  const max = reference.reduce((m, v) => Math.max(m, v), -Infinity);
  const min = reference.reduce((m, v) => Math.min(m, v), Infinity);
  return Math.max(err, Math.abs(view.l2 - l2), Math.abs(view.mean - mean), Math.abs(view.max - max), Math.abs(view.min - min));
}

describe('a traced step of the course MLP', () => {
  it('gives per-sample dL/dW and dL/db of every dense layer equal to tf.grads of that sample\'s loss (1e-4)', async () => {
    const initial = new Map<string, tf.Tensor>();
    const messages = await train({ file: example('mnist-mlp.ts'), limit: 256, testLimit: 50, epochs: 1, backend: 'cpu', traceStep: 1, traceSample: 3 }, {
      onModel: (model) => { for (const w of model.weights) initial.set(w.name, tf.clone(w.read())); },
    });
    const trace = traceOf(messages);
    assert.ok(trace, 'a trace message');
    assert.ok(checkTrainerMessage(trace).ok);
    assert.equal(trace.step, 1);
    assert.equal(trace.sample, 3);
    assert.deepEqual(trace.layers.map((l) => l.type), ['Flatten', 'Dense', 'Dense', 'Dense']);
    const input = trace.layers[0].input;
    assert.deepEqual(input.shape, [28, 28, 1]);
    const x = tf.tensor2d(input.maps!.data[0], [1, 784]);
    const label = trace.loss.targetClass!;
    const w = (layer: string, name: string) => initial.get(`${layer}/${name}`)!;
    const params = ['fc1', 'fc2', 'fc3'].flatMap((l) => [w(l, 'kernel'), w(l, 'bias')]);
    const sampleLoss = (k1: tf.Tensor, b1: tf.Tensor, k2: tf.Tensor, b2: tf.Tensor, k3: tf.Tensor, b3: tf.Tensor) => {
      const h1 = tf.relu(tf.add(tf.matMul(x, k1 as tf.Tensor2D), b1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, k2 as tf.Tensor2D), b2));
      const p = tf.softmax(tf.add(tf.matMul(h2, k3 as tf.Tensor2D), b3));
      return tf.neg(tf.log(tf.gather(tf.reshape(p, [-1]), label))) as tf.Scalar;
    };
    const reference = tf.grads((...ps: tf.Tensor[]) => sampleLoss(ps[0], ps[1], ps[2], ps[3], ps[4], ps[5]))(params);
    const lossValue = sampleLoss(params[0], params[1], params[2], params[3], params[4], params[5]).dataSync()[0];
    assert.ok(Math.abs(trace.loss.value - lossValue) < 1e-4, `loss ${trace.loss.value} vs ${lossValue}`);
    let i = 0;
    for (const layer of trace.layers.slice(1)) {
      assert.deepEqual(layer.weights.map((v) => v.name), ['kernel', 'bias'], layer.layer);
      for (const weight of layer.weights) {
        const ref = reference[i++];
        const err = maxViewError(weight.sampleGrad, ref.dataSync() as Float32Array, ref.shape);
        assert.ok(err < 1e-4, `${layer.layer}.${weight.name}: max error ${err}`);
      }
    }
    tf.dispose([...reference, ...initial.values(), x]);
  });

  it('gives the output gradient softmax(z) − onehot(y) of the traced sample (1e-5)', async () => {
    const trace = traceOf(await train({ file: example('mnist-mlp.ts'), limit: 128, testLimit: 20, epochs: 1, backend: 'cpu', traceStep: 1 }));
    assert.ok(trace);
    const z = trace.loss.logits!;
    assert.equal(z.length, 10);
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const sum = e.reduce((a, b) => a + b, 0);
    const expected = e.map((v, k) => v / sum - (k === trace.loss.targetClass ? 1 : 0));
    trace.loss.outputGradient.forEach((g, k) => assert.ok(Math.abs(g - expected[k]) < 1e-5, `class ${k}: ${g} vs ${expected[k]}`));
    assert.deepEqual(trace.layers.at(-1)!.dPreActivation!.values, trace.loss.outputGradient);
  });

  it('shows the SGD update as ΔW = −lr·(batch-mean gradient), with after = before + ΔW', async () => {
    const trace = traceOf(await train({ file: example('mnist-mlp.ts'), limit: 128, testLimit: 20, epochs: 1, backend: 'cpu', traceStep: 1 }));
    assert.ok(trace);
    assert.equal(trace.rule, 'ΔW = −lr·g');
    for (const layer of trace.layers) {
      for (const weight of layer.weights.filter((v) => v.delta.values)) {
        weight.delta.values!.forEach((d, k) => {
          assert.ok(Math.abs(d + trace.lr * weight.batchGrad.values![k]) < 1e-6, `${layer.layer}.${weight.name}[${k}]`);
          assert.ok(Math.abs(weight.before.values![k] + d - weight.after.values![k]) < 1e-6);
        });
      }
    }
  });

  it('leaves tf.memory().numTensors as it was before the traced step', async () => {
    const counts = new Map<number, number>();
    const messages = await train({ file: example('mnist-mlp.ts'), limit: 64 * 4, testLimit: 20, epochs: 1, batchSize: 64, backend: 'cpu', traceStep: 3 }, {
      onStep: (step) => counts.set(step, tf.memory().numTensors),
    });
    assert.equal(traceOf(messages)?.step, 3);
    assert.equal(counts.get(3), counts.get(2));
    assert.equal(counts.get(4), counts.get(2));
  });
});

describe('a traced step of the course CNN', () => {
  it('carries conv feature maps, ReLU shares and a gradient for every weight, within the size caps', async () => {
    const messages = await train({ file: example('mnist-cnn.ts'), limit: 64, testLimit: 10, epochs: 1, backend: 'cpu', traceStep: 1 });
    const trace = traceOf(messages);
    assert.ok(trace);
    assert.ok(checkTrainerMessage(trace).ok);
    const conv = trace.layers.find((l) => l.layer === 'conv1')!;
    assert.deepEqual(conv.output.shape, [26, 26, 32]);
    assert.equal(conv.output.maps!.data.length, 8);
    assert.equal(conv.output.maps!.data[0].length, 26 * 26);
    assert.ok(conv.activeShare! > 0 && conv.activeShare! < 1);
    assert.deepEqual(trace.layers.map((l) => l.weights.length), [2, 0, 2, 0, 0, 2, 2]);
    assert.ok(trace.rule.includes('m̂'), trace.rule);
    assert.ok(JSON.stringify(trace).length < 400_000);
  });
});
