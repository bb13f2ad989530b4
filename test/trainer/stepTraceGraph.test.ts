// A traced step of a residual CNN (a fork into a nested block and the skip, merged by Add), run as
// the trainer runs it: its trace message against tfjs's own autodiff of the sample's loss at the
// weights the run started from.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import type { TensorView } from '../../src/protocol/traceMessages';
import { train, traceOf } from '../helpers/tracedRuns';
import { fixture } from '../helpers/fixtures';


/** Largest |a − b| over the values a view carries (every value, its corner or its maps' first channels at stride 1). */
function maxViewError(view: TensorView, reference: Float32Array, shape: number[]): number {
  let err = Math.abs(view.l2 - Math.sqrt(reference.reduce((s, v) => s + v * v, 0)));
  if (view.values) view.values.forEach((v, i) => { err = Math.max(err, Math.abs(v - reference[i])); });
  if (view.corner) {
    const { rows, cols, values } = view.corner;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) err = Math.max(err, Math.abs(values[r * cols + c] - reference[r * shape[1] + c]));
  }
  return err;
}

const residual = fixture('residual-cnn.ts');

describe('a traced step of a residual CNN', () => {
  it('walks its calls in topological order, says the stem\'s gradient is the sum of two paths, and gives every dL/dW equal to tf.grad (1e-4)', async () => {
    let model: tf.LayersModel | null = null;
    const initial: tf.Tensor[] = [];
    const messages = await train({ file: residual, limit: 64, testLimit: 16, epochs: 1, backend: 'cpu', traceStep: 1, traceSample: 2 }, {
      onModel: (m) => { model = m; for (const w of m.getWeights()) initial.push(tf.clone(w)); },
    });
    const trace = traceOf(messages);
    assert.ok(trace, 'a trace message');
    const checked = checkTrainerMessage(trace);
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.deepEqual(trace.inputs, ['image']);
    assert.deepEqual(trace.layers.map((l) => l.layer), ['stem', 'block_conv1', 'block_conv2', 'residual', 'after_add', 'pool', 'flat', 'head']);
    const stem = trace.layers[0];
    assert.deepEqual(stem.sources, ['image']);
    assert.deepEqual([...stem.consumers!].sort(), ['block_conv1', 'residual']);
    const add = trace.layers[3];
    assert.deepEqual(add.sources, ['stem', 'block_conv2']);
    assert.equal(add.inputs?.length, 2);
    assert.equal(add.dInputs?.length, 2);
    assert.deepEqual(trace.layers.at(-1)!.consumers, ['loss']);

    // The reference: tfjs's autodiff of the sample's own loss, the model back at the weights the step began with.
    const m = model as unknown as tf.LayersModel;
    m.setWeights(initial);
    const input = trace.layers[0].input;
    const x = tf.tensor4d(input.maps!.data[0], [1, 28, 28, 1]);
    const label = trace.loss.targetClass!;
    const variables = m.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const { value, grads } = tf.variableGrads(() => {
      const p = m.apply(x, { training: false }) as tf.Tensor;
      return tf.neg(tf.log(tf.gather(tf.reshape(p, [-1]), label))) as tf.Scalar;
    }, variables);
    assert.ok(Math.abs(trace.loss.value - value.dataSync()[0]) < 1e-4);
    let compared = 0;
    for (const layer of trace.layers) {
      for (const w of layer.weights) {
        const ref = grads[variables.find((v) => v.name.endsWith(`${layer.layer}/${w.name}`))!.name];
        const err = maxViewError(w.sampleGrad, ref.dataSync() as Float32Array, ref.shape);
        assert.ok(err < 1e-4, `${layer.layer}.${w.name}: ${err}`);
        compared++;
      }
    }
    assert.equal(compared, 8);
    // The output gradient of softmax + cross-entropy: p − onehot(y).
    const z = trace.loss.logits!;
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const total = e.reduce((s, v) => s + v, 0);
    trace.loss.outputGradient.forEach((g, k) => assert.ok(Math.abs(g - (e[k] / total - (k === label ? 1 : 0))) < 1e-5, `class ${k}`));
    // The fork's dL/d(output) is what its two consumers sent back, added (each path alone differs from it).
    const fromSkip = add.dInputs![0].maps!.data;
    const fromBlock = trace.layers[1].dInput.maps!.data;
    let err = 0;
    let apart = 0;
    stem.dOutput.maps!.data.forEach((map, c) => map.forEach((g, i) => {
      err = Math.max(err, Math.abs(g - fromSkip[c][i] - fromBlock[c][i]));
      apart = Math.max(apart, Math.abs(g - fromSkip[c][i]));
    }));
    assert.ok(err < 1e-6, `sum of paths: ${err}`);
    assert.ok(apart > 1e-6);
    tf.dispose([x, value, ...Object.values(grads), ...initial]);
  });

  it('leaves tf.memory().numTensors as it was before the traced step', async () => {
    const counts = new Map<number, number>();
    const messages = await train({ file: residual, limit: 16 * 4, testLimit: 16, epochs: 1, backend: 'cpu', traceStep: 3 }, {
      onStep: (step) => counts.set(step, tf.memory().numTensors),
    });
    assert.equal(traceOf(messages)?.step, 3);
    assert.equal(counts.get(3), counts.get(2));
    assert.equal(counts.get(4), counts.get(2));
  });
});
